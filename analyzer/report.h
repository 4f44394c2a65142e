/* report.h - print an lc_result as text, JSON, SARIF 2.1.0, GitLab Code
 * Quality JSON or a Graphviz DOT graph.
 *
 * In:  an lc_result (from solve.c), the ruleset (for rule metadata), options.
 * Out: the whole report as one heap string (caller frees), so main.c can
 *      write it atomically (temp file + rename) and never leaves half a
 *      report behind.
 *
 * Paths: every file path is printed relative to opts->srcroot when it lies
 * below it; otherwise absolute only if opts->absolute_paths, else the path
 * is printed as given with a leading "<external>/" basename. The writers
 * never touch libclang or the graph.
 */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <stdbool.h>

#include "result.h"
#include "rules.h"

typedef enum lc_format {
	LC_FORMAT_TEXT = 0,
	LC_FORMAT_JSON,
	LC_FORMAT_SARIF,
	LC_FORMAT_CODEQUALITY, /* GitLab Code Quality (report_codequality.c) */
	LC_FORMAT_DOT,         /* Graphviz: the chains as a graph (report_dot.c) */
} lc_format;

typedef struct lc_report_opts {
	lc_format format;
	const char *srcroot;        /* absolute directory; paths are made relative to it */
	bool absolute_paths;        /* print absolute paths outside srcroot */
	bool color;                 /* text: ANSI colours */
	bool quiet;                 /* text: no summary line when clean */
	bool no_version;            /* omit the tool version (golden files) */
	bool no_timing;             /* omit timings (golden files) */
	const char *automation_id;  /* SARIF runAutomationDetails.id, or NULL */
} lc_report_opts;

/* Returns the report; never NULL. */
char *lc_report_render(const lc_result *r, const lc_ruleset *rs,
		       const lc_report_opts *opts);

/* Path of `file` as printed in reports (heap string). Exposed for tests. */
char *lc_report_path(const char *file, const lc_report_opts *opts);

#endif
