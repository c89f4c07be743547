// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsecbuf: pool files and their statistics.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/secbuf.h>

#include "internal.h"

struct secbuf_pool {
	int fd;
	char *path;
	const char *name;	/* points into @path */
};

/*
 * A private copy rather than the uapi struct itself: the uapi struct may
 * grow, this one is only ever seen through getters.
 */
struct secbuf_pool_stats {
	uint64_t total_bytes;
	uint64_t used_bytes;
	uint64_t largest_free_bytes;
	uint64_t buffer_count;
	uint64_t max_buffer_bytes;
	uint64_t file_max_bytes;
	uint64_t file_max_buffers;
	uint64_t file_buffer_count;
	uint64_t file_used_bytes;
	uint64_t quarantined_bytes;
};

SECBUF_API struct secbuf_pool *secbuf_pool_open(const char *name_or_path)
{
	struct secbuf_pool *pool;
	const char *slash;

	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;

	pool->fd = secbuf_open_node(SECBUF_DEV_DIR, name_or_path, O_RDWR,
				    &pool->path);
	if (pool->fd < 0) {
		secbuf_free_keep_errno(pool);
		return NULL;
	}

	slash = strrchr(pool->path, '/');
	pool->name = slash ? slash + 1 : pool->path;

	return pool;
}

SECBUF_API void secbuf_pool_close(struct secbuf_pool *pool)
{
	if (!pool)
		return;

	close(pool->fd);
	free(pool->path);
	free(pool);
}

SECBUF_API const char *secbuf_pool_get_name(const struct secbuf_pool *pool)
{
	return pool->name;
}

SECBUF_API const char *secbuf_pool_get_path(const struct secbuf_pool *pool)
{
	return pool->path;
}

SECBUF_API int secbuf_pool_get_fd(const struct secbuf_pool *pool)
{
	return pool->fd;
}

SECBUF_API struct secbuf_pool_stats *
secbuf_pool_get_stats(struct secbuf_pool *pool)
{
	struct secbuf_pool_info info;
	struct secbuf_pool_stats *stats;

	memset(&info, 0, sizeof(info));
	if (secbuf_ioctl(pool->fd, SECBUF_IOC_POOL_INFO, &info) < 0)
		return NULL;

	stats = malloc(sizeof(*stats));
	if (!stats)
		return NULL;

	stats->total_bytes = info.total_bytes;
	stats->used_bytes = info.used_bytes;
	stats->largest_free_bytes = info.largest_free_bytes;
	stats->buffer_count = info.buffer_count;
	stats->max_buffer_bytes = info.max_buffer_bytes;
	stats->file_max_bytes = info.file_max_bytes;
	stats->file_max_buffers = info.file_max_buffers;
	stats->file_buffer_count = info.file_buffers;
	stats->file_used_bytes = info.file_used_bytes;
	stats->quarantined_bytes = info.quarantined_bytes;

	return stats;
}

SECBUF_API void secbuf_pool_stats_free(struct secbuf_pool_stats *stats)
{
	free(stats);
}

#define SECBUF_STATS_GETTER(field)					\
SECBUF_API uint64_t							\
secbuf_pool_stats_get_##field(const struct secbuf_pool_stats *stats)	\
{									\
	return stats->field;						\
}

SECBUF_STATS_GETTER(total_bytes)
SECBUF_STATS_GETTER(used_bytes)
SECBUF_STATS_GETTER(largest_free_bytes)
SECBUF_STATS_GETTER(buffer_count)
SECBUF_STATS_GETTER(max_buffer_bytes)
SECBUF_STATS_GETTER(file_max_bytes)
SECBUF_STATS_GETTER(file_max_buffers)
SECBUF_STATS_GETTER(file_buffer_count)
SECBUF_STATS_GETTER(file_used_bytes)
SECBUF_STATS_GETTER(quarantined_bytes)

/* The longest pause between two looks at the quarantine. */
#define SECBUF_QUARANTINE_POLL_MAX_MS	100

static int64_t secbuf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

SECBUF_API int secbuf_pool_wait_quarantine(struct secbuf_pool *pool,
					   int timeout_ms)
{
	int64_t deadline = secbuf_now_ms() + timeout_ms, left;
	struct secbuf_pool_info info;
	long pause_ms = 1;
	struct timespec ts;

	for (;;) {
		memset(&info, 0, sizeof(info));
		if (secbuf_ioctl(pool->fd, SECBUF_IOC_POOL_INFO, &info) < 0)
			return -1;
		if (!info.quarantined_bytes)
			return 0;

		/*
		 * Nothing signals the end of a quarantine: it ends when a
		 * device detaches. Look again soon, then less often.
		 */
		if (timeout_ms >= 0) {
			left = deadline - secbuf_now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			if (pause_ms > left)
				pause_ms = (long)left;
		}
		ts.tv_sec = pause_ms / 1000;
		ts.tv_nsec = (pause_ms % 1000) * 1000000;
		nanosleep(&ts, NULL);
		pause_ms *= 2;
		if (pause_ms > SECBUF_QUARANTINE_POLL_MAX_MS)
			pause_ms = SECBUF_QUARANTINE_POLL_MAX_MS;
	}
}
