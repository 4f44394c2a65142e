/* programs.h - several programs in one compile database: split the TUs
 * into programs before linking, merge the programs' results after solving.
 *
 * `bear -- make` and CMake give one compile database for a server, its
 * command-line tools and its tests. Linked as one program, a function
 * pointer slot would hold functions that only another program stores, and
 * two definitions of one external function (two `main`s, or one source
 * compiled twice with different -D for two binaries) would be one node.
 *
 * Split (facts in, programs out). Each TU that defines an external `main`
 * seeds a program. A program is the closure of its seed over references to
 * external symbols that other TUs define: calls, functions used as values,
 * variables referred to (facts.h: `uses`, and the calls, arguments and
 * stores). When several TUs define a symbol and none is in the program
 * yet, the choice waits until the TUs there is no choice about are in (one
 * may define the symbol); then the program takes the definer whose compile
 * arguments are most like the seed's (memcached and memcached-debug compile
 * the same sources with different -D), between equals the one defining
 * fewer external symbols (a stub rather than a module that drags in
 * another program), then the first in TU order. A TU that defines main is
 * never pulled into another seed's program: a binary has one main.
 *   - No TU defines main (a library, a Node addon): one program of every
 *     TU, exactly as if there were no split.
 *   - TUs that no main reaches (tests without a main, code registered only
 *     through linker tricks) form one further program, seeded by all of
 *     them and closed the same way, so nothing is silently left out.
 * Programs come in the order of their seeds in the TU array (which the
 * caller has put in the canonical order, scale.h), the further one last;
 * each lists its TUs in array order, so linking it is deterministic.
 *
 * Merge (results in, one result out). A finding that several programs
 * report (a call site in a TU they share: same rule, location and callee)
 * is kept once, from the first program (a key that one program reports
 * twice, two calls in one macro expansion, is kept as often as any one
 * program reports it). The per-TU errors are kept once
 * each; the graph statistics are summed over the programs, the TU counts
 * are those of the database. Findings are sorted again, and a fingerprint
 * that two different findings of two programs share is made distinct
 * (hashed again with its occurrence), so baselines can tell them apart.
 *
 * Ownership: lc_partition_free frees a partition; it borrows the facts.
 * After lc_programs_merge, `into` points into the strings of the merged
 * results (and of the programs and facts they point to): free them after
 * `into`.
 */
#ifndef LC_PROGRAMS_H
#define LC_PROGRAMS_H

#include <stddef.h>

#include "facts.h"
#include "result.h"

typedef enum lc_part_kind {
	LC_PART_WHOLE = 0, /* no TU defines main: every TU */
	LC_PART_MAIN,      /* the TUs one main reaches */
	LC_PART_REST,      /* the TUs no main reaches, and what they reach */
} lc_part_kind;

typedef struct lc_part {
	lc_part_kind kind;
	size_t seed;       /* MAIN: the TU defining main; REST: the first unreached TU */
	size_t *tus;       /* indices into the facts array, ascending */
	lc_facts **facts;  /* the same TUs (borrowed), ready for lc_link */
	size_t ntus;
	size_t nunreached; /* REST: how many of them no main reaches */
} lc_part;

typedef struct lc_partition {
	lc_part *parts;
	size_t nparts;     /* at least 1 */
	size_t nfacts;     /* TUs split */
} lc_partition;

/* Split `n` TUs (NULL entries allowed: they join no program) into programs. */
lc_partition *lc_partition_programs(lc_facts *const *facts, size_t n);
void lc_partition_free(lc_partition *p);

/* A line naming program `i` for --dump-callgraph: "program 1 of 3: main in
 * /src/server.c"; for a source built several times, which build: "main in
 * /src/d.c, build 2 of 2 (-DDEBUG)" with the arguments that another build
 * lacks; "program 3 of 3: 2 translation units that no main reaches (4 with
 * what they use)". Heap string. */
char *lc_part_describe(const lc_partition *p, size_t i, lc_facts *const *facts);

/* Add the findings, errors and statistics of `n` per-program results to
 * `into` (see above). `facts` are all the TUs, for the TU counts. */
void lc_programs_merge(lc_result *into, lc_result *const *results, size_t n,
		       lc_facts *const *facts, size_t nfacts);

#endif
