/* compdb.c - compile databases and argument sanitizing (see compdb.h).
 *
 * A compile_commands.json comes from the project under analysis, and in CI
 * that project may be a pull request: every string in it is hostile. So
 * nothing here runs, loads or expands anything it reads (no shell, no
 * response files, no plugins); paths are only compared lexically. What is
 * left for libclang is a flag list that can at worst fail to parse.
 */
#define _GNU_SOURCE
#include "compdb.h"
#include "util.h"

#include <cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef LC_VEC(char *) strvec;

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

void lc_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

/* ---- paths ------------------------------------------------------------- */

static char *get_cwd(void)
{
	size_t cap = 256;
	for (;;) {
		char *buf = lc_xmalloc(cap);
		if (getcwd(buf, cap))
			return buf;
		free(buf);
		if (errno != ERANGE)
			lc_die("cannot determine the current directory: %s", strerror(errno));
		cap *= 2;
	}
}

char *lc_path_normalize(const char *path, const char *base)
{
	lc_sb full, out;
	lc_sb_init(&full);
	if (path[0] != '/') {
		char *b;
		if (!base)
			b = get_cwd();
		else if (base[0] != '/')
			b = lc_path_normalize(base, NULL);
		else
			b = lc_xstrdup(base);
		lc_sb_add(&full, b);
		lc_sb_addc(&full, '/');
		free(b);
	}
	lc_sb_add(&full, path);

	/* Components are kept as offsets into `out`, so ".." can truncate
	 * back to where the previous component started. */
	LC_VEC(size_t) starts = {0};
	lc_sb_init(&out);
	const char *p = full.buf;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* "/.." is "/": a lexical walk cannot go higher. */
			if (starts.len) {
				out.len = starts.ptr[--starts.len];
				out.buf[out.len] = '\0';
			}
		} else {
			lc_vec_push(&starts, out.len);
			lc_sb_addc(&out, '/');
			lc_sb_addn(&out, p, n);
		}
		p = e;
	}
	if (out.len == 0)
		lc_sb_addc(&out, '/');
	lc_vec_free(&starts);
	lc_sb_release(&full);
	return lc_sb_detach(&out);
}

/* Directory part of an absolute normalized path ("/" for "/x"). */
static char *path_dirname(const char *abs)
{
	const char *slash = strrchr(abs, '/');
	if (!slash || slash == abs)
		return lc_xstrdup("/");
	return lc_xstrndup(abs, (size_t)(slash - abs));
}

/* ---- shell splitting --------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Only the quoting half of a POSIX shell: words, '...', "...", and
 * backslashes. `$`, backquotes, globs, `~`, `;` and redirections stay plain
 * characters, because expanding any of them would mean trusting the
 * database. */
