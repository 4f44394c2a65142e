/* solve.h - the solve stage: program graph and rules in, findings out.
 *
 * Entry points are the functions that reach a registrar's callback slot
 * (directly or through any depth of user wrappers, see link.h) or a callback
 * field named by a profile. Everything reachable by calls from a loop-thread
 * entry runs on the loop; a call there to a catalogued blocking function
 * whose argument conditions hold is a finding, reported once per call site
 * with the shortest chain from an entry (breadth-first, entries in source
 * order, so the chain is deterministic). Functions reachable only from
 * worker or thread entries, or from main, are not on the loop.
 */
#ifndef LC_SOLVE_H
#define LC_SOLVE_H

#include <stdio.h>

#include "link.h"
#include "result.h"
#include "rules.h"

typedef struct lc_solve_opts {
	unsigned nesting_limit;     /* callback/nesting: deepest allowed level (default 5) */
	unsigned hotspot_loop_depth; /* cpu/hotspot: data-bounded loops nested this deep (default 2) */
	/* Functions treated as non-blocking (globs on the name): never reported
	 * and never entered, e.g. a logging helper known to be fast. */
	const char *const *allow;
	size_t nallow;
} lc_solve_opts;

#define LC_SOLVE_OPTS_DEFAULT { 5, 2, NULL, 0 }

/* Add the findings and the per-TU errors of `p` to `r`. */
void lc_solve(const lc_program *p, const lc_ruleset *rs, const lc_solve_opts *opts,
	      lc_result *r);

/* Print the linked graph with its entry points, for --dump-callgraph. */
void lc_dump_callgraph(const lc_program *p, const lc_ruleset *rs, FILE *out);

#endif
