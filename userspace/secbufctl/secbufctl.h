/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secbufctl: shared declarations of the command-line tool.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef SECBUFCTL_H
#define SECBUFCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_USAGE	2

/* Set by main(): the directory holding the pool nodes. */
extern const char *sbc_dev_dir;

struct secbuf_buffer;

/* ---- commands (cmd_*.c) ---- */

struct sbc_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
	void (*usage)(FILE *out);
};

int cmd_info(int argc, char **argv);
void cmd_info_usage(FILE *out);
int cmd_alloc(int argc, char **argv);
void cmd_alloc_usage(FILE *out);
int cmd_serve(int argc, char **argv);
void cmd_serve_usage(FILE *out);
int cmd_fetch(int argc, char **argv);
void cmd_fetch_usage(FILE *out);
int cmd_hold(int argc, char **argv);
void cmd_hold_usage(FILE *out);
int cmd_grant(int argc, char **argv);
void cmd_grant_usage(FILE *out);
int cmd_revoke(int argc, char **argv);
void cmd_revoke_usage(FILE *out);
int cmd_seal(int argc, char **argv);
void cmd_seal_usage(FILE *out);
int cmd_dma_begin(int argc, char **argv);
void cmd_dma_begin_usage(FILE *out);
int cmd_dma_end(int argc, char **argv);
void cmd_dma_end_usage(FILE *out);
int cmd_query(int argc, char **argv);
void cmd_query_usage(FILE *out);
int cmd_demo(int argc, char **argv);
void cmd_demo_usage(FILE *out);
/* "demo pipeline" (cmd_pipeline.c); argv[0] is "pipeline". */
int cmd_demo_pipeline(int argc, char **argv);
void cmd_demo_pipeline_usage(FILE *out);

/* ---- messages (util.c) ---- */