char **lc_shell_split(const char *cmd, size_t *n, char **err)
{
	strvec words = {0};
	lc_sb w;
	bool inword = false;
	const char *p = cmd;

	*n = 0;
	*err = NULL;
	lc_sb_init(&w);
	while (*p) {
		char c = *p;
		if (is_blank(c)) {
			if (inword) {
				lc_vec_push(&words, lc_xstrndup(w.buf, w.len));
				w.len = 0;
				w.buf[0] = '\0';
				inword = false;
			}
			p++;
			continue;
		}
		if (c == '\\' && p[1] == '\n') {
			/* Line continuation: vanishes, does not start a word. */
			p += 2;
			continue;
		}
		inword = true;
		if (c == '\\') {
			/* A trailing lone backslash has nothing to quote: keep it. */
			if (p[1] == '\0') {
				lc_sb_addc(&w, '\\');
				p++;
			} else {
				lc_sb_addc(&w, p[1]);
				p += 2;
			}
		} else if (c == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (!q) {
				*err = lc_xasprintf("unbalanced single quote at column %zu",
						    (size_t)(p - cmd) + 1);
				goto fail;
			}
			lc_sb_addn(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (c == '"') {
			const char *open = p++;
			for (;;) {
				if (*p == '\0') {
					*err = lc_xasprintf("unbalanced double quote at column %zu",
							    (size_t)(open - cmd) + 1);
					goto fail;
				}
				if (*p == '"') {
					p++;
					break;
				}
				/* Inside "...", backslash quotes only these. */
				if (*p == '\\' && p[1] != '\0' && strchr("\"\\$`\n", p[1])) {
					if (p[1] != '\n')
						lc_sb_addc(&w, p[1]);
					p += 2;
					continue;
				}
				lc_sb_addc(&w, *p++);
			}
		} else {
			lc_sb_addc(&w, c);
			p++;
		}
	}
	if (inword)
		lc_vec_push(&words, lc_xstrndup(w.buf, w.len));
	lc_sb_release(&w);
	*n = words.len;
	lc_vec_push(&words, NULL);
	return words.ptr;

fail:
	lc_sb_release(&w);
	for (size_t i = 0; i < words.len; i++)
		free(words.ptr[i]);
	lc_vec_free(&words);
	return NULL;
}

/* ---- sanitizing -------------------------------------------------------- */

/* Launchers run the compiler named by the next word. */
static const char *const launchers[] = { "ccache", "sccache", "distcc", "icecc", NULL };

/* Dropped alone. -c and the dependency-file flags ask for output we do not
 * want written; "--" only separates flags from inputs, and the input is
 * passed separately; -Wfatal-errors would stop a KeepGoing parse at the
 * first error. The long forms are gcc's spellings of -M, -MM, -MD, -MMD, -MG. */
static const char *const drop_alone[] = {
	"-c", "-M", "-MM", "-MD", "-MMD", "-MG", "-MP", "--",
	"--dependencies", "--user-dependencies", "--write-dependencies",
	"--write-user-dependencies", "--print-missing-file-dependencies",
	"-Wfatal-errors", NULL,
};

/* Dropped with their value, joined ("-MFx") or separate ("-MF x"). -MJ
 * writes a compile database fragment; --serialize-diagnostics a file. */
static const char *const drop_with_value[] = {
	"-o", "-MF", "-MT", "-MQ", "-MJ", "--serialize-diagnostics", NULL,
};

/* Flags whose value is the next word: kept as a pair, so that the value is
 * never mistaken for the source file or a flag, and dropped when dangling
 * at the end. */
static const char *const keep_with_value[] = {
	"-I", "-D", "-U", "-F", "-L", "-x", "-include", "-imacros", "-isystem",
	"-iquote", "-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore",
	"-isysroot", "--sysroot", "-target", "-arch", "-Xpreprocessor",
	"-Xassembler", "-Xlinker", "-mllvm", "-resource-dir",
	"-ivfsoverlay", "-include-pch", "-gcc-toolchain", NULL,
};

/* Flags whose value is a path, joined ("-Iinc") or separate ("-I inc").
 * Relative values are made absolute against the entry's directory: libclang
 * implements -working-directory by changing the whole process's current
 * directory, which parallel parsing cannot share. */
static const char *const path_flags[] = {
	"-I", "-F", "-include", "-imacros", "-isystem", "-iquote", "-idirafter",
	"-isysroot", "--sysroot=", "--sysroot", "-ivfsoverlay", "-include-pch", "-iprefix",
	"-resource-dir", NULL,
};

static char *absolute_value(const char *value, const char *dir)
{
	/* "=dir" is relative to the sysroot, "$SYSROOT" likewise: leave them. */
	if (value[0] == '/' || value[0] == '=' || value[0] == '$' || value[0] == '\0')
		return lc_xstrdup(value);
	return lc_path_normalize(value, dir);
}

/* The flag with its path value made absolute (heap), or NULL if `a` is not
 * a joined path flag. */
static char *absolute_joined(const char *a, const char *dir)
{
	for (const char *const *f = path_flags; *f; f++) {
		size_t n = strlen(*f);
		if (strncmp(a, *f, n) != 0 || a[n] == '\0')
			continue;
		/* "-include" is not "-I" + "nclude": prefer the longest flag. */
		bool longer = false;
		for (const char *const *g = path_flags; *g && !longer; g++)
			longer = strlen(*g) > n && starts_with(a, *g);
		if (longer)
			continue;
		char *v = absolute_value(a + n, dir);
		char *r = lc_xasprintf("%s%s", *f, v);
		free(v);
		return r;
	}
	return NULL;
}

enum plugin_kind {
	NOT_PLUGIN,
	PLUGIN_JOINED,   /* the value is in the same word: -fplugin=x.so */
	PLUGIN_SEPARATE, /* cc1 flags, value in the next (-Xclang'd) word */
};

static enum plugin_kind plugin_flag(const char *a)
{
	/* -fplugin=, -fplugin-arg-NAME-K=V, -fpass-plugin= and any other
	 * spelling a future driver may accept. */
	if (starts_with(a, "-fplugin") || starts_with(a, "-fpass-plugin"))
		return PLUGIN_JOINED;
	if (strcmp(a, "-load") == 0 || strcmp(a, "-plugin") == 0 ||
	    strcmp(a, "-add-plugin") == 0 || starts_with(a, "-plugin-arg-"))
		return PLUGIN_SEPARATE;
	return NOT_PLUGIN;
}

static bool is_launcher(const char *arg)
{
	const char *slash = strrchr(arg, '/');
	return in_list(slash ? slash + 1 : arg, launchers);
}

/* "VAR=value gcc ...": a shell would set a variable, not run VAR=value. */
static bool is_assignment(const char *arg)
{
	const char *p = arg;
	if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return false;
	while (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       (*p >= '0' && *p <= '9'))
		p++;
	return *p == '=';
}

/* Index of the first flag after the compiler and any launchers in front of
 * it ("ccache distcc gcc -O2" -> the "-O2"). */
static size_t skip_compiler(char **argv, size_t argc)
{
	size_t i = 0;
	while (i < argc && is_assignment(argv[i]))
		i++;
	while (i < argc) {
		bool launcher = is_launcher(argv[i]);
		i++;
		if (!launcher)
			break;
	}
	return i;
}

/* Takes `msg`. Control characters are escaped because notices quote
 * database strings, and a newline in one could fake a line of our output. */
static void add_notice(char ***notices, size_t *nnotices, char *msg)
{
	lc_sb sb;
	lc_sb_init(&sb);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			lc_sb_addf(&sb, "\\x%02x", *p);
		else
			lc_sb_addc(&sb, (char)*p);
	}
	free(msg);
	*notices = lc_xrealloc(*notices, (*nnotices + 1) * sizeof(**notices));
	(*notices)[(*nnotices)++] = lc_sb_detach(&sb);
}

/* Appends the value of a separate plugin flag to `sb` and returns the index
 * after it: "-Xclang VALUE" (the canonical form), a bare VALUE, or nothing. */
static size_t take_plugin_value(char **argv, size_t argc, size_t j, lc_sb *sb)
{
	if (j < argc && (strcmp(argv[j], "-Xclang") == 0 || strcmp(argv[j], "-Xpreprocessor") == 0 ||
			 strcmp(argv[j], "-Xanalyzer") == 0)) {
		lc_sb_addf(sb, " %s", argv[j]);
		if (++j < argc) {
			lc_sb_addf(sb, " %s", argv[j]);
			j++;
		}
	} else if (j < argc && argv[j][0] != '-') {
		lc_sb_addf(sb, " %s", argv[j]);
		j++;
	}
	return j;
}

/* How many words starting at `a` are dropped without notice: 0 (keep), 1
 * or 2 (a flag and its separate value). */
static size_t dropped_words(const char *a, const char *next)
{
	/* -Werror* would turn the project's warnings into errors and make
	 * clean TUs look broken; -save-temps makes the driver plan more than
	 * the one job libclang accepts; -Wp,-MD,x is the kernel's -MD. */
	/* -fbracket-depth raises clang's nesting limit: a database could use it
	 * to let a crafted file overflow the parser's stack. */
	if (in_list(a, drop_alone) || starts_with(a, "-Werror") ||
	    starts_with(a, "-save-temps") || starts_with(a, "-Wp,-M") ||
	    starts_with(a, "-fbracket-depth"))
		return 1;
	for (const char *const *d = drop_with_value; *d; d++) {
		if (strcmp(a, *d) == 0)
			return next ? 2 : 1;
		/* "-ofile" is -o, but -objcmt-* and -object are not. */
		if (starts_with(a, *d) && (strcmp(*d, "-o") != 0 || !starts_with(a, "-obj")))
			return 1;
	}
	return 0;
}

/* If argv[i] starts a plugin flag ("-fplugin=x", "-Xclang -load -Xclang
 * x"), records a notice ending in `ctx` and returns the number of words it
 * spans; otherwise returns 0. */
static size_t remove_plugin(char **argv, size_t argc, size_t i, const char *ctx,
			    char ***notices, size_t *nnotices)
{
	const char *a = argv[i];
	const char *next = i + 1 < argc ? argv[i + 1] : NULL;
	enum plugin_kind pk = plugin_flag(a);
	size_t j = i + 1;
	lc_sb sb;

	bool forwarded = strcmp(a, "-Xclang") == 0 || strcmp(a, "-Xpreprocessor") == 0 ||
			 strcmp(a, "-Xanalyzer") == 0;
	/* -Wp,-load,x.so hands "-load x.so" to the preprocessor stage. */
	bool wp = starts_with(a, "-Wp,") && (strstr(a, ",-load") || strstr(a, ",-plugin") ||
					    strstr(a, ",-add-plugin") || strstr(a, ",-fplugin") ||
					    strstr(a, ",-fpass-plugin"));
	if (pk == NOT_PLUGIN && !wp &&
	    !(forwarded && next && (pk = plugin_flag(next)) != NOT_PLUGIN))
		return 0;
	lc_sb_init(&sb);
	lc_sb_add(&sb, a);
	if (forwarded && !wp) {
		lc_sb_addf(&sb, " %s", next);
		j++;
	}
	if (wp)
		pk = NOT_PLUGIN; /* the value is inside the word */
	if (pk == PLUGIN_SEPARATE)
		j = take_plugin_value(argv, argc, j, &sb);
	add_notice(notices, nnotices, lc_xasprintf("removed plugin flag '%s' (%s)", sb.buf, ctx));
	lc_sb_release(&sb);
	return j - i;
}

/* The worker behind lc_sanitize_args. `has_argv0` is false for arguments
 * given after "--" on our own command line; `ctx` ends each notice, e.g.
 * "entry 3, src/a.c". */
static char **sanitize(char **argv, size_t argc, bool has_argv0, const char *file,
		       const char *dir, const char *ctx, size_t *out_n,
		       char ***notices, size_t *nnotices)
{
	strvec out = {0};
	char *src = lc_path_normalize(file, dir);
	size_t i = has_argv0 ? skip_compiler(argv, argc) : 0;
	/* A -working-directory in the database moves what relative paths mean;
	 * it is applied here and not passed on (see path_flags). */
	const char *wd = dir;
	for (size_t k = i; k + 1 < argc; k++)
		if (strcmp(argv[k], "-working-directory") == 0)
			wd = argv[k + 1];
	char *wd_abs = lc_path_normalize(wd, dir);
	dir = wd_abs;

	while (i < argc) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		size_t skip;

		if (a[0] == '@') {
			/* Reading it would mean following a path from the
			 * database, and its contents are more untrusted flags. */
			add_notice(notices, nnotices,
				   lc_xasprintf("response file '%s' not expanded (%s)", a, ctx));
			i++;
			continue;
		}
		if ((skip = dropped_words(a, next)) ||
		    (skip = remove_plugin(argv, argc, i, ctx, notices, nnotices))) {
			i += skip;
			continue;
		}
		if (strcmp(a, "-working-directory") == 0) {
			i += next ? 2 : 1;
			continue;
		}
		if (strcmp(a, "-Xclang") == 0 || in_list(a, keep_with_value)) {
			if (next) {
				lc_vec_push(&out, lc_xstrdup(a));
				lc_vec_push(&out, in_list(a, path_flags) ? absolute_value(next, dir)
									 : lc_xstrdup(next));
				i += 2;
			} else {
				i++;
			}
			continue;
		}
		char *joined = a[0] == '-' ? absolute_joined(a, dir) : NULL;
		if (joined) {
			lc_vec_push(&out, joined);
			i++;
			continue;
		}
		if (a[0] != '-') {
			/* libclang gets the source separately; a second copy in
			 * the arguments makes it fail with no diagnostic. */
			char *abs = lc_path_normalize(a, dir);
			bool same = strcmp(abs, src) == 0;
			free(abs);
			if (same) {
				i++;
				continue;
			}
		}
		lc_vec_push(&out, lc_xstrdup(a));
		i++;
	}
	*out_n = out.len;
	lc_vec_push(&out, NULL);
	free(src);
	free(wd_abs);
	return out.ptr;
}

