// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * secbuf-bench: samples, their statistics, the table and the JSON
 * (json-c).
 *
 * Copyright (C) 2026 The secbuf authors
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench.h"

#define MAX_SERIES	128
#define MAX_NOTES	32

static struct series all_series[MAX_SERIES];
static unsigned int nr_series;
static char *notes[MAX_NOTES];
static unsigned int nr_notes;

/*
 * How a row compares with secbuf's. SPEEDUP: how many times better secbuf
 * is (anchor/secbuf for times, secbuf/anchor for throughputs; > 1: secbuf
 * ahead). COST: secbuf's time in units of the anchor's (secbuf/anchor;
 * < 1: secbuf cheaper), for metrics whose anchor is a floor for the same
 * operation (a no-op ioctl, the mappers' own munmap()).
 */
enum ratio_kind { SPEEDUP, COST };

/* Issue 6's targets, all ratios in the same boot. */
static const struct target {
	const char *metric;
	uint64_t size;
	unsigned int procs;
	const char *anchor;
	double limit;
	const char *text;
} targets[] = {
	{ "alloc_close", 4 * KiB, 0, "cma_heap", 1.0, ">= 1x (not slower)" },
	{ "alloc_close", 8 * MiB, 0, "cma_heap", 10.0, ">= 10x" },
	{ "alloc_close", 64 * MiB, 0, "cma_heap", 10.0, ">= 10x" },
	{ "first_touch", 64 * MiB, 0, "cma_heap", 50.0, ">= 50x (6.12)" },
	{ "attach_map", 64 * MiB, 0, "cma_heap", 100.0, ">= 100x" },
	{ "sync", 0, 0, "noop_ioctl", 1.5, "<= 1.5x" },
	{ "revoke", 64 * MiB, 8, "munmap", 2.0, "<= 2x" },
	{ "write_bw", 64 * MiB, 0, "anon", 0.9, ">= 0.9x" },
	{ "revoke_among", MiB, 0, "grants_1", 2.0, "<= 2x" },
};

/*
 * A row whose p75 is this many times its p25 holds two populations (or
 * noise as large as the effect): its median says nothing, and no target
 * is judged on it.
 */
#define SPREAD_LIMIT	2.5

static const struct {
	const char *metric;
	const char *title;
	enum ratio_kind kind;
} metric_info[] = {
	{ "alloc_close",    "alloc+close",     SPEEDUP },
	{ "alloc_close_b2b", "alloc b2b",      SPEEDUP },
	{ "first_touch",    "first touch",     SPEEDUP },
	{ "write_bw",       "write bandwidth", SPEEDUP },
	{ "sync",           "SYNC START+END",  COST },
	{ "import",         "vgem import",     SPEEDUP },
	{ "attach_map",     "attach+map",      SPEEDUP },
	{ "import_release", "vgem release",    SPEEDUP },
	{ "revoke",         "revoke",          COST },
	{ "revoke_grant",   "revoke grant",    COST },
	{ "grant_create",   "grant create",    COST },
	{ "grant_revoke",   "grant revoke",    COST },
	{ "revoke_among",   "revoke 1 of N",   COST },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *metric_title(const char *metric)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(metric_info); i++)
		if (!strcmp(metric_info[i].metric, metric))
			return metric_info[i].title;
	return metric;
}

static enum ratio_kind metric_kind(const char *metric)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(metric_info); i++)
		if (!strcmp(metric_info[i].metric, metric))
			return metric_info[i].kind;
	return SPEEDUP;
}

struct series *series_get(const char *metric, const char *exporter,
			  uint64_t size, unsigned int procs, const char *unit,
			  enum better better)
{
	struct series *s;
	unsigned int i;

	for (i = 0; i < nr_series; i++) {
		s = &all_series[i];
		if (!strcmp(s->metric, metric) && !strcmp(s->exporter, exporter) &&
		    s->size == size && s->procs == procs)
			return s;
	}
	if (nr_series == MAX_SERIES)
		die("too many series");
	s = &all_series[nr_series++];
	memset(s, 0, sizeof(*s));
	s->metric = metric;
	s->exporter = exporter;
	s->size = size;
	s->procs = procs;
	s->unit = unit;
	s->better = better;
	s->extra = -1;
	return s;
}

void series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 16;
		double *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			die("out of memory");
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
}

