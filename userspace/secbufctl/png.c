// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: a YUYV frame as a PNG file, without zlib.
 *
 * The guests have nothing but busybox and static binaries, so the image
 * data goes into the zlib stream as stored (uncompressed) deflate blocks:
 * a valid PNG that any viewer opens, about as large as the RGB pixels.
 * Whoever wants it small recompresses it (run-demo does, on the host).
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secbufctl.h"

/* Stored deflate blocks hold at most this many bytes each. */
#define PNG_STORED_MAX	65535u

static uint32_t png_crc_table[256];

static void png_crc_init(void)
{
	uint32_t c;
	int n, k;

	if (png_crc_table[1])
		return;
	for (n = 0; n < 256; n++) {
		c = (uint32_t)n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		png_crc_table[n] = c;
	}
}

static uint32_t png_crc(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len--)
		crc = png_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC of type and data. */
static int png_chunk(FILE *f, const char *type, const uint8_t *data,
		     size_t len)
{
	uint8_t head[8], tail[4];
	uint32_t crc;

	put_be32(head, (uint32_t)len);
	memcpy(head + 4, type, 4);
	crc = png_crc(0, head + 4, 4);
	crc = png_crc(crc, data, len);
	put_be32(tail, crc);

	if (fwrite(head, 1, 8, f) != 8 ||
	    (len && fwrite(data, 1, len, f) != len) ||
	    fwrite(tail, 1, 4, f) != 4)
		return -1;
	return 0;
}

static uint8_t clamp_u8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/*
 * BT.601, limited range (what V4L2 means by the default Y'CbCr encoding
 * and quantization of YUYV), to R'G'B' in 16.16 fixed point.
 */
static void yuv_to_rgb(int y, int u, int v, uint8_t *rgb)
{
	int c = (y - 16) * 76309, d = u - 128, e = v - 128;

	rgb[0] = clamp_u8((c + 104597 * e + 32768) >> 16);
	rgb[1] = clamp_u8((c - 25675 * d - 53279 * e + 32768) >> 16);
	rgb[2] = clamp_u8((c + 132201 * d + 32768) >> 16);
}

int sbc_png_write_yuyv(const char *path, const uint8_t *yuyv, uint32_t width,
		       uint32_t height, uint32_t bytesperline)
{
	size_t row = 1 + (size_t)width * 3, raw_len, nblocks, z_len, off, n;
	uint8_t *raw = NULL, *z = NULL, *out, ihdr[13];
	uint32_t a = 1, b = 0, x, y;
	FILE *f = NULL;
	int ret = -1, saved;

	if (!width || !height || (width & 1) || bytesperline < width * 2) {
		errno = EINVAL;
		return -1;
	}
	png_crc_init();

	/* Scanlines: filter type 0 (none), then the pixels. */
	raw_len = row * height;
	raw = malloc(raw_len);
	if (!raw)
		return -1;
	for (y = 0; y < height; y++) {
		const uint8_t *src = yuyv + (size_t)y * bytesperline;
		uint8_t *dst = raw + (size_t)y * row;

		*dst++ = 0;
		for (x = 0; x < width; x += 2, src += 4, dst += 6) {
			yuv_to_rgb(src[0], src[1], src[3], dst);
			yuv_to_rgb(src[2], src[1], src[3], dst + 3);
		}
	}

	/* zlib: header, stored blocks, Adler-32 of the raw data. */
	nblocks = (raw_len + PNG_STORED_MAX - 1) / PNG_STORED_MAX;
	z_len = 2 + nblocks * 5 + raw_len + 4;
	z = malloc(z_len);
	if (!z)
		goto out;
	out = z;
	*out++ = 0x78;		/* deflate, 32 KiB window */
	*out++ = 0x01;		/* no dictionary, check bits */
	for (off = 0; off < raw_len; off += n) {
		n = raw_len - off < PNG_STORED_MAX ? raw_len - off : PNG_STORED_MAX;
		*out++ = off + n == raw_len;	/* BFINAL, BTYPE 00 */
		*out++ = (uint8_t)n;
		*out++ = (uint8_t)(n >> 8);
		*out++ = (uint8_t)~n;
		*out++ = (uint8_t)(~n >> 8);
		memcpy(out, raw + off, n);
		out += n;
	}
	for (off = 0; off < raw_len; off++) {
		a = (a + raw[off]) % 65521;
		b = (b + a) % 65521;
	}
	put_be32(out, (b << 16) | a);

	put_be32(ihdr, width);
	put_be32(ihdr + 4, height);
	ihdr[8] = 8;		/* bits per sample */
	ihdr[9] = 2;		/* truecolour: RGB */
	ihdr[10] = 0;		/* deflate */
	ihdr[11] = 0;		/* adaptive filtering */
	ihdr[12] = 0;		/* no interlace */

	f = fopen(path, "wbe");
	if (!f)
		goto out;
	if (fwrite("\x89PNG\r\n\x1a\n", 1, 8, f) != 8 ||
	    png_chunk(f, "IHDR", ihdr, sizeof(ihdr)) < 0 ||
	    png_chunk(f, "IDAT", z, z_len) < 0 ||
	    png_chunk(f, "IEND", NULL, 0) < 0)
		goto out;
	ret = 0;
out:
	if (f && fclose(f) && !ret)
		ret = -1;
	saved = errno;
	free(raw);
	free(z);
	errno = saved;
	return ret;
}