char **lc_sanitize_args(char **argv, size_t argc, const char *file, const char *dir,
			size_t *out_n, char ***notices, size_t *nnotices)
{
	return sanitize(argv, argc, true, file, dir, file, out_n, notices, nnotices);
}

/* ---- databases --------------------------------------------------------- */

static void tu_release(lc_tu_cmd *tu)
{
	free(tu->file);
	free(tu->directory);
	lc_argv_free(tu->args);
}

void lc_compdb_free(lc_compdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->ntus; i++)
		tu_release(&db->tus[i]);
	free(db->tus);
	for (size_t i = 0; i < db->nnotices; i++)
		free(db->notices[i]);
	free(db->notices);
	free(db);
}

static void db_push(lc_compdb *db, size_t *cap, lc_tu_cmd tu)
{
	if (db->ntus == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		db->tus = lc_xrealloc(db->tus, *cap * sizeof(*db->tus));
	}
	db->tus[db->ntus++] = tu;
}

/* 1-based line and byte column of offset `pos` in `buf`. */
static void line_col(const char *buf, size_t pos, size_t *line, size_t *col)
{
	size_t bol = 0;
	*line = 1;
	for (size_t i = 0; i < pos; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	}
	*col = pos - bol + 1;
}

/* Which top-level array element offset `pos` falls in, or -1. cJSON only
 * reports a position, so this is a light scan of strings, nesting and
 * commas; good enough to point a user at the entry they broke. */
