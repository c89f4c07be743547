// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: an RGB image as a PNG file, with libpng.
 *
 * libpng is optional (LIBPNG= in the Makefile): without it the call
 * exists and fails with ENOSYS, and demo pipeline refuses --snapshot
 * before it starts.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#ifdef SBC_HAVE_LIBPNG
#include <png.h>
#endif

#include "secbufctl.h"

#ifdef SBC_HAVE_LIBPNG

/* libpng reports an error here and longjmp()s back to the caller. */
static void png_error_cb(png_structp png, png_const_charp msg)
{
	sbc_message("libpng: %s", msg);
	png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

int sbc_png_write_rgb(const char *path, const uint8_t *rgb, uint32_t width,
		      uint32_t height)
{
	png_structp png = NULL;
	png_infop info = NULL;
	FILE *volatile f = NULL;
	volatile int ret = -1;
	uint32_t y;

	if (!width || !height || width > PNG_USER_WIDTH_MAX ||
	    height > PNG_USER_HEIGHT_MAX) {
		errno = EINVAL;
		return -1;
	}
	f = fopen(path, "wbe");
	if (!f)
		return -1;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
				      png_error_cb, png_warning_cb);
	if (png)
		info = png_create_info_struct(png);
	if (!info) {
		errno = ENOMEM;
		goto out;
	}
	if (setjmp(png_jmpbuf(png))) {
		errno = EIO;
		goto out;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	/* Plain rows: what scripts/run-demo's pixel check reads back. */
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_write_info(png, info);
	for (y = 0; y < height; y++)
		png_write_row(png, rgb + (size_t)y * width * 3);
	png_write_end(png, info);
	ret = 0;
out:
	png_destroy_write_struct(&png, &info);
	if (fclose(f) && !ret)
		ret = -1;
	if (ret) {
		/* No half-written image left behind; keep the first errno. */
		int err = errno;

		unlink(path);
		errno = err;
	}
	return ret;
}

#else /* !SBC_HAVE_LIBPNG */

int sbc_png_write_rgb(const char *path, const uint8_t *rgb, uint32_t width,
		      uint32_t height)
{
	(void)path;
	(void)rgb;
	(void)width;
	(void)height;
	errno = ENOSYS;
	return -1;
}

#endif /* SBC_HAVE_LIBPNG */
