/* test_compdb.c - compile database loading and argument sanitizing.
 *
 * Databases are written by the tests into a fresh mkdtemp directory, so
 * every path in an expected message is known exactly.
 */
#define _GNU_SOURCE
#include "compdb.h"
#include "util.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

LC_TEST_TMPDIR("/tmp/lc-compdb-XXXXXX");

/* tmp/rel as a heap string. */
static char *at(const char *rel)
{
	return lc_xasprintf("%s/%s", tmp, rel);
}

static void mkdir_at(const char *rel)
{
	char *p = at(rel);
	cr_assert_eq(mkdir(p, 0700), 0, "mkdir %s", p);
	free(p);
}

static void write_bytes(const char *rel, const char *data, size_t len)
{
	char *p = at(rel);
	FILE *f = fopen(p, "wb");
	cr_assert_not_null(f, "cannot create %s", p);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	free(p);
}

static void write_at(const char *rel, const char *text)
{
	write_bytes(rel, text, strlen(text));
}

/* Compares n strings with a NULL-terminated expectation. */
static void expect_list(char **got, size_t n, const char *const *want)
{
	size_t nwant = 0;
	lc_sb all;

	while (want[nwant])
		nwant++;
	lc_sb_init(&all);
	for (size_t i = 0; i < n; i++)
		lc_sb_addf(&all, "[%s]", got[i]);
	cr_assert_eq(n, nwant, "got %zu strings, want %zu: %s", n, nwant, all.buf);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(got[i], want[i], "string %zu: %s", i, all.buf);
	lc_sb_release(&all);
}

/* The same for an argv, which must also be NULL-terminated. */
static void expect_argv(char **got, size_t n, const char *const *want)
{
	expect_list(got, n, want);
	cr_assert_null(got[n], "argv is not NULL-terminated");
}

/* lc_compdb_load on tmp/rel, expecting failure; returns the message. */
static char *load_fails(const char *rel)
{
	char *p = at(rel), *err = NULL;
	lc_compdb *db = lc_compdb_load(p, &err);
	cr_assert_null(db, "loading %s should fail", p);
	cr_assert_not_null(err);
	cr_assert_null(strchr(err, '\n'), "error is not one line: %s", err);
	free(p);
	return err;
}

/* Writes tmp/compile_commands.json and expects `tail` after "PATH" and
 * `sep`: ": " for entry errors, ":" for "LINE:COL: ..." syntax errors. */
static void expect_error_sep(const char *json, const char *sep, const char *tail)
{
	write_at("compile_commands.json", json);
	char *err = load_fails("compile_commands.json");
	char *want = lc_xasprintf("%s/compile_commands.json%s%s", tmp, sep, tail);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
}

static void expect_load_error(const char *json, const char *tail)
{
	expect_error_sep(json, ": ", tail);
}

static void expect_syntax_error(const char *json, const char *tail)
{
	expect_error_sep(json, ":", tail);
}

static lc_compdb *load_ok(const char *rel)
{
	char *p = at(rel), *err = NULL;
	lc_compdb *db = lc_compdb_load(p, &err);
	cr_assert_not_null(db, "loading %s: %s", p, err ? err : "(no message)");
	cr_assert_null(err);
	free(p);
	return db;
}

/* ---- shell splitting --------------------------------------------------- */

static void expect_split(const char *cmd, const char *const *want)
{
	size_t n;
	char *err = NULL;
	char **v = lc_shell_split(cmd, &n, &err);
	cr_assert_not_null(v, "split of <%s> failed: %s", cmd, err ? err : "");
	cr_assert_null(err);
	expect_argv(v, n, want);
	lc_argv_free(v);
}

Test(shell_split, words)
{
	expect_split("  cc\t-O2  -c\n a.c  ", (const char *const[]){ "cc", "-O2", "-c", "a.c", NULL });
}

Test(shell_split, single_quotes_are_literal)
{
	expect_split("cc '-DX=a b' '\\n\"$HOME'",
		     (const char *const[]){ "cc", "-DX=a b", "\\n\"$HOME", NULL });
}

