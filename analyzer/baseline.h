/* baseline.h - --baseline and --write-baseline: accept the findings a
 * project already has, report only new ones.
 *
 * In:  a loopcheck JSON report (--format json, or --write-baseline's output)
 *      or a SARIF file from loopcheck (partialFingerprints["loopcheck/v1"]).
 * Out: the set of fingerprints in it; lc_baseline_apply marks each finding
 *      of a result LC_BASELINE_UNCHANGED (its fingerprint is in the set) or
 *      LC_BASELINE_NEW. Writers then hide unchanged findings from text and
 *      Code Quality output and label them in JSON ("baseline") and SARIF
 *      (baselineState); main.c leaves them out of the exit status.
 *
 * Fingerprints (solve.c) name a finding by rule, function, callee, entry
 * callback and occurrence, never by line, so lines inserted above a finding
 * do not make it new. Findings marked suppressed in the baseline file (and
 * SARIF results with suppressions or baselineState "absent") are not taken:
 * removing a suppression comment brings its finding back.
 *
 * Ownership: lc_baseline_load returns a baseline that lc_baseline_free
 * frees; error strings are heap strings the caller frees.
 */
#ifndef LC_BASELINE_H
#define LC_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "result.h"
#include "rules.h"

typedef struct lc_baseline lc_baseline;

/* Read and parse the baseline file `path`. On failure returns NULL and sets
 * *err to one line "PATH:LINE:COL: what is wrong" (heap; main.c prints it
 * after "loopcheck: error: ", as it does for rules and config files). */
lc_baseline *lc_baseline_load(const char *path, char **err);

/* Parse `text` (len bytes) named `path` in messages. As lc_baseline_load. */
lc_baseline *lc_baseline_parse(const char *path, const char *text, size_t len, char **err);

void lc_baseline_free(lc_baseline *b);

/* How many distinct fingerprints the baseline holds. */
size_t lc_baseline_count(const lc_baseline *b);
bool lc_baseline_has(const lc_baseline *b, const char *fingerprint);

/* Set every finding's baseline_state; returns how many are unchanged. */
size_t lc_baseline_apply(const lc_baseline *b, lc_result *r);

/* The baseline --write-baseline writes: the JSON report (report_json.c) of
 * r's unsuppressed findings, without errors, statistics zeroed and no
 * version or timings, so that the file changes only when findings do.
 * Returns a heap string; *count gets the number of findings in it. */
char *lc_baseline_render(const lc_result *r, const lc_ruleset *rs, const lc_report_opts *opts,
			 size_t *count);

/* Render and write to `path` atomically. Returns 0, or -1 with *err set
 * (heap, one line). *count as for lc_baseline_render. */
int lc_baseline_write(const char *path, const lc_result *r, const lc_ruleset *rs,
		      const lc_report_opts *opts, size_t *count, char **err);

#endif
