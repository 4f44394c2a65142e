/* parse.h - the parse stage: compile database entries in, per-TU facts out.
 *
 * Each translation unit is parsed with libclang (KeepGoing), its facts are
 * extracted (extract.h) and copied out, and the TU is disposed at once, so
 * memory depends on the largest TU and the number of workers, not on the
 * number of TUs. Parsing runs on worker threads with large stacks (a deeply
 * nested expression overflows clang's parser on a default 8 MB stack), each
 * worker with its own CXIndex. Results come back in database order, so the
 * output is identical for every -j.
 */
#ifndef LC_PARSE_H
#define LC_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "compdb.h"
#include "facts.h"

typedef struct lc_parse_opts {
	unsigned jobs;   /* worker threads; 0 = online cores */
	bool progress;   /* "[12/345] src/foo.c" on stderr, one updating line */
} lc_parse_opts;

/* Parse every TU of `db`. Returns an array of db->ntus facts (caller frees
 * each with lc_facts_free, then the array with free). A TU that cannot be
 * parsed gets facts with failed=true and a diag saying why; never NULL. */
lc_facts **lc_parse_all(const lc_compdb *db, const lc_parse_opts *opts);

/* Parse one in-memory or on-disk file; for tests and the start-up
 * self-test. `contents` may be NULL to read `path` from disk. */
lc_facts *lc_parse_one(const char *path, const char *contents, const char *const *args,
		       size_t nargs);

#endif
