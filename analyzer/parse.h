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

#include <clang-c/Index.h>
#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "compdb.h"
#include "facts.h"

/* Where the parse stage spent its time. CPU figures are per-thread CPU
 * summed over the workers, so they can exceed the wall time. */
typedef struct lc_parse_stats {
	unsigned jobs;        /* worker threads used */
	size_t tus;           /* TUs in the database */
	size_t parsed;        /* TUs parsed with libclang (the rest came from the cache) */
	double wall_lookup;   /* phase 1: cache lookups, all TUs */
	double wall_parse;    /* phase 2: parsing the TUs the cache did not have */
	double cpu_process;   /* process CPU (user + system) during lc_parse_all */
	double cpu_parse;     /* in clang_parseTranslationUnit2 */
	double cpu_extract;   /* in lc_extract */
	double cpu_digest;    /* hashing the inputs libclang parsed, for the cache */
	double cpu_lookup;    /* reading, checking and decoding cache entries */
	double cpu_store;     /* encoding summaries, writing cache entries */
	bool cache_used;
	lc_cache_stats cache; /* when cache_used */
} lc_parse_stats;

typedef struct lc_parse_opts {
	unsigned jobs;   /* worker threads; 0 = online cores */
	bool progress;   /* "[12/345] src/foo.c" on stderr, one updating line */
	lc_cache *cache; /* look TUs up before parsing, store them after; NULL: none */
	/* Parse in worker processes (isolate.h), so that a TU that crashes or
	 * hangs the parser is reported as failed instead of killing the run. */
	bool isolate;
	double tu_timeout; /* seconds per TU with isolate; <= 0: none */
	lc_parse_stats *stats; /* filled when not NULL */
} lc_parse_opts;

/* Parse every TU of `db`. With a cache, every TU is first looked up (in
 * parallel); the misses are then parsed biggest first (input sizes recorded
 * by out-of-date entries), and stored. The result is in database order
 * whatever the order of work, so the output is identical for every -j.
 * Returns an array of db->ntus facts (caller frees each with lc_facts_free,
 * then the array with free). A TU that cannot be
 * parsed gets facts with failed=true and a diag saying why; never NULL. */
lc_facts **lc_parse_all(const lc_compdb *db, const lc_parse_opts *opts);

/* Parse one in-memory or on-disk file; for tests and the start-up
 * self-test. `contents` may be NULL to read `path` from disk. */
lc_facts *lc_parse_one(const char *path, const char *contents, const char *const *args,
		       size_t nargs);

/* What produced the facts, for cache keys: the libclang version and the
 * parse options. Static string. */
const char *lc_parse_extractor_id(void);

/* Parse one TU exactly as loopcheck does (options and the arguments it
 * adds); the benchmark's parse floor calls it too. `contents` may be NULL
 * to read `path` from disk. */
enum CXErrorCode lc_parse_tu(CXIndex index, const char *path, const char *contents,
			     const char *const *args, size_t nargs, CXTranslationUnit *tu);

#endif