/* "secbufctl: <what>: <strerror> (<ENAME>)[: <hint>]" on stderr. */
void sbc_error(int errnum, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "secbufctl: <what>" on stderr, for errors without an errno. */
void sbc_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A usage error of @cmd (NULL for the top level): prints the message and a
 * pointer to --help on stderr and returns EXIT_USAGE.
 */
int sbc_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Handles a getopt_long() return of '?' or ':' for @cmd: reports the
 * offending option and returns EXIT_USAGE.
 */
int sbc_bad_option(const char *cmd, int opt, char **argv);

/* "EDQUOT", or "E?" if the C library does not know the number. */
const char *sbc_errno_name(int errnum);

/* A word or two on what an errno means for a pool or allocation, or NULL. */
const char *sbc_open_hint(int errnum);
const char *sbc_alloc_hint(int errnum, uint64_t size);

/* Path of a pool given by name (under sbc_dev_dir) or path. Malloc()ed. */
char *sbc_pool_path(const char *name_or_path);

/* ---- numbers and bytes (util.c) ---- */

/* Parses "4096", "0x1000", "4K", "4KiB", "1M", "2G". Returns 0 or -1. */
int sbc_parse_size(const char *s, uint64_t *out);

/* Parses a non-negative decimal count. Returns 0 or -1. */
int sbc_parse_uint(const char *s, unsigned long *out);

/* "0 B", "4 KiB", "1.5 MiB" into @buf (at least 32 bytes). */
const char *sbc_human_size(uint64_t bytes, char *buf, size_t len);

/* ---- cgroup.c: the dmem cgroup controller's view of a pool ---- */

struct sbc_dmem {
	char region[256];	/* "secbuf/<pool>" */
	char cgroup[4096];	/* the caller's cgroup, "/" for the root */
	uint64_t current;	/* its dmem.current of the region */
	uint64_t max;		/* its dmem.max, UINT64_MAX for none */
};

/*
 * Fill @out for @pool (its name): 0, or -errno; -ENOENT without the
 * controller or when the pool is not one of its regions.
 */
int sbc_dmem_usage(const char *pool, struct sbc_dmem *out);

/* Fills @len bytes at @dst with @text repeated. */
void sbc_fill(void *dst, size_t len, const char *text);

/* FNV-1a 64-bit hash of @len bytes. */
uint64_t sbc_fnv1a64(const void *data, size_t len);

/*
 * Prints up to @max bytes of @data as a double-quoted C-style string with
 * non-printables escaped. Trailing zero bytes are summarised instead.
 */
void sbc_print_bytes(FILE *out, const void *data, size_t len, size_t max);

/* ---- dma-buf descriptors (util.c) ---- */

struct sbc_fd_info {
	uint64_t inode;		/* st_ino: the same in every process */
	char exporter[64];	/* from /proc/self/fdinfo, or "" */
	char name[64];		/* from /proc/self/fdinfo, or "" */
};

void sbc_get_fd_info(int fd, struct sbc_fd_info *info);

/* ---- buffer contents (util.c) ---- */

/*
 * Maps @buf and fills it with @text repeated, inside a CPU write access.
 * Reports failures itself. Returns 0 or -1.
 */
int sbc_fill_buffer(struct secbuf_buffer *buf, const char *text);

/*
 * Maps @buf and prints, inside a CPU read access, one line: @prefix, its
 * first bytes and the FNV-1a 64 checksum of the whole buffer. Reports
 * failures itself. Returns 0 or -1.
 */
int sbc_show_contents(struct secbuf_buffer *buf, const char *prefix);

/* ---- messages with a descriptor (util.c) ---- */

/*
 * Sends @len bytes (at least 1) as one message on a SOCK_SEQPACKET socket,
 * with @fd attached (SCM_RIGHTS) unless it is -1. Never raises SIGPIPE.
 * Returns 0 or -1 with errno set.
 */
int sbc_msg_send(int sock, const void *data, size_t len, int fd);

/*
 * Receives one message of at most @len bytes. If @fd is not NULL it gets
 * the attached descriptor (O_CLOEXEC) or -1; without @fd any descriptor
 * is closed. Returns the message length, 0 when the peer hung up, or -1
 * with errno set.
 */
ssize_t sbc_msg_recv(int sock, void *data, size_t len, int *fd);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t sbc_now_ms(void);

/*
 * Waits for @events on @fd until @deadline (sbc_now_ms() time, or < 0 for
 * none). Returns 0 when ready, -1 with errno ETIMEDOUT or poll()'s errno.
 */
int sbc_wait_fd(int fd, short events, int64_t deadline);

/* A pidfd of @pid (pidfd_open()), or -1 with errno set. */
int sbc_pidfd_open(pid_t pid);

/* ---- unix sockets and pools (util.c) ---- */

struct sockaddr_un;
struct secbuf_pool;

/* Fills @addr for @path; -1 with ENAMETOOLONG if it does not fit. */
int sbc_unix_addr(const char *path, struct sockaddr_un *addr);

/*
 * A unix socket of @type (SOCK_STREAM, SOCK_SEQPACKET) listening on
 * @path, with SOCK_CLOEXEC. A socket left at @path by an earlier run is
 * replaced, anything else refused. With @private only this user (and
 * root) may connect. Reports failures itself; returns the socket or -1.
 */
int sbc_unix_listen(const char *path, int type, bool private);

/* The pid of the peer of a connected unix socket, or 0. */
pid_t sbc_peer_pid(int sock);

/*
 * Opens the pool @pool_arg (a name under sbc_dev_dir, or a path) and
 * allocates @size bytes with @flags from it. Reports failures itself.
 * Returns the buffer, with its pool in @pool (to close after the buffer
 * is freed); or NULL, and @pool is then NULL too.
 */
struct secbuf_buffer *sbc_alloc_buffer(const char *pool_arg, uint64_t size,
				       unsigned int flags,
				       struct secbuf_pool **pool);

/* ---- owner control (names.c) ---- */

/*
 * Parses rights ("read,write", "rw", "rwdg", "all") or seals ("write,grant",
 * "all") into library bits. Returns 0 or -1.
 */
int sbc_parse_rights(const char *s, unsigned int *out);
int sbc_parse_seals(const char *s, unsigned int *out);

/* "read,write", "none": into @buf, which it returns. */
const char *sbc_rights_str(unsigned int rights, char *buf, size_t len);
const char *sbc_seals_str(unsigned int seals, char *buf, size_t len);

/* "live", "revoked", "dma". */
const char *sbc_state_str(unsigned int state);

/* ---- PNG (png.c, with libpng) ---- */

/*
 * Writes @rgb (@width x @height pixels of packed 8-bit R, G, B, rows
 * without padding) to @path as an 8-bit RGB PNG. Returns 0, or -1 with
 * errno set (ENOSYS: secbufctl was built without libpng).
 */
int sbc_png_write_rgb(const char *path, const uint8_t *rgb, uint32_t width,
		      uint32_t height);

/* ---- frames to RGB (convert.c, with libv4lconvert) ---- */

struct v4l2_pix_format;
struct sbc_rgb_conv;

/*
 * A converter for frames of the camera @video_fd (which it asks about its
 * formats; keep it open until sbc_rgb_conv_free()). NULL with errno set:
 * ENOSYS when secbufctl was built without libv4lconvert.
 */
struct sbc_rgb_conv *sbc_rgb_conv_new(int video_fd);

/*
 * Converts @len bytes of @frame, in @fmt, to packed RGB24 in @rgb (room for
 * @fmt->width * @fmt->height * 3 bytes). Returns 0, or -1 with errno set
 * and what went wrong in @what.
 */
int sbc_rgb_conv_frame(struct sbc_rgb_conv *c,
		       const struct v4l2_pix_format *fmt, const void *frame,
		       size_t len, uint8_t *rgb, char *what, size_t what_len);

void sbc_rgb_conv_free(struct sbc_rgb_conv *c);

/* ---- JSON output (json.c, with json-c) ---- */

#define SBC_JSON_MAX_DEPTH	16

struct json_object;

struct sbc_json {
	FILE *out;
	struct json_object *root;
	struct json_object *stack[SBC_JSON_MAX_DEPTH];	/* open containers */
	int depth;
	int lost;		/* containers json-c could not make */
	bool failed;
};

void sbc_json_init(struct sbc_json *j, FILE *out);
/* @key is NULL for array elements and the top-level value. */
void sbc_json_begin_object(struct sbc_json *j, const char *key);
void sbc_json_end_object(struct sbc_json *j);
void sbc_json_begin_array(struct sbc_json *j, const char *key);
void sbc_json_end_array(struct sbc_json *j);
void sbc_json_string(struct sbc_json *j, const char *key, const char *val);
void sbc_json_u64(struct sbc_json *j, const char *key, uint64_t val);
void sbc_json_int(struct sbc_json *j, const char *key, long long val);
void sbc_json_bool(struct sbc_json *j, const char *key, bool val);
void sbc_json_null(struct sbc_json *j, const char *key);
/*
 * Prints the document and a newline, and frees it. Returns 0, or -1 (says
 * so on stderr, and sets sbc_json_failed, which makes secbufctl exit 1)
 * when json-c ran out of memory on the way.
 */
int sbc_json_finish(struct sbc_json *j);
extern bool sbc_json_failed;

#endif /* SECBUFCTL_H */