Test(shell_split, double_quotes_and_escapes)
{
	/* \" \\ \$ \` are unquoted inside "..."; any other backslash stays. */
	expect_split("cc \"-DS=\\\"x y\\\"\" \"a\\\\b\\$c\\`d\\ne\"",
		     (const char *const[]){ "cc", "-DS=\"x y\"", "a\\b$c`d\\ne", NULL });
}

Test(shell_split, backslash_and_concatenation)
{
	expect_split("a\\ b x\"y\"'z' \"\" ''\\' end\\",
		     (const char *const[]){ "a b", "xyz", "", "'", "end\\", NULL });
}

Test(shell_split, line_continuation)
{
	expect_split("cc \\\n-O2 a\\\nb", (const char *const[]){ "cc", "-O2", "ab", NULL });
}

Test(shell_split, no_expansion)
{
	expect_split("cc $HOME `id` $(id) *.c ~/x a;b >o",
		     (const char *const[]){ "cc", "$HOME", "`id`", "$(id)", "*.c", "~/x", "a;b",
					    ">o", NULL });
}

Test(shell_split, empty)
{
	expect_split("", (const char *const[]){ NULL });
	expect_split(" \t\n ", (const char *const[]){ NULL });
}

Test(shell_split, unbalanced_single_quote)
{
	size_t n = 99;
	char *err = NULL;
	cr_assert_null(lc_shell_split("cc 'abc", &n, &err));
	cr_assert_str_eq(err, "unbalanced single quote at column 4");
	free(err);
}

Test(shell_split, unbalanced_double_quote)
{
	size_t n = 99;
	char *err = NULL;
	cr_assert_null(lc_shell_split("cc -D\"x\\\"", &n, &err));
	cr_assert_str_eq(err, "unbalanced double quote at column 6");
	free(err);
}

/* ---- paths ------------------------------------------------------------- */

static void expect_norm(const char *path, const char *base, const char *want)
{
	char *got = lc_path_normalize(path, base);
	cr_assert_str_eq(got, want, "normalize(%s, %s)", path, base ? base : "NULL");
	free(got);
}

Test(path, normalize)
{
	expect_norm("/a//b/./c/", NULL, "/a/b/c");
	expect_norm("/a/b/../../../c", NULL, "/c");
	expect_norm("/..", NULL, "/");
	expect_norm("/", NULL, "/");
	expect_norm("src/../inc/x.h", "/p/build", "/p/build/inc/x.h");
	expect_norm("../src/a.c", "/p/build/", "/p/src/a.c");
	expect_norm("", "/p", "/p");
	expect_norm("/abs", "/ignored", "/abs");
}

Test(path, relative_base_uses_cwd)
{
	char *cwd = getcwd(NULL, 0);
	char *want = lc_path_normalize("b/c.c", cwd);
	expect_norm("c.c", "./b", want);
	free(want);
	free(cwd);
}

/* ---- sanitizing -------------------------------------------------------- */

typedef struct {
	char **args;
	size_t n;
	char **notices;
	size_t nnotices;
} sanitized;

static sanitized sanitize_v(const char *const *argv, const char *file, const char *dir)
{
	sanitized s = { 0 };
	size_t argc = 0;
	while (argv[argc])
		argc++;
	s.args = lc_sanitize_args((char **)argv, argc, file, dir, &s.n, &s.notices, &s.nnotices);
	return s;
}

static void sanitized_free(sanitized *s)
{
	lc_argv_free(s->args);
	for (size_t i = 0; i < s->nnotices; i++)
		free(s->notices[i]);
	free(s->notices);
}

Test(sanitize, argv0_dropped_and_paths_made_absolute)
{
	sanitized s = sanitize_v((const char *const[]){ "/usr/bin/gcc", "-Iinc", "-DX=1", NULL },
				 "/p/a.c", "/p/build");
	expect_argv(s.args, s.n,
		    (const char *const[]){ "-I/p/build/inc", "-DX=1", NULL });
	cr_assert_eq(s.nnotices, 0);
	sanitized_free(&s);
}

