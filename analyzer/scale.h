/* scale.h - extract and link as separate steps, so that build systems and CI
 * shards can distribute the work (docs/scale.md).
 *
 *   loopcheck extract    compile database entries in, .lcsum summaries out:
 *                        parse and extract only, no rules, no configuration,
 *                        so editing either never invalidates a summary
 *   loopcheck link       summaries in, a report out: main.c runs the same
 *                        post-parse pipeline as the one-shot `loopcheck -p`
 *   loopcheck link --merge   summaries in, one summary out (tree reductions)
 *   loopcheck ninja-gen  a compile database in, a Ninja file out: one extract
 *                        edge per source file, one link edge for the SARIF
 *
 * Canonical order. Whatever order translation units arrive in (database
 * order, shards, merges, the order of SUMMARY arguments), lc_tu_order sorts
 * them before linking: by main file path, then, for a file compiled more
 * than once, by a hash of its facts. The one-shot run sorts the same way, so
 * every report is byte-identical however its summaries were produced.
 *
 * Summary files hold the lc_summary format (summary.h) with paths relative
 * to a root: extract's --root (default: the compile database's directory,
 * or the current directory without one), and link's --root (default: the
 * current directory; -p DIR names the compile database directory as
 * extract's default does). Give both the same root.
 *
 * Errors: a summary that cannot be read, is corrupt, truncated or of
 * another format version is one line naming the file, exit 2.
 *
 * Ownership: arrays returned here are the caller's; facts are freed with
 * lc_facts_free (their digests live in their arenas).
 */
#ifndef LC_SCALE_H
#define LC_SCALE_H

#include <stddef.h>

#include "facts.h"
#include "link.h"
#include "report.h"
#include "summary.h"

/* `loopcheck extract ...` and `loopcheck ninja-gen ...`: argv[0] is the
 * subcommand's name. Return the exit status. */
int lc_extract_main(int argc, char **argv);
int lc_ninja_gen_main(int argc, char **argv);

/* The translation units of summary files: each path a .lcsum file or a
 * directory (every *.lcsum below it, recursively), plus one path per line
 * of `list_file` ("-": standard input) when not NULL. Decoded against
 * `root` (absolute; NULL keeps relative paths), in canonical order.
 * Returns the facts (*n of them) and, when `digests` is not NULL, a
 * parallel array of their input digests. On error returns NULL with a
 * one-line heap message naming the file in *err. */
lc_facts **lc_summaries_load(char *const *paths, size_t npaths, const char *list_file,
			     const char *root, size_t *n, lc_file_digest ***digests, char **err);

/* `link --merge -o OUT SUMMARY...`: one summary holding every TU of the
 * inputs, in canonical order, with their paths kept exactly as stored
 * (relative ones stay relative). Written atomically, and only when its
 * bytes change (so Ninja's restat can stop there); `out` itself is not read
 * when it lies in an input directory. Returns the exit status after
 * printing any error. */
int lc_summaries_merge(char *const *paths, size_t npaths, const char *list_file,
		       const char *out);

/* Sort `n` TUs into the canonical order (see above). `digests` may be NULL,
 * else it is permuted along with the facts. */
void lc_tu_order(lc_facts **facts, lc_file_digest **digests, size_t n);

/* A notice naming the first few external functions defined in more than
 * one TU (the first definition in canonical order is analysed, the others
 * are counted as alternatives), or NULL when there are none. Paths are
 * printed as the report prints them. Heap string. */
char *lc_duplicates_notice(const lc_program *p, const lc_report_opts *opts);

#endif