static long entry_at(const char *buf, size_t pos)
{
	size_t i = 0;
	int depth = 0;
	long entry = 0;
	bool instr = false;

	if (strncmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (is_blank(buf[i]))
		i++;
	if (buf[i] != '[')
		return -1;
	for (; i < pos && buf[i]; i++) {
		char c = buf[i];
		if (instr) {
			if (c == '\\' && buf[i + 1])
				i++;
			else if (c == '"')
				instr = false;
			continue;
		}
		if (c == '"')
			instr = true;
		else if (c == '[' || c == '{')
			depth++;
		else if (c == ']' || c == '}')
			depth--;
		else if (c == ',' && depth == 1)
			entry++;
	}
	return depth >= 1 ? entry : -1;
}

static char *syntax_error(const char *name, const char *buf, size_t len, size_t pos,
			  const char *what)
{
	size_t line, col;
	long entry = entry_at(buf, pos);
	lc_sb sb;

	line_col(buf, pos, &line, &col);
	lc_sb_init(&sb);
	lc_sb_addf(&sb, "%s:%zu:%zu: %s", name, line, col, what);
	if (pos >= len)
		lc_sb_add(&sb, ": unexpected end of file");
	if (entry >= 0)
		lc_sb_addf(&sb, " (entry %ld)", entry);
	return lc_sb_detach(&sb);
}

/* A required, non-empty string member, or NULL with *err set. */
static const char *get_string(const cJSON *entry, const char *key, const char *name,
			      size_t idx, char **err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, key);
	if (!v)
		*err = lc_xasprintf("%s: entry %zu: missing \"%s\"", name, idx, key);
	else if (!cJSON_IsString(v) || !v->valuestring)
		*err = lc_xasprintf("%s: entry %zu: \"%s\" is not a string", name, idx, key);
	else if (!v->valuestring[0])
		*err = lc_xasprintf("%s: entry %zu: \"%s\" is empty", name, idx, key);
	else
		return v->valuestring;
	return NULL;
}