Test(sanitize, launchers)
{
	sanitized s = sanitize_v((const char *const[]){ "ccache", "gcc", "-O2", NULL }, "/p/a.c", "/p");
	expect_argv(s.args, s.n, (const char *const[]){ "-O2", NULL });
	sanitized_free(&s);

	s = sanitize_v((const char *const[]){ "/usr/bin/ccache", "distcc", "/opt/cc", "-O2", NULL },
		       "/p/a.c", "/p");
	expect_argv(s.args, s.n, (const char *const[]){ "-O2", NULL });
	sanitized_free(&s);

	s = sanitize_v((const char *const[]){ "CCACHE_DISABLE=1", "sccache", "icecc", "clang", "-g",
					      NULL },
		       "/p/a.c", "/p");
	expect_argv(s.args, s.n, (const char *const[]){ "-g", NULL });
	sanitized_free(&s);
}

Test(sanitize, output_and_dependency_flags)
{
	sanitized s = sanitize_v(
		(const char *const[]){ "cc", "-c", "-o", "a.o", "-oa2.o", "-MD", "-MMD", "-MF", "a.d",
				       "-MFa2.d", "-MT", "a.o", "-MTx", "-MQ", "q", "-MP", "-M", "-MM",
				       "-MG", "-MJ", "j.json", "-Wp,-MD,k.d", "-Wp,-DKEEP",
				       "-objcmt-migrate-literals", "-O1", NULL },
		"/p/a.c", "/p");
	expect_argv(s.args, s.n,
		    (const char *const[]){ "-Wp,-DKEEP", "-objcmt-migrate-literals", "-O1", NULL });
	sanitized_free(&s);
}

Test(sanitize, werror_dropped)
{
	sanitized s = sanitize_v((const char *const[]){ "cc", "-Wall", "-Werror", "-Werror=format",
							"-Wfatal-errors", "-fsyntax-only", "-fanalyzer",
							NULL },
				 "/p/a.c", "/p");
	expect_argv(s.args, s.n,
		    (const char *const[]){ "-Wall", "-fsyntax-only", "-fanalyzer", NULL });
	sanitized_free(&s);
}

Test(sanitize, source_file_removed)
{
	/* Relative to dir, absolute, and with detours: all the same file. */
	sanitized s = sanitize_v((const char *const[]){ "cc", "../src/a.c", "-I", "../src/a.c",
							"/p/src/./a.c", "/p/build/../src/a.c",
							"../src/b.c", "--", "../src/a.c", NULL },
				 "/p/src/a.c", "/p/build");
	/* The -I value is kept with its flag although it names the file. */
	expect_argv(s.args, s.n,
		    (const char *const[]){ "-I", "/p/src/a.c", "../src/b.c", NULL });
	sanitized_free(&s);
}

Test(sanitize, plugin_flags_removed_with_notices)
{
	sanitized s = sanitize_v(
		(const char *const[]){ "clang", "-fplugin=./evil.so", "-O2", "-fpass-plugin=p.so",
				       "-fplugin-arg-evil-key=v", "-Xclang", "-load", "-Xclang",
				       "l.so", "-Xclang", "-plugin", "-Xclang", "pl", "-Xclang",
				       "-add-plugin", "-Xclang", "ap", "-Xclang", "-plugin-arg-pl",
				       "-Xclang", "v", "-Xclang", "-fcolor-diagnostics", "-load",
				       "bare.so", "-Xclang", "-fpass-plugin=q.so", NULL },
		"/p/a.c", "/p");
	expect_argv(s.args, s.n,
		    (const char *const[]){ "-O2", "-Xclang", "-fcolor-diagnostics", NULL });
	const char *const want[] = {
		"removed plugin flag '-fplugin=./evil.so' (/p/a.c)",
		"removed plugin flag '-fpass-plugin=p.so' (/p/a.c)",
		"removed plugin flag '-fplugin-arg-evil-key=v' (/p/a.c)",
		"removed plugin flag '-Xclang -load -Xclang l.so' (/p/a.c)",
		"removed plugin flag '-Xclang -plugin -Xclang pl' (/p/a.c)",
		"removed plugin flag '-Xclang -add-plugin -Xclang ap' (/p/a.c)",
		"removed plugin flag '-Xclang -plugin-arg-pl -Xclang v' (/p/a.c)",
		"removed plugin flag '-load bare.so' (/p/a.c)",
		"removed plugin flag '-Xclang -fpass-plugin=q.so' (/p/a.c)",
		NULL,
	};
	expect_list(s.notices, s.nnotices, want);
	sanitized_free(&s);
}

