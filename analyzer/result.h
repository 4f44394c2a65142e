/* result.h - what the solver decided, in the shape the report writers print.
 *
 * The solver (solve.c) fills an lc_result; the writers (report_*.c) print it
 * and know nothing of libclang or graphs. File paths in an lc_result are as
 * the compiler saw them (absolute); writers make them relative to the source
 * root.
 *
 * Ownership: everything hangs off result->arena; lc_result_free frees it.
 */
#ifndef LC_RESULT_H
#define LC_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"
#include "rules.h"
#include "util.h"

typedef enum lc_step_kind {
	LC_STEP_REGISTRATION = 0, /* uv_timer_start(&t, on_tick, ...) in main */
	LC_STEP_CALLBACK,         /* the callback's definition: on_tick */
	LC_STEP_CALL,             /* a call on the way: on_tick -> load_config */
	LC_STEP_BLOCKING,         /* the finding itself: fopen(...) */
} lc_step_kind;

typedef struct lc_step {
	lc_step_kind kind;
	lc_loc loc;
	const char *function; /* function the step is in (registration: the registering function) */
	const char *callee;   /* what is called or registered at this step, NULL for CALLBACK */
	const char *message;  /* "on_tick calls load_config", one line */
} lc_step;

typedef struct lc_entry_info {
	const char *callback;     /* function name of the entry callback */
	const char *registrar;    /* library registrar: "uv_timer_start" (or a field key) */
	const char *via;          /* user wrapper called at the registration, or NULL */
	const char *kind;         /* "timer callback" */
	const char *profile;      /* "libuv" */
	const char *family;       /* "libuv" */
	lc_context context;       /* always LC_CTX_LOOP for findings */
	lc_loc registration;      /* where the callback was handed over */
	lc_loc definition;        /* where the callback is defined */
} lc_entry_info;

/* Where a finding stands against a --baseline (baseline.h). */
typedef enum lc_baseline_state {
	LC_BASELINE_NONE = 0,  /* no baseline was given */
	LC_BASELINE_NEW,       /* not in the baseline: reported */
	LC_BASELINE_UNCHANGED, /* in the baseline: kept in JSON/SARIF, not reported */
} lc_baseline_state;

typedef struct lc_finding {
	const char *rule;         /* "blocking/file-io" */
	lc_severity severity;
	const char *message;      /* full message; its first sentence stands alone */
	const char *summary;      /* short line for text output: "blocking file I/O
				   * 'fopen' on the libuv loop thread" */
	const char *category;     /* "file I/O" */
	const char *reason;       /* from the catalogue, may be NULL */
	const char *alternative;  /* from the catalogue, may be NULL */
	lc_loc loc;               /* the blocking call as the user sees it */
	unsigned end_column;      /* exclusive end column of the callee name, 0 if unknown */
	const char *function;     /* enclosing function name */
	const char *callee;       /* blocking function name */
	lc_entry_info entry;
	lc_step *chain;           /* registration, callback, calls..., blocking */
	size_t nchain;
	size_t entries_reaching;  /* how many loop entries reach this call */
	const char *fingerprint;  /* 16 hex digits, independent of line numbers */
	/* Filled by later stages (suppressions, baselines); false/NULL for now. */
	bool suppressed;
	const char *suppression_reason;
	lc_baseline_state baseline_state; /* set by lc_baseline_apply (baseline.h) */
} lc_finding;

typedef enum lc_error_kind {
	LC_ERR_PARTIAL = 0, /* parsed with errors; analysed as far as possible */
	LC_ERR_FAILED,      /* could not be parsed at all */
	LC_ERR_NOTICE,      /* something the user should know (a removed flag) */
} lc_error_kind;

typedef struct lc_error {
	lc_error_kind kind;
	const char *file;    /* may be NULL for notices */
	lc_loc loc;          /* first error's location, if any */
	const char *message;
	/* Notification id for machine formats ("loopcheck/unused-suppression"),
	 * or NULL for the default of the kind. */
	const char *id;
} lc_error;

typedef struct lc_stats {
	size_t tus, tus_partial, tus_failed;
	size_t functions, call_edges, entries_loop, entries_worker;
	double seconds_parse, seconds_link, seconds_solve, seconds_total;
	/* Performance (--stats; lc_parse_stats in parse.h has the details). */
	unsigned jobs;            /* parse worker threads */
	size_t tus_parsed;        /* parsed with libclang; the others came from the cache */
	size_t cache_hits, cache_misses;
	double seconds_parse_cpu; /* process CPU during the parse stage */
	double seconds_extract;   /* walking ASTs (thread CPU, summed) */
	double seconds_report;    /* rendering the report */
	/* External functions defined again in another TU (link.h): the first
	 * definition is analysed; JSON statistics since format 1.2. */
	size_t duplicate_definitions;
} lc_stats;

typedef struct lc_result {
	lc_arena *arena;
	LC_VEC(lc_finding) findings; /* sorted by file, line, column, rule */
	LC_VEC(lc_error) errors;
	lc_stats stats;
} lc_result;

lc_result *lc_result_new(void);
void lc_result_free(lc_result *r);
/* Sort findings by (file, line, column, rule, callee). */
void lc_result_sort(lc_result *r);

#endif