void note(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		p = NULL;
	va_end(ap);
	if (!p)
		return;
	if (cfg.verbose)
		fprintf(stderr, "secbuf-bench: %s\n", p);
	if (nr_notes < MAX_NOTES)
		notes[nr_notes++] = p;
	else
		free(p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The @q quantile of @n sorted values, linearly interpolated. */
static double quantile(const double *v, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static void series_stats(struct series *s)
{
	double *v;

	if (!s->n)
		return;
	v = malloc(s->n * sizeof(*v));
	if (!v)
		die("out of memory");
	memcpy(v, s->v, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), cmp_double);
	s->min = v[0];
	s->max = v[s->n - 1];
	s->p10 = quantile(v, s->n, 0.10);
	s->p25 = quantile(v, s->n, 0.25);
	s->median = quantile(v, s->n, 0.50);
	s->p75 = quantile(v, s->n, 0.75);
	s->p90 = quantile(v, s->n, 0.90);
	free(v);
}

static struct series *subject_of(const struct series *s)
{
	unsigned int i;

	for (i = 0; i < nr_series; i++) {
		struct series *t = &all_series[i];

		if (!strcmp(t->metric, s->metric) && t->size == s->size &&
		    t->procs == s->procs && !strcmp(t->exporter, "secbuf"))
			return t->n ? t : NULL;
	}
	return NULL;
}

/* The ratio of @s's row against secbuf's, NAN when there is none. */
static double ratio_of(const struct series *s, const struct series *subj)
{
	if (!subj || subj == s || !s->n || s->median <= 0 || subj->median <= 0)
		return NAN;
	if (metric_kind(s->metric) == COST)
		return s->better == LOWER_IS_BETTER ? subj->median / s->median :
						      s->median / subj->median;
	return s->better == LOWER_IS_BETTER ? s->median / subj->median :
					      subj->median / s->median;
}

static const struct target *target_of(const struct series *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(targets); i++) {
		const struct target *t = &targets[i];

		if (!strcmp(t->metric, s->metric) && t->size == s->size &&
		    t->procs == s->procs && !strcmp(t->anchor, s->exporter))
			return t;
	}
	return NULL;
}

static bool target_met(const struct target *t, const struct series *s,
		       double ratio)
{
	return metric_kind(s->metric) == COST ? ratio <= t->limit :
						ratio >= t->limit;
}

const char *size_str(uint64_t size, char *buf, size_t len)
{
	if (!size)
		snprintf(buf, len, "-");
	else if (size % MiB == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(size / MiB));
	else if (size % KiB == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(size / KiB));
	else
		snprintf(buf, len, "%llu", (unsigned long long)size);
	return buf;
}

static const char *num(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2f", v);
	return buf;
}

/* p75/p25 too wide for a median to describe the row. */
static bool series_unstable(const struct series *s)
{
	return s->n && s->p25 > 0 && s->p75 / s->p25 > SPREAD_LIMIT;
}

static void print_row(FILE *out, const struct series *s, bool first,
		      const struct series *subj)
{
	char sz[16], procs[16], med[32], lo[32], hi[32], spread[64], rs[32];
	const struct target *t = target_of(s);
	double ratio = ratio_of(s, subj);
	char tgt[96] = "";

	size_str(s->size, sz, sizeof(sz));
	if (s->procs)
		snprintf(procs, sizeof(procs), "%u", s->procs);
	else
		snprintf(procs, sizeof(procs), "-");
	num(s->median, med, sizeof(med));
	snprintf(spread, sizeof(spread), "%s..%s", num(s->p25, lo, sizeof(lo)),
		 num(s->p75, hi, sizeof(hi)));
	if (isnan(ratio))
		snprintf(rs, sizeof(rs), "%s", subj == s ? "" : "n/a");
	else
		snprintf(rs, sizeof(rs), "%.2fx", ratio);
	if (t && (series_unstable(s) || (subj && series_unstable(subj))))
		snprintf(tgt, sizeof(tgt), "%s UNSTABLE", t->text);
	else if (t && !isnan(ratio))
		snprintf(tgt, sizeof(tgt), "%s %s", t->text,
			 target_met(t, s, ratio) ? "met" : "MISSED");
	else if (t)
		snprintf(tgt, sizeof(tgt), "%s ?", t->text);
	if (series_unstable(s)) {
		size_t len = strlen(tgt);

		snprintf(tgt + len, sizeof(tgt) - len,
			 "%sSPREAD p75/p25 %.1fx", len ? "; " : "",
			 s->p75 / s->p25);
	}
	fprintf(out, "%-16s %5s %5s  %-17s %9s %-7s %-19s %8s  %s",
		first ? metric_title(s->metric) : "", first ? sz : "",
		first ? procs : "", s->exporter, med, s->unit, spread, rs, tgt);
	if (s->extra >= 0)
		fprintf(out, "%s%s=%lld", *tgt ? "; " : "", s->extra_name,
			s->extra);
	fputc('\n', out);
}

static void stats_all(void)
{
	unsigned int i;

	for (i = 0; i < nr_series; i++)
		series_stats(&all_series[i]);
}

void report_table(FILE *out)
{
	unsigned int i, j, e;
	bool any = false;
	struct utsname u;

	stats_all();
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	fprintf(out, "secbuf-bench results: %u rounds per row, median and p25..p75;\n"
		"  kernel %s %s\n", cfg.rounds, u.release, u.machine);
	for (e = 0; e < NR_EXP; e++)
		fprintf(out, "  %-12s %s: %s\n", exporters[e].name,
			exporters[e].present ? "present" : "ABSENT",
			exporters[e].detail);
	fprintf(out, "  %-12s %s: %s\n", "vgem", cfg.vgem_fd >= 0 ?
		"present" : "ABSENT", cfg.vgem_detail);
	fprintf(out, "  %-12s %s: %s\n", "importer", cfg.sti ?
		"present" : "ABSENT", cfg.sti_detail);
	fprintf(out,
"ratio: alloc, first touch, bandwidth, import: times secbuf is ahead of the\n"
"  row (anchor/secbuf for times, secbuf/anchor for throughput; > 1: secbuf\n"
"  ahead). SYNC, revoke, grants: secbuf's cost in units of the row's\n"
"  (secbuf/row; < 1: secbuf cheaper). revoke 1 of N: secbuf is N = 10000,\n"
"  the rows N = 1 and 100. SPREAD: p75/p25 above %.1fx, two populations or\n"
"  noise as large as the effect; a target on such a row is UNSTABLE, not\n"
"  judged.\n\n", SPREAD_LIMIT);
	fprintf(out, "%-16s %5s %5s  %-17s %9s %-7s %-19s %8s  %s\n", "metric",
		"size", "procs", "exporter", "median", "unit", "p25..p75",
		"ratio", "target");

	/* Groups in the order they were measured, secbuf's row first. */
	for (i = 0; i < nr_series; i++) {
		struct series *s = &all_series[i], *subj;
		bool seen = false, first = true;

		for (j = 0; j < i; j++) {
			struct series *t = &all_series[j];

			if (!strcmp(t->metric, s->metric) && t->size == s->size &&
			    t->procs == s->procs)
				seen = true;
		}
		if (seen)
			continue;
		subj = subject_of(s);
		if (subj) {
			print_row(out, subj, true, subj);
			first = false;
		}
		for (j = i; j < nr_series; j++) {
			struct series *t = &all_series[j];

			if (t == subj || !t->n || strcmp(t->metric, s->metric) ||
			    t->size != s->size || t->procs != s->procs)
				continue;
			print_row(out, t, first, subj);
			first = false;
		}
		any = true;
	}
	if (!any)
		fprintf(out, "(nothing measured)\n");
	if (nr_notes)
		fputc('\n', out);
	for (i = 0; i < nr_notes; i++)
		fprintf(out, "note: %s\n", notes[i]);
}

/* A number, or null for NaN and infinities, which JSON does not have. */
static struct json_object *json_num(double v)
{
	return isnan(v) || isinf(v) ? NULL : json_object_new_double(v);
}

/*
 * Adds @val under @key of @obj, or to the array @obj if @key is NULL.
 * NULL is JSON's null, except where json-c failed (@ok then goes false).
 */
static void put(struct json_object *obj, const char *key,
		struct json_object *val, bool made, bool *ok)
{
	if (made && !val)
		*ok = false;
	else if (key ? json_object_object_add(obj, key, val) < 0 :
		 json_object_array_add(obj, val) < 0)
		*ok = false;
}

#define PUT(obj, key, val)	put(obj, key, val, true, &ok)
#define PUT_NUM(obj, key, v)	put(obj, key, json_num(v), !isnan(v) && !isinf(v), &ok)

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * One JSON document, built with json-c. Printed indented, one value a
 * line, so that the lines stay short on a serial console.
 */
int report_json(FILE *out, const char *version)
{
	struct json_object *doc, *list, *o, *samples;
	const char *text;
	char thp[128];
	struct utsname u;
	unsigned int i, e;
	bool ok = true;
	int ret;

	stats_all();
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof(thp));
	json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_GLOBAL);

	doc = json_object_new_object();
	if (!doc)
		return -1;
	PUT(doc, "tool", json_object_new_string("secbuf-bench"));
	PUT(doc, "version", json_object_new_string(version));
	PUT(doc, "kernel", json_object_new_string(u.release));
	PUT(doc, "machine", json_object_new_string(u.machine));
	PUT(doc, "cpus", json_object_new_int64(sysconf(_SC_NPROCESSORS_ONLN)));
	PUT(doc, "page_size", json_object_new_uint64(cfg.page));
	PUT(doc, "thp", json_object_new_string(thp));
	PUT(doc, "pool", json_object_new_string(cfg.pool));
	PUT(doc, "rounds", json_object_new_uint64(cfg.rounds));
	PUT(doc, "warmup_rounds", json_object_new_int(1));

	list = json_object_new_array();
	PUT(doc, "exporters", list);
	for (e = 0; list && e <= NR_EXP; e++) {
		bool vgem = e == NR_EXP;

		o = json_object_new_object();
		PUT(list, NULL, o);
		if (!o)
			break;
		PUT(o, "name", json_object_new_string(vgem ? "vgem" :
						      exporters[e].name));
		PUT(o, "present", json_object_new_boolean(vgem ?
				cfg.vgem_fd >= 0 : exporters[e].present));
		PUT(o, "detail", json_object_new_string(vgem ? cfg.vgem_detail :
							exporters[e].detail));
	}

	list = json_object_new_array();
	PUT(doc, "series", list);
	for (i = 0; list && i < nr_series; i++) {
		const struct series *s = &all_series[i], *subj = subject_of(s);
		const struct target *t = target_of(s);
		double ratio = ratio_of(s, subj);
		unsigned int j;

		o = json_object_new_object();
		PUT(list, NULL, o);
		if (!o)
			break;
		PUT(o, "metric", json_object_new_string(s->metric));
		PUT(o, "exporter", json_object_new_string(s->exporter));
		PUT(o, "size", json_object_new_uint64(s->size));
		PUT(o, "procs", json_object_new_uint64(s->procs));
		PUT(o, "unit", json_object_new_string(s->unit));
		PUT(o, "better", json_object_new_string(
			s->better == LOWER_IS_BETTER ? "lower" : "higher"));
		PUT(o, "n", json_object_new_uint64(s->n));
		if (s->n) {
			PUT_NUM(o, "median", s->median);
			PUT_NUM(o, "p10", s->p10);
			PUT_NUM(o, "p25", s->p25);
			PUT_NUM(o, "p75", s->p75);
			PUT_NUM(o, "p90", s->p90);
			PUT_NUM(o, "min", s->min);
			PUT_NUM(o, "max", s->max);
		}
		if (subj && subj != s) {
			PUT_NUM(o, "ratio", ratio);
			PUT(o, "ratio_kind", json_object_new_string(
				metric_kind(s->metric) == COST ? "cost" :
								 "speedup"));
		}
		if (t) {
			PUT(o, "target", json_object_new_string(t->text));
			PUT_NUM(o, "target_limit", t->limit);
			if (isnan(ratio) || series_unstable(s) ||
			    (subj && series_unstable(subj)))
				put(o, "target_met", NULL, false, &ok);
			else
				PUT(o, "target_met", json_object_new_boolean(
					target_met(t, s, ratio)));
		}
		if (s->n)
			PUT(o, "unstable", json_object_new_boolean(
				series_unstable(s)));
		if (s->extra >= 0)
			PUT(o, s->extra_name, json_object_new_int64(s->extra));
		samples = json_object_new_array();
		PUT(o, "samples", samples);
		for (j = 0; samples && j < s->n; j++)
			PUT_NUM(samples, NULL, s->v[j]);
	}

	list = json_object_new_array();
	PUT(doc, "notes", list);
	for (i = 0; list && i < nr_notes; i++)
		PUT(list, NULL, json_object_new_string(notes[i]));

	text = ok ? json_object_to_json_string_ext(doc,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	ret = text && fprintf(out, "%s\n", text) >= 0 && !ferror(out) ? 0 : -1;
	json_object_put(doc);
	return ret;
}