Test(sanitize, notices_are_appended)
{
	sanitized s = { 0 };
	char *argv[] = { "cc", "-fplugin=x.so", NULL };
	s.notices = lc_xmalloc(2 * sizeof(char *));
	s.notices[0] = lc_xstrdup("earlier");
	s.notices[1] = NULL;
	s.nnotices = 1;
	s.args = lc_sanitize_args(argv, 2, "/p/a.c", "/p", &s.n, &s.notices, &s.nnotices);
	cr_assert_eq(s.nnotices, 2);
	cr_assert_str_eq(s.notices[0], "earlier");
	cr_assert_str_eq(s.notices[1], "removed plugin flag '-fplugin=x.so' (/p/a.c)");
	sanitized_free(&s);
}

Test(sanitize, notices_escape_control_characters)
{
	sanitized s = sanitize_v((const char *const[]){ "cc", "-fplugin=x\nloopcheck: fake\t", NULL },
				 "/p/a.c", "/p");
	cr_assert_eq(s.nnotices, 1);
	cr_assert_str_eq(s.notices[0],
			 "removed plugin flag '-fplugin=x\\x0aloopcheck: fake\\x09' (/p/a.c)");
	sanitized_free(&s);
}

Test(sanitize, response_file_not_expanded)
{
	sanitized s = sanitize_v((const char *const[]){ "cc", "@flags.rsp", "-O2", NULL }, "/p/a.c",
				 "/p");
	expect_argv(s.args, s.n, (const char *const[]){ "-O2", NULL });
	cr_assert_eq(s.nnotices, 1);
	cr_assert_str_eq(s.notices[0], "response file '@flags.rsp' not expanded (/p/a.c)");
	sanitized_free(&s);
}

Test(sanitize, path_flags_absolute_and_working_directory_applied)
{
	sanitized s = sanitize_v((const char *const[]){ "cc", "-working-directory", "/q", "-I", "a",
							"-isystem../b", "-include", "c.h", "-I/abs",
							"--sysroot=s", "-iquote=rel", "-DX=y", NULL },
				 "/p/a.c", "/p");
	expect_argv(s.args, s.n,
		    (const char *const[]){ "-I", "/q/a", "-isystem/b", "-include", "/q/c.h",
					   "-I/abs", "--sysroot=/q/s", "-iquote=rel", "-DX=y", NULL });
	sanitized_free(&s);
}

Test(sanitize, dangling_value_flags_dropped)
{
	/* A dangling value flag would swallow whatever libclang appends. */
	sanitized s = sanitize_v((const char *const[]){ "cc", "-O2", "-Xclang", NULL }, "/p/a.c", "/p");
	expect_argv(s.args, s.n, (const char *const[]){ "-O2", NULL });
	sanitized_free(&s);
	s = sanitize_v((const char *const[]){ "cc", "-I", NULL }, "/p/a.c", "/p");
	expect_argv(s.args, s.n, (const char *const[]){ NULL });
	sanitized_free(&s);
	s = sanitize_v((const char *const[]){ "cc", "-Xclang", "-load", "-Xclang", NULL }, "/p/a.c",
		       "/p");
	expect_argv(s.args, s.n, (const char *const[]){ NULL });
	cr_assert_eq(s.nnotices, 1);
	sanitized_free(&s);
}

Test(sanitize, only_argv0)
{
	sanitized s = sanitize_v((const char *const[]){ "cc", NULL }, "/p/a.c", "/p");
	expect_argv(s.args, s.n, (const char *const[]){ NULL });
	sanitized_free(&s);
}

/* ---- loading ----------------------------------------------------------- */

TestSuite(load, .init = setup, .fini = teardown);