/* The raw argv of one entry: "arguments" when present (clang's reader
 * prefers it too), else "command" split like a shell would. */
static char **entry_argv(const cJSON *entry, const char *name, size_t idx, size_t *argc,
			 char **err)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(entry, "arguments");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(entry, "command");

	if (args) {
		if (!cJSON_IsArray(args)) {
			*err = lc_xasprintf("%s: entry %zu: \"arguments\" is not an array",
					    name, idx);
			return NULL;
		}
		strvec v = {0};
		size_t k = 0;
		const cJSON *a;
		cJSON_ArrayForEach(a, args) {
			if (!cJSON_IsString(a) || !a->valuestring) {
				*err = lc_xasprintf("%s: entry %zu: \"arguments\"[%zu] is not a string",
						    name, idx, k);
				lc_vec_push(&v, NULL);
				lc_argv_free(v.ptr);
				return NULL;
			}
			lc_vec_push(&v, lc_xstrdup(a->valuestring));
			k++;
		}
		*argc = v.len;
		lc_vec_push(&v, NULL);
		if (*argc == 0) {
			*err = lc_xasprintf("%s: entry %zu: \"arguments\" is empty", name, idx);
			lc_argv_free(v.ptr);
			return NULL;
		}
		return v.ptr;
	}
	if (cmd) {
		char *serr;
		char **v;
		if (!cJSON_IsString(cmd) || !cmd->valuestring) {
			*err = lc_xasprintf("%s: entry %zu: \"command\" is not a string", name, idx);
			return NULL;
		}
		v = lc_shell_split(cmd->valuestring, argc, &serr);
		if (!v) {
			*err = lc_xasprintf("%s: entry %zu: \"command\": %s", name, idx, serr);
			free(serr);
			return NULL;
		}
		if (*argc == 0) {
			*err = lc_xasprintf("%s: entry %zu: \"command\" is empty", name, idx);
			lc_argv_free(v);
			return NULL;
		}
		return v;
	}
	*err = lc_xasprintf("%s: entry %zu: neither \"arguments\" nor \"command\"", name, idx);
	return NULL;
}

