/* suppress.h - inline suppressions: `loopcheck-ignore` comments in the source.
 *
 * In:  an lc_result from the solver, and the files whose comments count.
 * Out: the findings those comments match are marked `suppressed` (with the
 *      comment's reason as `suppression_reason`); every suppression found,
 *      with how many findings it matched, for --report-unused-suppressions.
 *
 * The forms (docs/suppressions.md), each starting a `//` or block comment
 * (or a line inside a block comment; whitespace and '*', '/', '!', '<' may
 * come before it, prose may not):
 *
 *   loopcheck-ignore(RULES): reason            the finding on this line
 *   loopcheck-ignore-next-line(RULES): reason  the finding on the next line
 *   loopcheck-ignore-function(RULES): reason   on (or just above) a function's
 *                                              definition: every finding whose
 *                                              chain passes through it
 *
 * RULES is a comma-separated list of rule ids or globs with '*' and '?'
 * ("cpu/hot*"; a bare family "blocking" means every "blocking/" rule);
 * "(RULES)" may be left out to mean every rule. ": reason" is optional and kept as the justification.
 *
 * The comments are found by a small C lexer over the file's text (strings,
 * character literals, `//` and block comments, backslash-newline), so text
 * inside string literals never counts. This stage knows no libclang and no
 * graph: a function suppression names the function by the identifier
 * before '(' on its definition line, and matches chain steps by that name
 * and the file the step is in.
 *
 * Ownership: everything in an lc_suppress_stats hangs off its arena;
 * lc_suppress_stats_release frees it. Strings written into findings live in
 * the result's arena.
 */
#ifndef LC_SUPPRESS_H
#define LC_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"
#include "result.h"
#include "util.h"

typedef enum lc_suppress_kind {
	LC_SUPPRESS_LINE = 0,  /* loopcheck-ignore */
	LC_SUPPRESS_NEXT_LINE, /* loopcheck-ignore-next-line */
	LC_SUPPRESS_FUNCTION,  /* loopcheck-ignore-function */
} lc_suppress_kind;

typedef struct lc_suppression {
	lc_suppress_kind kind;
	const char *file;       /* normalized absolute path */
	unsigned line, column;  /* where "loopcheck-ignore" starts (1-based, bytes) */
	unsigned target_line;   /* LINE: its own line; NEXT_LINE: the line after the
				 * comment ends; FUNCTION: the definition line, 0 if
				 * no definition follows */
	const char *const *functions; /* FUNCTION: identifiers before '(' on the
				       * definition line ("f" in "void f(void)") */
	size_t nfunctions;
	const char *const *rules; /* patterns as written; nrules == 0: every rule */
	size_t nrules;
	const char *reason;     /* the text after ':', whitespace collapsed; NULL if none */
	const char *directive;  /* "loopcheck-ignore(blocking/sleep)", for messages */
	size_t uses;            /* findings it matched */
} lc_suppression;

/* A comment that looks like a suppression but is not one. */
typedef struct lc_suppress_problem {
	const char *file;
	unsigned line, column;
	const char *message; /* "unknown directive 'loopcheck-ignore-nextline'" */
} lc_suppress_problem;

typedef struct lc_suppress_stats {
	lc_arena *arena;
	LC_VEC(lc_suppression) suppressions; /* in the order found */
	LC_VEC(lc_suppress_problem) problems;
	size_t files_scanned;
	size_t files_unreadable; /* skipped silently: a vanished file has no comments */
	size_t suppressed;       /* findings newly marked suppressed */
} lc_suppress_stats;

void lc_suppress_stats_init(lc_suppress_stats *st);
void lc_suppress_stats_release(lc_suppress_stats *st);

/* Lex `text` (len bytes, need not be NUL-terminated) of `file` and append
 * its suppressions and problems to `st`. `file` is stored normalized. */
void lc_suppress_scan(lc_suppress_stats *st, const char *file, const char *text, size_t len);

/* Mark the findings of `r` that st's suppressions match (already suppressed
 * ones are left as they are but still count as uses). Returns how many
 * findings were newly suppressed. */
size_t lc_suppress_match(lc_suppress_stats *st, lc_result *r);

/* Does the rule pattern (as written in a suppression) match `rule`? */
bool lc_suppress_rule_matches(const char *pattern, const char *rule);

/* The whole stage: scan every file of `files` and every file a finding of
 * `r` mentions (its location, its chain's steps, its callback's
 * definition), each once, then lc_suppress_match. `out` must have been
 * initialised; it receives the suppressions and problems. */
void lc_suppress_apply(lc_result *r, const char *const *files, size_t nfiles,
		       lc_suppress_stats *out);

/* How many suppressions matched nothing. */
size_t lc_suppress_unused_count(const lc_suppress_stats *st);

/* Tell the user about malformed suppressions and (when `unused`) the unused
 * ones: one compiler-style line each on `err`,
 *   src/a.c:12:5: warning: unused loopcheck suppression
 *       'loopcheck-ignore(blocking/sleep)' [loopcheck/unused-suppression]
 * (one line), paths printed as the report prints them; when `r` is not NULL
 * they are also added to r->errors as notices (ids
 * "loopcheck/unused-suppression" and "loopcheck/invalid-suppression") so
 * that JSON and SARIF carry them. */
void lc_suppress_report(const lc_suppress_stats *st, bool unused, const lc_report_opts *opts,
			FILE *err, lc_result *r);

#endif
