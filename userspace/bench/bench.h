/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * secbuf-bench: secbuf against the kernel's own exporters, in one boot.
 *
 * Copyright (C) 2026 The secbuf authors
 */
#ifndef SECBUF_BENCH_H
#define SECBUF_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KiB		(UINT64_C(1) << 10)
#define MiB		(UINT64_C(1) << 20)

/* secbuf places buffers of this size or more on this physical alignment. */
#define HUGE_ALIGN	(2 * MiB)

/*
 * The exporters compared. EXP_SECBUF is the subject; every other one is an
 * anchor, present or not on the running kernel.
 */
enum exp_id {
	EXP_SECBUF,
	EXP_CMA_HEAP,
	EXP_SYSTEM_HEAP,
	EXP_UDMABUF,
	EXP_ANON,
	NR_EXP
};

struct exporter {
	const char *name;	/* in the table and the JSON */
	bool present;
	char detail[320];	/* where it was found, or why it is absent */
	int dev_fd;		/* pool file, heap, /dev/udmabuf; -1 */
};

extern struct exporter exporters[NR_EXP];

/* Options and what the detection found. */
struct bench_config {
	unsigned int rounds;
	const char *pool;
	const char *only;	/* comma separated metric names, or NULL */
	unsigned int procs[8];	/* process counts for "revoke" */
	unsigned int nr_procs;
	uint64_t grant_size;
	int vgem_fd;		/* -1 when there is no vgem */
	char vgem_detail[128];
	bool sti;		/* igt-tests' test importer is loaded */
	char sti_detail[128];
	size_t page;
	bool verbose;
};

extern struct bench_config cfg;

/* exporter.c */
void exporters_detect(void);
int exp_alloc(enum exp_id e, uint64_t size);
void *map_aligned(int fd, size_t len, size_t misalign);
void *exp_map(enum exp_id e, int fd, size_t len);
int secbuf_revoke(int buf_fd, uint64_t grant_id);
int secbuf_grant(int buf_fd, uint64_t *grant_id);
bool secbuf_prezeroed(uint64_t size);
int vgem_import(int buf_fd, uint32_t *handle);
int vgem_close(uint32_t handle);
int sti_import(int buf_fd, uint64_t *attach_ns, uint64_t *map_ns);

/* report.c */
enum better { LOWER_IS_BETTER, HIGHER_IS_BETTER };

struct series {
	const char *metric;
	const char *exporter;
	uint64_t size;		/* 0 when the metric has no size */
	unsigned int procs;	/* 0 when the metric has no process count */
	const char *unit;
	enum better better;
	double *v;
	unsigned int n, cap;
	/* filled by series_stats() */
	double median, p10, p25, p75, p90, min, max;
	/* an extra count per series (faults, prezeroed hits), -1 if none */
	long long extra;
	const char *extra_name;
};

struct series *series_get(const char *metric, const char *exporter,
			  uint64_t size, unsigned int procs, const char *unit,
			  enum better better);
void series_add(struct series *s, double v);
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_table(FILE *out);
int report_json(FILE *out, const char *argv0_version);

/* metrics.c */
struct metric {
	const char *name;
	const char *summary;
	void (*run)(void);
};

extern const struct metric metrics[];
extern const unsigned int nr_metrics;

/* main.c */
uint64_t now_ns(void);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *size_str(uint64_t size, char *buf, size_t len);

#endif /* SECBUF_BENCH_H */
