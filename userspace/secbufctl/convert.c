// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: camera frames to RGB, with libv4lconvert (v4l-utils).
 *
 * libv4lconvert knows the formats cameras deliver (packed and planar
 * Y'CbCr, RGB, Bayer, grey, JPEG, ...) and asks the camera's descriptor
 * about its formats and quirks. It is optional (V4LCONVERT= in the
 * Makefile): without it sbc_rgb_conv_new() fails with ENOSYS.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/videodev2.h>

#ifdef SBC_HAVE_V4LCONVERT
#include <libv4lconvert.h>
#endif

#include "secbufctl.h"

#ifdef SBC_HAVE_V4LCONVERT

struct sbc_rgb_conv {
	struct v4lconvert_data *data;
};

struct sbc_rgb_conv *sbc_rgb_conv_new(int video_fd)
{
	struct sbc_rgb_conv *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->data = v4lconvert_create(video_fd);
	if (!c->data) {
		free(c);
		errno = ENODEV;
		return NULL;
	}
	return c;
}

int sbc_rgb_conv_frame(struct sbc_rgb_conv *c,
		       const struct v4l2_pix_format *fmt, const void *frame,
		       size_t len, uint8_t *rgb, char *what, size_t what_len)
{
	struct v4l2_format src = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_format dst = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	size_t rgb_len = (size_t)fmt->width * fmt->height * 3;
	int n;

	src.fmt.pix = *fmt;
	dst.fmt.pix.width = fmt->width;
	dst.fmt.pix.height = fmt->height;
	dst.fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24;
	dst.fmt.pix.field = V4L2_FIELD_NONE;
	dst.fmt.pix.bytesperline = fmt->width * 3;
	dst.fmt.pix.sizeimage = (uint32_t)rgb_len;

	n = v4lconvert_convert(c->data, &src, &dst, (unsigned char *)frame,
			       (int)len, rgb, (int)rgb_len);
	if (n < 0 || (size_t)n != rgb_len) {
		snprintf(what, what_len, "libv4lconvert, %.4s to RGB: %s",
			 (const char *)&fmt->pixelformat, n < 0 ?
			 v4lconvert_get_error_message(c->data) :
			 "a short frame");
		errno = EINVAL;
		return -1;
	}
	return 0;
}

void sbc_rgb_conv_free(struct sbc_rgb_conv *c)
{
	if (!c)
		return;
	v4lconvert_destroy(c->data);
	free(c);
}

#else /* !SBC_HAVE_V4LCONVERT */

struct sbc_rgb_conv *sbc_rgb_conv_new(int video_fd)
{
	(void)video_fd;
	errno = ENOSYS;
	return NULL;
}

int sbc_rgb_conv_frame(struct sbc_rgb_conv *c,
		       const struct v4l2_pix_format *fmt, const void *frame,
		       size_t len, uint8_t *rgb, char *what, size_t what_len)
{
	(void)c;
	(void)fmt;
	(void)frame;
	(void)len;
	(void)rgb;
	snprintf(what, what_len, "secbufctl was built without libv4lconvert");
	errno = ENOSYS;
	return -1;
}

void sbc_rgb_conv_free(struct sbc_rgb_conv *c)
{
	(void)c;
}

#endif /* SBC_HAVE_V4LCONVERT */