Test(load, arguments_form_from_directory)
{
	mkdir_at("build");
	char *json = lc_xasprintf(
		"[{\"directory\": \"%s/build\", \"file\": \"%s/src/a.c\",\n"
		"  \"arguments\": [\"ccache\", \"gcc\", \"-I../inc\", \"-c\", \"-o\", \"a.o\","
		" \"../src/a.c\"], \"output\": \"a.o\"}]\n",
		tmp, tmp);
	write_at("build/compile_commands.json", json);
	free(json);

	lc_compdb *db = load_ok("build");
	cr_assert_eq(db->ntus, 1);
	char *file = at("src/a.c"), *dir = at("build");
	cr_assert_str_eq(db->tus[0].file, file);
	cr_assert_str_eq(db->tus[0].directory, dir);
	cr_assert_eq(db->tus[0].index, 0);
	char *inc = at("inc"), *flag = lc_xasprintf("-I%s", inc);
	expect_argv(db->tus[0].args, db->tus[0].nargs, (const char *const[]){ flag, NULL });
	free(inc);
	free(flag);
	cr_assert_eq(db->nnotices, 0);
	free(file);
	free(dir);
	lc_compdb_free(db);
}

Test(load, directory_with_trailing_slash)
{
	mkdir_at("build");
	write_at("build/compile_commands.json", "[]");
	char *p = lc_xasprintf("%s/build/", tmp), *err = NULL;
	lc_compdb *db = lc_compdb_load(p, &err);
	cr_assert_not_null(db, "%s", err ? err : "");
	cr_assert_eq(db->ntus, 0);
	lc_compdb_free(db);
	free(p);
}

Test(load, command_form_from_file)
{
	write_at("db.json",
		 "[{\"directory\": \"/p/b\", \"file\": \"/p/a.c\",\n"
		 "  \"command\": \"/usr/bin/cc '-DMSG=\\\"hi there\\\"' -DX=\\\"a\\\\ b\\\" -c /p/a.c\"}]");
	lc_compdb *db = load_ok("db.json");
	cr_assert_eq(db->ntus, 1);
	expect_argv(db->tus[0].args, db->tus[0].nargs,
		    (const char *const[]){ "-DMSG=\"hi there\"", "-DX=a\\ b", NULL });
	lc_compdb_free(db);
}

Test(load, relative_directory_and_file)
{
	mkdir_at("build");
	/* "directory" against the database's directory, "file" against
	 * "directory". */
	write_at("build/compile_commands.json",
		 "[{\"directory\": \"../proj/./out\", \"file\": \"../src/x.c\","
		 " \"arguments\": [\"cc\", \"-Iinc\", \"../src/x.c\"]}]");
	lc_compdb *db = load_ok("build/compile_commands.json");
	char *dir = at("proj/out"), *file = at("proj/src/x.c");
	cr_assert_str_eq(db->tus[0].directory, dir);
	cr_assert_str_eq(db->tus[0].file, file);
	char *flag = lc_xasprintf("-I%s/inc", dir);
	expect_argv(db->tus[0].args, db->tus[0].nargs, (const char *const[]){ flag, NULL });
	free(flag);
	free(dir);
	free(file);
	lc_compdb_free(db);
}

Test(load, relative_database_path)
{
	cr_assert_eq(chdir(tmp), 0);
	write_at("compile_commands.json",
		 "[{\"directory\": \".\", \"file\": \"a.c\", \"arguments\": [\"cc\"]}]");
	char *err = NULL;
	lc_compdb *db = lc_compdb_load(".", &err);
	cr_assert_not_null(db, "%s", err ? err : "");
	char *real = realpath(tmp, NULL); /* /tmp may be a symlink elsewhere */
	cr_assert(strcmp(db->tus[0].directory, tmp) == 0 || strcmp(db->tus[0].directory, real) == 0,
		  "directory %s", db->tus[0].directory);
	free(real);
	lc_compdb_free(db);
}

