// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: --json output, built with json-c.
 *
 * The commands add values in document order (sbc_json_begin_object(),
 * sbc_json_string(), ...); this keeps the stack of open objects and arrays
 * and hands the tree to json-c, which prints it at sbc_json_finish(),
 * indented by two spaces a level.
 *
 * json-c copies strings as they are, and device names are arbitrary
 * bytes: bytes that are not valid UTF-8 become U+FFFD first, so the
 * document always stays valid.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "secbufctl.h"

bool sbc_json_failed;

void sbc_json_init(struct sbc_json *j, FILE *out)
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

/* A json-c string of @str, invalid UTF-8 replaced with U+FFFD. */
static struct json_object *utf8_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	struct json_object *o;
	size_t n, len = 0;
	char *clean;

	/* U+FFFD takes three bytes for each one it replaces. */
	clean = malloc(strlen(str) * 3 + 1);
	if (!clean)
		return NULL;
	while (*s) {
		n = utf8_len(s);
		if (n) {
			memcpy(clean + len, s, n);
			len += n;
			s += n;
		} else {
			memcpy(clean + len, "\xef\xbf\xbd", 3);
			len += 3;
			s++;
		}
	}
	o = json_object_new_string_len(clean, (int)len);
	free(clean);
	return o;
}

/*
 * Puts @val (a new reference, or NULL if json-c failed) under @key.
 * Returns 0, or -1 (and @val is gone) when it could not.
 */
static int add(struct sbc_json *j, const char *key, struct json_object *val)
{
	struct json_object *parent;

	if (!val || j->lost)
		goto fail;
	if (!j->depth) {
		json_object_put(j->root);
		j->root = val;
		return 0;
	}
	parent = j->stack[j->depth - 1];
	if (json_object_is_type(parent, json_type_array)) {
		if (json_object_array_add(parent, val) < 0)
			goto fail;
	} else if (!key || json_object_object_add(parent, key, val) < 0) {
		goto fail;
	}
	return 0;
fail:
	json_object_put(val);
	j->failed = true;
	return -1;
}

static void begin(struct sbc_json *j, const char *key,
		  struct json_object *val)
{
	if (j->depth == SBC_JSON_MAX_DEPTH) {
		json_object_put(val);
		val = NULL;
	}
	if (add(j, key, val) < 0) {
		/* Keep the nesting balanced: what goes in it is lost. */
		j->lost++;
		return;
	}
	j->stack[j->depth++] = val;	/* borrowed: its parent holds it */
}

static void end(struct sbc_json *j)
{
	if (j->lost)
		j->lost--;
	else if (j->depth)
		j->depth--;
}

void sbc_json_begin_object(struct sbc_json *j, const char *key)
{
	begin(j, key, json_object_new_object());
}

void sbc_json_end_object(struct sbc_json *j)
{
	end(j);
}

void sbc_json_begin_array(struct sbc_json *j, const char *key)
{
	begin(j, key, json_object_new_array());
}

void sbc_json_end_array(struct sbc_json *j)
{
	end(j);
}

void sbc_json_string(struct sbc_json *j, const char *key, const char *val)
{
	add(j, key, utf8_string(val));
}

void sbc_json_u64(struct sbc_json *j, const char *key, uint64_t val)
{
	add(j, key, json_object_new_uint64(val));
}

void sbc_json_int(struct sbc_json *j, const char *key, long long val)
{
	add(j, key, json_object_new_int64(val));
}

void sbc_json_bool(struct sbc_json *j, const char *key, bool val)
{
	add(j, key, json_object_new_boolean(val));
}

void sbc_json_null(struct sbc_json *j, const char *key)
{
	struct json_object *parent;

	/* json-c's null is the NULL object, which add() takes for a failure. */
	if (!j->depth || j->lost) {
		j->failed = true;
		return;
	}
	parent = j->stack[j->depth - 1];
	if (json_object_is_type(parent, json_type_array) ?
	    json_object_array_add(parent, NULL) < 0 :
	    !key || json_object_object_add(parent, key, NULL) < 0)
		j->failed = true;
}

int sbc_json_finish(struct sbc_json *j)
{
	const char *text = NULL;
	int ret = -1;

	if (!j->failed && j->root)
		text = json_object_to_json_string_ext(j->root,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_SPACED |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text) {
		fprintf(j->out, "%s\n", text);
		ret = 0;
	} else {
		sbc_message("out of memory for the JSON output");
		sbc_json_failed = true;
	}
	fflush(j->out);
	json_object_put(j->root);
	j->root = NULL;
	j->depth = 0;
	return ret;
}
