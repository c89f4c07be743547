// SPDX-License-Identifier: MIT
/*
 * The uapi header on its own: every macro and struct it defines compiles
 * with no other include before it, for the host and for every cross
 * compiler the lanes use. Built with every test; a header that leans on
 * another header's names (O_CLOEXEC, say) fails the build.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <linux/secbuf.h>

const unsigned long secbuf_uapi_values[] = {
	SECBUF_FD_VALID_FLAGS, SECBUF_ALLOC_VALID_FLAGS,
	SECBUF_POOL_INFO_VALID_FLAGS, SECBUF_GRANT_VALID_RIGHTS,
	SECBUF_GRANT_VALID_FLAGS, SECBUF_REVOKE_VALID_FLAGS,
	SECBUF_SEAL_VALID_SEALS, SECBUF_DMA_VALID_FLAGS,
	SECBUF_DMA_END_VALID_FLAGS, SECBUF_IOC_ALLOC, SECBUF_IOC_POOL_INFO,
	SECBUF_IOC_REVOKE, SECBUF_IOC_GRANT, SECBUF_IOC_GRANT_LIST,
	SECBUF_IOC_QUERY, SECBUF_IOC_SEAL, SECBUF_IOC_GET_SEALS,
	SECBUF_IOC_DMA_BEGIN, SECBUF_IOC_DMA_END,
	sizeof(struct secbuf_grant_info), SECBUF_GRANT_INFO_SIZE_VER1,
};
