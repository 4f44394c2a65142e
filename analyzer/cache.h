/* cache.h - the per-TU summary cache: reuse a TU's facts when nothing it
 * read has changed, so a re-run on an unchanged tree parses nothing.
 *
 * Key. A TU's entry is found by a 128-bit hash of: the tool fingerprint (the
 * loopcheck version, the ELF build id of the running binary, the libclang
 * version and parse options given by the caller, the summary format), the
 * TU's main file, working directory and sanitized arguments, and the
 * environment variables that move include paths (CPATH, C_INCLUDE_PATH,
 * CPLUS_INCLUDE_PATH, OBJC_INCLUDE_PATH). The key does not depend on the
 * contents of any file: an edited TU keeps its entry, which is rewritten.
 *
 * Validity (ccache's direct mode, clangd's index shards). An entry holds
 * the TU's summary (summary.h), whose `files` are every file the TU read
 * (main file first, then headers) with their size and a content hash of
 * exactly the bytes libclang parsed, plus the size and mtime (ns) seen for
 * each. It is reused when every file still has that size and mtime (fast
 * path: one stat per distinct file per run), or, when they differ, the same
 * size and content hash (the stat info in the entry is then refreshed).
 * Otherwise the TU is parsed again and the entry rewritten.
 *
 * Racy files (as git's index): a file whose mtime is not at least two
 * seconds older than the start of the run that recorded it could change
 * again within the same timestamp tick, so it is recorded as racy and always
 * checked by content, until a later run refreshes it.
 *
 * Limits (documented in docs/performance.md): a header that starts to exist
 * earlier on the include path than the one used (shadowing) is not noticed,
 * as in ccache's direct mode; TUs that could not be parsed at all or miss an
 * included file ("'x.h' file not found") are never stored, since the file
 * may appear.
 *
 * Layout of DIR: DIR/CACHEDIR.TAG, DIR/.gitignore ("*"), and one directory
 * per tool fingerprint (16 hex digits) holding entries at FP/ab/abcd...(32
 * hex). Opening the cache keeps the four most recently used fingerprint
 * directories and deletes older ones, so rebuilding loopcheck does not grow
 * the cache without bound.
 *
 * Concurrency. Entries are written to a temporary file in the same
 * directory and renamed, so readers see a whole old entry or a whole new
 * one; concurrent runs sharing DIR at worst both write the same entry. A
 * corrupt, truncated or foreign entry (bad magic, checksum, key or summary)
 * is counted, treated as a miss and rewritten after parsing: never trusted.
 * All functions are thread-safe for one lc_cache.
 *
 * Ownership: lc_cache_close frees the cache; facts returned by
 * lc_cache_lookup belong to the caller (lc_facts_free).
 */
#ifndef LC_CACHE_H
#define LC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "compdb.h"
#include "facts.h"
#include "summary.h"

typedef struct lc_cache lc_cache;

typedef struct lc_cache_stats {
	size_t hits;         /* TUs whose facts came from the cache */
	size_t misses;       /* TUs looked up and not found or out of date */
	size_t stale;        /* of the misses: an entry existed, an input changed */
	size_t corrupt;      /* of the misses: unreadable, corrupt or foreign entry */
	size_t stored;       /* entries written after parsing */
	size_t refreshed;    /* hits whose stat info was rewritten */
	size_t uncacheable;  /* parsed TUs not stored (failed, missing header) */
	size_t write_errors; /* entries that could not be written */
	size_t files_stat;   /* distinct files stat'ed */
	size_t files_hashed; /* files read to compare content hashes */
} lc_cache_stats;

/* The default directory: ".loopcheck-cache" beside the compile database
 * when `compdb_path` (the -p argument: a directory or the JSON file) is
 * given, else $XDG_CACHE_HOME/loopcheck (absolute values only) or
 * ~/.cache/loopcheck. NULL when none can be named. Heap string. */
char *lc_cache_default_dir(const char *compdb_path);

/* Open DIR, creating it. `root` is the directory summary paths are made
 * relative to (summary.h); `extractor_id` names what produced the facts
 * (libclang version and parse options: lc_parse_extractor_id()). On error
 * returns NULL with a one-line heap message in *err. */
lc_cache *lc_cache_open(const char *dir, const char *root, const char *extractor_id,
			char **err);
void lc_cache_close(lc_cache *c);
const char *lc_cache_dir(const lc_cache *c);
void lc_cache_get_stats(const lc_cache *c, lc_cache_stats *out);

/* The facts of `tu` if a valid entry exists (caller owns them), else NULL.
 * *cost is set to the total input size recorded by any readable entry, even
 * an out-of-date one (0 if none), so the caller can parse big TUs first. */
lc_facts *lc_cache_lookup(lc_cache *c, const lc_tu_cmd *tu, uint64_t *cost);

/* Store the facts of `tu` just parsed. `digests` (parallel to f->files) are
 * the sizes and hashes of the bytes libclang parsed. Returns true when an
 * entry was written. */
bool lc_cache_store(lc_cache *c, const lc_tu_cmd *tu, const lc_facts *f,
		    const lc_file_digest *digests);

/* The same, with the TU's summary already encoded (one TU, its digests,
 * paths relative to lc_cache_root): saves encoding it twice. */
bool lc_cache_store_summary(lc_cache *c, const lc_tu_cmd *tu, const lc_facts *f,
			    const lc_file_digest *digests, const void *summary, size_t len);

/* The root summaries are encoded against (may be NULL). */
const char *lc_cache_root(const lc_cache *c);

/* Where the entry of `tu` lives (heap string); for tests and debugging. */
char *lc_cache_entry_path(const lc_cache *c, const lc_tu_cmd *tu);

#endif
