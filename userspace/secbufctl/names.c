// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbufctl: names of rights, seals and states, both ways.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <stdio.h>
#include <string.h>

#include <secbuf.h>

#include "secbufctl.h"

struct sbc_name {
	const char *word;
	char letter;		/* the short form, e.g. "rw"; 0 if none */
	unsigned int bit;
};

static const struct sbc_name rights[] = {
	{ "read",    'r', SECBUF_RIGHT_READ },
	{ "write",   'w', SECBUF_RIGHT_WRITE },
	{ "dma",     'd', SECBUF_RIGHT_DMA },
	{ "regrant", 'g', SECBUF_RIGHT_REGRANT },
	{ NULL, 0, 0 }
};

static const struct sbc_name seals[] = {
	{ "write",  0, SECBUF_BUFFER_SEAL_WRITE },
	{ "grant",  0, SECBUF_BUFFER_SEAL_GRANT },
	{ "revoke", 0, SECBUF_BUFFER_SEAL_REVOKE },
	{ "seal",   0, SECBUF_BUFFER_SEAL_SEAL },
	{ NULL, 0, 0 }
};

static unsigned int all_bits(const struct sbc_name *names)
{
	unsigned int bits = 0;

	for (; names->word; names++)
		bits |= names->bit;
	return bits;
}

/* One word of a comma-separated list, @len bytes at @s. */
static int parse_word(const struct sbc_name *names, const char *s, size_t len,
		      unsigned int *bits)
{
	const struct sbc_name *n;
	size_t i;

	if (len == 3 && !strncmp(s, "all", 3)) {
		*bits |= all_bits(names);
		return 0;
	}
	for (n = names; n->word; n++) {
		if (strlen(n->word) == len && !strncmp(s, n->word, len)) {
			*bits |= n->bit;
			return 0;
		}
	}

	/* Letters: "rw", "rwdg". */
	for (i = 0; i < len; i++) {
		for (n = names; n->word; n++)
			if (n->letter && n->letter == s[i])
				break;
		if (!n->word)
			return -1;
		*bits |= n->bit;
	}
	return len ? 0 : -1;
}

static int parse_list(const struct sbc_name *names, const char *s,
		      unsigned int *out)
{
	unsigned int bits = 0;
	size_t len;

	do {
		len = strcspn(s, ",");
		if (parse_word(names, s, len, &bits) < 0)
			return -1;
		s += len;
	} while (*s++ == ',');

	*out = bits;
	return 0;
}

int sbc_parse_rights(const char *s, unsigned int *out)
{
	return parse_list(rights, s, out);
}

int sbc_parse_seals(const char *s, unsigned int *out)
{
	return parse_list(seals, s, out);
}

static const char *list_str(const struct sbc_name *names, unsigned int bits,
			    char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; names->word; names++) {
		if (!(bits & names->bit))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
					 "%s%s", used ? "," : "", names->word);
		bits &= ~names->bit;
	}
	if (bits)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
					 "%s0x%x", used ? "," : "", bits);
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

const char *sbc_rights_str(unsigned int bits, char *buf, size_t len)
{
	return list_str(rights, bits, buf, len);
}

const char *sbc_seals_str(unsigned int bits, char *buf, size_t len)
{
	return list_str(seals, bits, buf, len);
}

const char *sbc_state_str(unsigned int state)
{
	switch (state) {
	case SECBUF_LIVE:
		return "live";
	case SECBUF_REVOKED:
		return "revoked";
	case SECBUF_IN_DMA:
		return "dma";
	default:
		return "unknown";
	}
}
