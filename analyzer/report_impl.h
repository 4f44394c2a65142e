/* report_impl.h - what the report writers (report*.c) share; private to them
 * and to tests/unit/test_report.c.
 *
 * report.c holds the dispatch, path printing, a JSON pretty-printer and a
 * cache of source lines (for column conversion); report_text.c,
 * report_json.c and report_sarif.c each append one format to an lc_sb.
 * None of them touches libclang or the graph: they print an lc_result.
 */
#ifndef LC_REPORT_IMPL_H
#define LC_REPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "report.h"
#include "result.h"
#include "rules.h"
#include "util.h"

#ifndef LC_VERSION
#define LC_VERSION "0.0.0" /* CMake defines the real one */
#endif

/* Where the project lives; rules' helpUri is built from it. */
#define LC_INFORMATION_URI "https://github.com/loopcheck/loopcheck"
/* docs/json-format.md: bump the minor for added fields, the major for
 * removed or changed ones (and record it in the doc's "Version history").
 * 1.1: findings' "baseline". 1.2: statistics' "duplicate_definitions". */
#define LC_JSON_FORMAT_VERSION "1.2"
#define LC_SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"

/* GitHub code scanning limits (per run / per result); we truncate ourselves
 * and say so in a tool notification. */
#define LC_SARIF_MAX_RESULTS 5000
#define LC_SARIF_MAX_FLOW_LOCATIONS 1000
#define LC_SARIF_MAX_RELATED 100
#define LC_SARIF_MAX_TAGS 10

/* The writers. Each appends the whole report to `out`. */
void lc_report_text(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		    const lc_report_opts *opts);
void lc_report_json(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		    const lc_report_opts *opts);
void lc_report_sarif(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		     const lc_report_opts *opts);
/* GitLab Code Quality: unsuppressed findings not in the baseline. */
void lc_report_codequality(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
			   const lc_report_opts *opts);
/* Graphviz DOT: registrations, callbacks, calls and findings of the chains. */
void lc_report_dot(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		   const lc_report_opts *opts);

/* Print a cJSON tree with 2-space indentation (jq's layout: one member per
 * line, empty containers as {} and []), ending in a newline. Integral
 * numbers print without a fraction; NaN and infinities print as null. The
 * output depends only on the tree, so equal trees give equal bytes. */
void lc_json_print(lc_sb *out, const cJSON *root);

/* cJSON helpers that treat NULL as JSON null (used by JSON and SARIF). */
cJSON *lc_json_str_or_null(const char *s);
/* Add "key": s, or "key": null when s is NULL. */
void lc_json_add_str(cJSON *obj, const char *key, const char *s);

/* Is the printed path relative (to srcroot)? False for absolute paths
 * printed because of opts->absolute_paths. */
bool lc_report_path_is_relative(const char *printed);

/* Append `s` percent-encoded for a URI path: everything except RFC 3986
 * unreserved characters and '/' becomes %XX (UTF-8 bytes one by one). */
void lc_uri_encode_path(lc_sb *out, const char *s);

/* Source lines, read on demand, for converting libclang's byte columns.
 * A file that cannot be read is remembered as unreadable; its columns stay
 * in bytes. lc_linecache_free releases everything. */
typedef struct lc_linecache lc_linecache;
lc_linecache *lc_linecache_new(void);
void lc_linecache_free(lc_linecache *c);
/* The 1-based UTF-16 code-unit column of the 1-based byte column `col` on
 * `line` of `file` (exclusive end columns convert the same way). Returns
 * `col` unchanged when the file or line cannot be read or col is 0. Bytes
 * past the end of the line and bytes of invalid UTF-8 count one unit each;
 * characters outside the BMP count two. */
unsigned lc_linecache_utf16_col(lc_linecache *c, const char *file,
				unsigned line, unsigned col);

/* "blocking/file-io" -> "blocking-file-io" (heap string). */
char *lc_rule_id_dashed(const char *id);

#endif