Test(load, same_file_twice_is_two_units)
{
	write_at("compile_commands.json",
		 "[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"-DONE\"]},\n"
		 " {\"directory\": \"/p\", \"file\": \"/p/a.c\", \"arguments\": [\"cc\", \"-DTWO\"]}]");
	lc_compdb *db = load_ok("compile_commands.json");
	cr_assert_eq(db->ntus, 2);
	cr_assert_str_eq(db->tus[0].file, "/p/a.c");
	cr_assert_str_eq(db->tus[1].file, "/p/a.c");
	cr_assert_str_eq(db->tus[0].args[0], "-DONE");
	cr_assert_str_eq(db->tus[1].args[0], "-DTWO");
	cr_assert_eq(db->tus[1].index, 1);
	lc_compdb_free(db);
}

Test(load, arguments_preferred_over_command)
{
	write_at("compile_commands.json",
		 "[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"-DARGS\"],"
		 " \"command\": \"cc -DCOMMAND\"}]");
	lc_compdb *db = load_ok("compile_commands.json");
	cr_assert_str_eq(db->tus[0].args[0], "-DARGS");
	lc_compdb_free(db);
}

Test(load, notices_name_entry_and_file)
{
	write_at("compile_commands.json",
		 "[{\"directory\": \"/p\", \"file\": \"src/b.c\", \"arguments\": [\"cc\"]},\n"
		 " {\"directory\": \"/p\", \"file\": \"src/a.c\",\n"
		 "  \"command\": \"cc -fplugin=./evil.so @more.rsp -c src/a.c\"}]");
	lc_compdb *db = load_ok("compile_commands.json");
	cr_assert_eq(db->ntus, 2);
	expect_argv(db->tus[1].args, db->tus[1].nargs,
		    (const char *const[]){ NULL });
	expect_list(db->notices, db->nnotices,
		    (const char *const[]){
			    "removed plugin flag '-fplugin=./evil.so' (entry 1, src/a.c)",
			    "response file '@more.rsp' not expanded (entry 1, src/a.c)", NULL });
	lc_compdb_free(db);
}

Test(load, empty_array)
{
	write_at("compile_commands.json", " [ ]\n");
	lc_compdb *db = load_ok("compile_commands.json");
	cr_assert_eq(db->ntus, 0);
	cr_assert_eq(db->nnotices, 0);
	lc_compdb_free(db);
}

/* ---- malformed databases ----------------------------------------------- */

Test(load, syntax_error_line_col)
{
	expect_syntax_error("[\n"
			    "  {\"directory\": \"/p\", \"file\": \"a.c\",\n"
			    "   \"arguments\": [\"cc\"] \"command\": \"x\"}\n"
			    "]\n",
			    "3:24: malformed JSON (entry 0)");
}

Test(load, syntax_error_names_later_entry)
{
	expect_syntax_error("[{\"directory\": \"/p\", \"file\": \"a,b.c\", \"arguments\": [\"cc\", \"x\"]},\n"
			    " {\"directory\": \"/p\", \"file\": \"b.c\", \"arguments\": [\"cc\",]}]",
			    "2:56: malformed JSON (entry 1)");
}

Test(load, truncated)
{
	expect_syntax_error("[{\"directory\": \"/p\",\n \"file\": \"a.c\"",
			    "2:15: malformed JSON: unexpected end of file (entry 0)");
}

Test(load, trailing_garbage)
{
	expect_syntax_error("[]\nx", "2:1: malformed JSON");
}

Test(load, nul_byte)
{
	write_bytes("compile_commands.json", "[\n ]\0 junk", sizeof("[\n ]\0 junk") - 1);
	char *err = load_fails("compile_commands.json");
	char *want = lc_xasprintf("%s/compile_commands.json:2:3: NUL byte in file", tmp);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
}

Test(load, empty_file)
{
	expect_load_error("", "empty file");
	expect_load_error(" \n\t\n", "empty file");
}

Test(load, missing_file)
{
	char *err = load_fails("nope.json");
	char *want = lc_xasprintf("%s/nope.json: no such file", tmp);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
}

Test(load, directory_without_database)
{
	mkdir_at("empty");
	char *err = load_fails("empty");
	char *want = lc_xasprintf("%s/empty: no compile_commands.json in this directory", tmp);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
}

