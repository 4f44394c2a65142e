/* filter.h - the changed-files filter (pre-commit mode).
 *
 * In:  the FILE arguments given together with -p (the files a commit
 *      touches), and the findings of the whole program.
 * Out: the findings located in one of those files, or whose chain
 *      (registration, callback, calls, blocking call) passes through one.
 *
 * The whole compile database is still analysed: a blocking call in an
 * unchanged file reached from a callback registered in a changed file is
 * reported. A FILE need not be in the compile database (a header is fine)
 * but must exist; a directory stands for every file below it.
 *
 * Paths are compared after lc_path_normalize (lexically), and, failing
 * that, after resolving symbolic links, so "src/../src/a.c" and a path
 * through a symlinked directory both match.
 *
 * Ownership: lc_filter_free releases the filter and its copies of the paths.
 */
#ifndef LC_FILTER_H
#define LC_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

typedef struct lc_filter lc_filter;

/* Paths relative to `cwd` (absolute). NULL with a one-line heap message in
 * *err ("src/nope.c: No such file or directory") if one does not exist. */
lc_filter *lc_filter_new(char *const *files, size_t nfiles, const char *cwd, char **err);

/* Is `path` (absolute, as the compiler saw it) one of the files, or below
 * one of the directories? */
bool lc_filter_matches(lc_filter *f, const char *path);

/* Is the finding located in, or does its chain pass through, one of them? */
bool lc_filter_keeps(lc_filter *f, const lc_finding *fd);

/* Drop the findings that lc_filter_keeps rejects (order is kept). */
void lc_filter_apply(lc_filter *f, lc_result *r);

void lc_filter_free(lc_filter *f);

#endif