/* Builds the database from the parsed JSON, or NULL with *err set. */
static lc_compdb *from_json(const cJSON *root, const char *name, const char *dbdir,
			    char **err)
{
	lc_compdb *db = lc_xcalloc(1, sizeof(*db));
	size_t cap = 0, idx = 0;
	const cJSON *e;

	if (!cJSON_IsArray(root)) {
		*err = lc_xasprintf("%s: top level is not an array", name);
		goto fail;
	}
	/* An entry per translation unit, not a file per translation unit:
	 * libuv and shadowsocks-libev compile some files twice with different
	 * -D flags, and each build sees different code. Copies share `file`
	 * and differ in `index`. */
	cJSON_ArrayForEach(e, root) {
		const char *dir, *file;
		char **argv;
		size_t argc;
		lc_tu_cmd tu = { .index = idx };
		char *ctx;

		if (!cJSON_IsObject(e)) {
			*err = lc_xasprintf("%s: entry %zu: not an object", name, idx);
			goto fail;
		}
		if (!(dir = get_string(e, "directory", name, idx, err)) ||
		    !(file = get_string(e, "file", name, idx, err)) ||
		    !(argv = entry_argv(e, name, idx, &argc, err)))
			goto fail;
		tu.directory = lc_path_normalize(dir, dbdir);
		tu.file = lc_path_normalize(file, tu.directory);
		ctx = lc_xasprintf("entry %zu, %s", idx, file);
		tu.args = sanitize(argv, argc, true, tu.file, tu.directory, ctx, &tu.nargs,
				   &db->notices, &db->nnotices);
		free(ctx);
		lc_argv_free(argv);
		db_push(db, &cap, tu);
		idx++;
	}
	return db;

fail:
	lc_compdb_free(db);
	return NULL;
}

