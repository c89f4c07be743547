// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: a small JSON writer, enough for --json output.
 *
 * Output is indented by two spaces per level. Strings are escaped as RFC
 * 8259 asks; bytes that are not valid UTF-8 (device names are arbitrary
 * bytes) become U+FFFD so the document always stays valid.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <inttypes.h>
#include <string.h>

#include "secbufctl.h"

void json_init(struct sbc_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	else if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;

	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}

	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;

	return len;
}

static void json_put_string(struct sbc_json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', j->out);
	while (*s) {
		switch (*s) {
		case '"':  fputs("\\\"", j->out); s++; continue;
		case '\\': fputs("\\\\", j->out); s++; continue;
		case '\n': fputs("\\n", j->out); s++; continue;
		case '\r': fputs("\\r", j->out); s++; continue;
		case '\t': fputs("\\t", j->out); s++; continue;
		case '\b': fputs("\\b", j->out); s++; continue;
		case '\f': fputs("\\f", j->out); s++; continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(j->out, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", j->out);
			s++;
			continue;
		}
		fwrite(s, 1, n, j->out);
		s += n;
	}
	fputc('"', j->out);
}

static void json_newline(struct sbc_json *j)
{
	int i;

	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Comma, newline and indentation, and the key, before any value. */
static void json_prefix(struct sbc_json *j, const char *key)
{
	if (j->need_comma)
		fputc(',', j->out);
	if (j->depth > 0)
		json_newline(j);
	if (key) {
		json_put_string(j, key);
		fputs(": ", j->out);
	}
	j->need_comma = true;
}

static void json_begin(struct sbc_json *j, const char *key, char open)
{
	json_prefix(j, key);
	fputc(open, j->out);
	j->depth++;
	j->need_comma = false;
}

static void json_end(struct sbc_json *j, char close)
{
	bool empty = !j->need_comma;

	j->depth--;
	if (!empty)
		json_newline(j);
	fputc(close, j->out);
	j->need_comma = true;
}

void json_begin_object(struct sbc_json *j, const char *key)
{
	json_begin(j, key, '{');
}

void json_end_object(struct sbc_json *j)
{
	json_end(j, '}');
}

void json_begin_array(struct sbc_json *j, const char *key)
{
	json_begin(j, key, '[');
}

void json_end_array(struct sbc_json *j)
{
	json_end(j, ']');
}

void json_string(struct sbc_json *j, const char *key, const char *val)
{
	json_prefix(j, key);
	json_put_string(j, val);
}

void json_u64(struct sbc_json *j, const char *key, uint64_t val)
{
	json_prefix(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void json_int(struct sbc_json *j, const char *key, long long val)
{
	json_prefix(j, key);
	fprintf(j->out, "%lld", val);
}

void json_bool(struct sbc_json *j, const char *key, bool val)
{
	json_prefix(j, key);
	fputs(val ? "true" : "false", j->out);
}

void json_null(struct sbc_json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", j->out);
}

void json_finish(struct sbc_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
