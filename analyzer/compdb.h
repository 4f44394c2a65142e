/* compdb.h - the compile database stage.
 *
 * In:  a compile_commands.json (both "arguments" and "command" forms), or a
 *      list of files plus the compiler arguments given after "--".
 * Out: a list of translation units, each with an absolute source path, the
 *      working directory, and arguments sanitized for libclang: argv[0] and
 *      launchers (ccache, sccache, distcc, icecc) dropped, "-c", "-o FILE",
 *      "-M*" dependency flags and the source file itself removed, plugin
 *      loading flags removed (and counted in `notices`), and
 *      "-working-directory DIR" added so relative -I paths resolve.
 *
 * The database is untrusted input: nothing here executes or loads anything
 * it names. Errors are reported as one line naming the file and, where known,
 * line, column and entry index.
 *
 * Ownership: lc_compdb_free releases everything reachable from the compdb.
 */
#ifndef LC_COMPDB_H
#define LC_COMPDB_H

#include <stddef.h>

typedef struct lc_tu_cmd {
	char *file;      /* absolute, normalized path of the source file */
	char *directory; /* absolute working directory of the entry */
	char **args;     /* sanitized arguments for clang_parseTranslationUnit2,
			  * NULL-terminated (args[nargs] == NULL) */
	size_t nargs;
	size_t index;    /* position of the entry in the database (0-based) */
} lc_tu_cmd;

typedef struct lc_compdb {
	lc_tu_cmd *tus;
	size_t ntus;
	/* Human-readable notices, e.g. "removed plugin flag '-fplugin=x.so'
	 * (entry 3, src/a.c)". Reported in the output's errors/notifications. */
	char **notices;
	size_t nnotices;
} lc_compdb;

/* Read DIR/compile_commands.json (or the file itself when `path` names a
 * file). On error returns NULL and stores a one-line message (heap string,
 * caller frees) in *err, e.g.
 *   "build/compile_commands.json:3:17: malformed JSON (entry 0)",
 *   "build/compile_commands.json: entry 2: missing \"directory\"". */
lc_compdb *lc_compdb_load(const char *path, char **err);

/* Build a database from FILE arguments and the arguments after "--";
 * relative files are resolved against cwd. Same sanitizing as above. */
lc_compdb *lc_compdb_from_args(char **files, size_t nfiles, char **args,
			       size_t nargs, char **err);

/* Keep only the entries whose file matches one of `files` (compared after
 * resolving to absolute normalized paths). Returns the number of files that
 * matched no entry and stores the first such name in *unmatched. */
size_t lc_compdb_restrict(lc_compdb *db, char **files, size_t nfiles,
			  const char **unmatched);

void lc_compdb_free(lc_compdb *db);

/* Free a NULL-terminated array of heap strings, as returned by
 * lc_shell_split and lc_sanitize_args (both also NULL-terminate theirs). */
void lc_argv_free(char **argv);

/* Split a "command" string like a POSIX shell does (quotes, backslashes; no
 * expansion of any kind). Returns a NULL-terminated heap array, *n set, or
 * NULL with *err on unbalanced quotes. Exposed for unit tests. */
char **lc_shell_split(const char *cmd, size_t *n, char **err);

/* Sanitize one raw argv (argv[0] included) for libclang. `file` is the
 * entry's absolute source path, `dir` its directory. Plugin flags removed are
 * appended to `notices` as heap strings. Exposed for unit tests. */
char **lc_sanitize_args(char **argv, size_t argc, const char *file, const char *dir,
			size_t *out_n, char ***notices, size_t *nnotices);

/* Normalize a path: make absolute against `base` (or cwd if NULL), collapse
 * "//", "/./" and "/../" lexically (no symlink resolution). Heap result. */
char *lc_path_normalize(const char *path, const char *base);

#endif