lc_compdb *lc_compdb_load(const char *path, char **err)
{
	struct stat st;
	char *name, *buf, *abs, *dbdir;
	const char *end = NULL;
	size_t len, skip = 0;
	lc_compdb *db = NULL;
	cJSON *root;

	*err = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(path);
		name = lc_xasprintf("%s%scompile_commands.json", path,
				    n && path[n - 1] == '/' ? "" : "/");
		if (stat(name, &st) != 0 && errno == ENOENT) {
			*err = lc_xasprintf("%s: no compile_commands.json in this directory", path);
			free(name);
			return NULL;
		}
	} else {
		name = lc_xstrdup(path);
	}

	buf = lc_read_file(name, &len);
	if (!buf) {
		if (errno == ENOENT || errno == ENOTDIR)
			*err = lc_xasprintf("%s: no such file", name);
		else if (errno == EISDIR)
			*err = lc_xasprintf("%s: is a directory", name);
		else
			*err = lc_xasprintf("%s: cannot read: %s", name, strerror(errno));
		free(name);
		return NULL;
	}
	while (skip < len && is_blank(buf[skip]))
		skip++;
	if (skip == len) {
		*err = lc_xasprintf("%s: empty file", name);
		goto out;
	}
	if (strlen(buf) != len) {
		/* cJSON would stop at the NUL and accept a truncated file. */
		*err = syntax_error(name, buf, len, strlen(buf), "NUL byte in file");
		goto out;
	}
	/* len + 1: with require_null_terminated, cJSON wants to see the NUL. */
	root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
	if (!root) {
		size_t pos = end ? (size_t)(end - buf) : 0;
		*err = syntax_error(name, buf, len, pos, "malformed JSON");
		goto out;
	}
	abs = lc_path_normalize(name, NULL);
	dbdir = path_dirname(abs);
	db = from_json(root, name, dbdir, err);
	free(dbdir);
	free(abs);
	cJSON_Delete(root);
out:
	free(buf);
	free(name);
	return db;
}

lc_compdb *lc_compdb_from_args(char **files, size_t nfiles, char **args, size_t nargs,
			       char **err)
{
	lc_compdb *db = lc_xcalloc(1, sizeof(*db));
	char *cwd = get_cwd();
	size_t cap = 0;

	*err = NULL;
	for (size_t i = 0; i < nfiles; i++) {
		struct stat st;
		lc_tu_cmd tu = { .index = i };
		/* The same flags go to every file: report their notices once. */
		char **dummy = NULL;
		size_t ndummy = 0;

		if (stat(files[i], &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				*err = lc_xasprintf("%s: no such file", files[i]);
			else
				*err = lc_xasprintf("%s: %s", files[i], strerror(errno));
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			*err = lc_xasprintf("%s: is a directory", files[i]);
			goto fail;
		}
		tu.file = lc_path_normalize(files[i], cwd);
		tu.directory = lc_xstrdup(cwd);
		tu.args = sanitize(args, nargs, false, tu.file, cwd, "command line", &tu.nargs,
				   i == 0 ? &db->notices : &dummy,
				   i == 0 ? &db->nnotices : &ndummy);
		for (size_t k = 0; k < ndummy; k++)
			free(dummy[k]);
		free(dummy);
		db_push(db, &cap, tu);
	}
	free(cwd);
	return db;

fail:
	free(cwd);
	lc_compdb_free(db);
	return NULL;
}

size_t lc_compdb_restrict(lc_compdb *db, char **files, size_t nfiles,
			  const char **unmatched)
{
	char **want = lc_xcalloc(nfiles, sizeof(*want));
	bool *hit = lc_xcalloc(nfiles, sizeof(*hit));
	size_t keep = 0, misses = 0;

	if (unmatched)
		*unmatched = NULL;
	for (size_t j = 0; j < nfiles; j++)
		want[j] = lc_path_normalize(files[j], NULL);
	for (size_t t = 0; t < db->ntus; t++) {
		bool match = false;
		/* No early exit: a file named twice must count as matched twice. */
		for (size_t j = 0; j < nfiles; j++) {
			if (strcmp(db->tus[t].file, want[j]) == 0) {
				hit[j] = true;
				match = true;
			}
		}
		if (match)
			db->tus[keep++] = db->tus[t];
		else
			tu_release(&db->tus[t]);
	}
	db->ntus = keep;
	for (size_t j = 0; j < nfiles; j++) {
		if (!hit[j]) {
			if (misses++ == 0 && unmatched)
				*unmatched = files[j];
		}
		free(want[j]);
	}
	free(want);
	free(hit);
	return misses;
}