Test(load, database_is_a_directory)
{
	mkdir_at("build");
	mkdir_at("build/compile_commands.json");
	char *err = load_fails("build");
	char *want = lc_xasprintf("%s/build/compile_commands.json: is a directory", tmp);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
}

Test(load, unreadable)
{
	if (geteuid() == 0) {
		teardown(); /* a skipped test does not run .fini */
		cr_skip_test("root reads files whatever their mode");
	}
	write_at("compile_commands.json", "[]");
	char *p = at("compile_commands.json");
	cr_assert_eq(chmod(p, 0), 0);
	char *err = load_fails("compile_commands.json");
	char *want = lc_xasprintf("%s: cannot read: Permission denied", p);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
	free(p);
}

Test(load, top_level_not_array)
{
	expect_load_error("{\"directory\": \"/p\"}", "top level is not an array");
}

Test(load, entry_not_object)
{
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": [\"cc\"]}, 3]",
			  "entry 1: not an object");
}

Test(load, missing_directory)
{
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"command\": \"cc\"},"
			  " {\"directory\": \"/p\", \"file\": \"a.c\", \"command\": \"cc\"},"
			  " {\"file\": \"a.c\", \"command\": \"cc\"}]",
			  "entry 2: missing \"directory\"");
}

Test(load, missing_file_member)
{
	expect_load_error("[{\"directory\": \"/p\", \"command\": \"cc\"}]",
			  "entry 0: missing \"file\"");
}

Test(load, keys_are_case_sensitive)
{
	expect_load_error("[{\"directory\": \"/p\", \"File\": \"a.c\", \"command\": \"cc\"}]",
			  "entry 0: missing \"file\"");
}

Test(load, wrong_types)
{
	expect_load_error("[{\"directory\": 7, \"file\": \"a.c\", \"command\": \"cc\"}]",
			  "entry 0: \"directory\" is not a string");
	expect_load_error("[{\"directory\": \"/p\", \"file\": null, \"command\": \"cc\"}]",
			  "entry 0: \"file\" is not a string");
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"\", \"command\": \"cc\"}]",
			  "entry 0: \"file\" is empty");
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"command\": [\"cc\"]}]",
			  "entry 0: \"command\" is not a string");
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": \"cc -O2\"}]",
			  "entry 0: \"arguments\" is not an array");
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": [\"cc\", 2]}]",
			  "entry 0: \"arguments\"[1] is not a string");
}

Test(load, empty_commands)
{
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": []}]",
			  "entry 0: \"arguments\" is empty");
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"command\": \"  \"}]",
			  "entry 0: \"command\" is empty");
}

Test(load, neither_arguments_nor_command)
{
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\"}]",
			  "entry 0: neither \"arguments\" nor \"command\"");
}

Test(load, unbalanced_quote_in_command)
{
	expect_load_error("[{\"directory\": \"/p\", \"file\": \"a.c\", \"command\": \"cc 'x\"}]",
			  "entry 0: \"command\": unbalanced single quote at column 4");
}

/* ---- files from the command line --------------------------------------- */

TestSuite(from_args, .init = setup, .fini = teardown);

Test(from_args, files_and_flags)
{
	mkdir_at("src");
	write_at("src/a.c", "int a;\n");
	write_at("b.c", "int b;\n");
	cr_assert_eq(chdir(tmp), 0);
	char *cwd = getcwd(NULL, 0);
	char *files[] = { "src/a.c", "./b.c" };
	char *args[] = { "-Iinc", "-DX", "-fplugin=e.so", "-c", "b.c", NULL };
	char *err = NULL;
	lc_compdb *db = lc_compdb_from_args(files, 2, args, 5, &err);
	cr_assert_not_null(db, "%s", err ? err : "");
	cr_assert_eq(db->ntus, 2);
	char *a = lc_path_normalize("src/a.c", cwd), *b = lc_path_normalize("b.c", cwd);
	cr_assert_str_eq(db->tus[0].file, a);
	cr_assert_str_eq(db->tus[1].file, b);
	cr_assert_str_eq(db->tus[0].directory, cwd);
	cr_assert_eq(db->tus[1].index, 1);
	/* The first argument is a flag here, not a compiler. */
	char *inc = lc_xasprintf("-I%s/inc", cwd);
	expect_argv(db->tus[0].args, db->tus[0].nargs,
		    (const char *const[]){ inc, "-DX", "b.c", NULL });
	expect_argv(db->tus[1].args, db->tus[1].nargs, (const char *const[]){ inc, "-DX", NULL });
	free(inc);
	/* Shared flags: the notice is given once, not once per file. */
	expect_list(db->notices, db->nnotices,
		    (const char *const[]){ "removed plugin flag '-fplugin=e.so' (command line)",
					   NULL });
	free(a);
	free(b);
	free(cwd);
	lc_compdb_free(db);
}

Test(from_args, no_args)
{
	write_at("a.c", "");
	char *f = at("a.c"), *err = NULL;
	lc_compdb *db = lc_compdb_from_args(&f, 1, NULL, 0, &err);
	cr_assert_not_null(db);
	cr_assert_eq(db->tus[0].nargs, 0);
	cr_assert_str_eq(db->tus[0].file, f);
	lc_compdb_free(db);
	free(f);
}

Test(from_args, missing_file)
{
	write_at("a.c", "");
	cr_assert_eq(chdir(tmp), 0);
	char *files[] = { "a.c", "nope.c" };
	char *err = NULL;
	cr_assert_null(lc_compdb_from_args(files, 2, NULL, 0, &err));
	cr_assert_str_eq(err, "nope.c: no such file");
	free(err);
}

Test(from_args, directory)
{
	mkdir_at("src");
	cr_assert_eq(chdir(tmp), 0);
	char *files[] = { "src" };
	char *err = NULL;
	cr_assert_null(lc_compdb_from_args(files, 1, NULL, 0, &err));
	cr_assert_str_eq(err, "src: is a directory");
	free(err);
}

/* ---- restricting ------------------------------------------------------- */

TestSuite(narrow, .init = setup, .fini = teardown);

Test(narrow, keeps_matching_entries)
{
	mkdir_at("p");
	cr_assert_eq(chdir(tmp), 0);
	char *json = lc_xasprintf(
		"[{\"directory\": \"%s/p\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"-D1\"]},\n"
		" {\"directory\": \"%s/p\", \"file\": \"b.c\", \"arguments\": [\"cc\"]},\n"
		" {\"directory\": \"%s/p\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"-D2\"]},\n"
		" {\"directory\": \"%s/p\", \"file\": \"c.c\", \"arguments\": [\"cc\"]}]",
		tmp, tmp, tmp, tmp);
	write_at("compile_commands.json", json);
	free(json);
	lc_compdb *db = load_ok("compile_commands.json");

	/* Relative names resolve against the current directory. */
	char *cfile = at("p/c.c");
	char *files[] = { "p/./a.c", "p/zz.c", cfile, "p/yy.c" };
	const char *unmatched = "sentinel";
	cr_assert_eq(lc_compdb_restrict(db, files, 4, &unmatched), 2);
	cr_assert_str_eq(unmatched, "p/zz.c");
	cr_assert_eq(db->ntus, 3);
	cr_assert_eq(db->tus[0].index, 0);
	cr_assert_eq(db->tus[1].index, 2);
	cr_assert_eq(db->tus[2].index, 3);
	cr_assert_str_eq(db->tus[1].args[0], "-D2");
	free(cfile);
	lc_compdb_free(db);
}

Test(narrow, all_matched)
{
	write_at("compile_commands.json",
		 "[{\"directory\": \"/p\", \"file\": \"a.c\", \"arguments\": [\"cc\"]}]");
	lc_compdb *db = load_ok("compile_commands.json");
	char *files[] = { "/p/a.c", "/p/../p/a.c" };
	const char *unmatched = "sentinel";
	cr_assert_eq(lc_compdb_restrict(db, files, 2, &unmatched), 0);
	cr_assert_null(unmatched);
	cr_assert_eq(db->ntus, 1);
	lc_compdb_free(db);
}
