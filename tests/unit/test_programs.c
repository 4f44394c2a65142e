/* test_programs.c - splitting a compile database into programs, merging
 * their results (programs.h), and the facts the split needs: compile
 * arguments, globals and uses, extracted and carried through summaries.
 *
 * The split tests build facts by hand: a TU is its main file, compile
 * arguments, the external functions and variables it defines, and what it
 * refers to (calls, function values, uses).
 */
#define _GNU_SOURCE
#include "facts.h"
#include "parse.h"
#include "programs.h"
#include "result.h"
#include "summary.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building facts by hand ---------------------------------------------- */

static lc_facts *tu(const char *file, const char *args)
{
	lc_facts *f = lc_facts_new();
	f->main_file = lc_arena_strdup(f->arena, file);
	char *copy = lc_xstrdup(args ? args : "");
	for (char *save = NULL, *a = strtok_r(copy, " ", &save); a; a = strtok_r(NULL, " ", &save))
		lc_vec_push(&f->args, lc_arena_strdup(f->arena, a));
	free(copy);
	return f;
}

static void define(lc_facts *f, const char *name, bool is_static)
{
	lc_function fn = { 0 };
	fn.name = lc_arena_strdup(f->arena, name);
	char *key = lc_xasprintf(is_static ? "c:x.c@F@%s|%s" : "c:@F@%s", name, f->main_file);
	fn.key = lc_arena_strdup(f->arena, key);
	free(key);
	fn.is_static = is_static;
	fn.is_main = !is_static && strcmp(name, "main") == 0;
	lc_vec_push(&f->functions, fn);
}

static const char *fkey(lc_facts *f, const char *name)
{
	char *key = lc_xasprintf("c:@F@%s", name);
	const char *k = lc_arena_strdup(f->arena, key);
	free(key);
	return k;
}

static void call(lc_facts *f, const char *name)
{
	lc_call c = { 0 };
	c.caller = f->functions.len ? 0 : -1;
	c.kind = LC_CALL_DIRECT;
	c.callee = fkey(f, name);
	c.name = c.callee;
	lc_vec_push(&f->calls, c);
}

/* `g` passed as an argument: a function used as a value. */
static void pass(lc_facts *f, const char *name)
{
	lc_call c = { 0 };
	c.caller = -1;
	c.kind = LC_CALL_DIRECT;
	c.callee = fkey(f, "uv_timer_start");
	c.nargs = 1;
	c.args = lc_arena_alloc(f->arena, sizeof(lc_value));
	c.args[0].kind = LC_VAL_FUNC;
	c.args[0].key = fkey(f, name);
	lc_vec_push(&f->calls, c);
}

static void global(lc_facts *f, const char *key)
{
	lc_vec_push(&f->globals, lc_arena_strdup(f->arena, key));
}

static void use(lc_facts *f, const char *key)
{
	lc_vec_push(&f->uses, lc_arena_strdup(f->arena, key));
}

static void free_all(lc_facts **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lc_facts_free(f[i]);
}

/* The TU indices of part `i`, as "0 2 3". */
static char *members(const lc_partition *p, size_t i)
{
	lc_sb sb;
	lc_sb_init(&sb);
	for (size_t k = 0; k < p->parts[i].ntus; k++)
		lc_sb_addf(&sb, "%s%zu", k ? " " : "", p->parts[i].tus[k]);
	return lc_sb_detach(&sb);
}

/* Split `f` and compare the programs, written as "main 0 1; rest 2". */
static void expect_split(lc_facts **f, size_t n, const char *want)
{
	static const char *const kinds[] = { "whole", "main", "rest" };
	lc_partition *p = lc_partition_programs(f, n);
	lc_sb sb;
	lc_sb_init(&sb);
	for (size_t i = 0; i < p->nparts; i++) {
		char *tus = members(p, i);
		lc_sb_addf(&sb, "%s%s %s", i ? "; " : "", kinds[p->parts[i].kind], tus);
		free(tus);
		for (size_t k = 0; k < p->parts[i].ntus; k++)
			cr_expect_eq(p->parts[i].facts[k], f[p->parts[i].tus[k]]);
	}
	cr_expect_str_eq(sb.buf, want);
	lc_sb_release(&sb);
	lc_partition_free(p);
	free_all(f, n);
}

/* ---- split ------------------------------------------------------------------ */

Test(programs, each_main_seeds_a_program_closed_over_calls_and_variables)
{
	lc_facts *f[5];
	f[0] = tu("/p/registry.c", NULL);
	define(f[0], "call_all", false);
	f[1] = tu("/p/server.c", NULL);
	define(f[1], "main", false);
	call(f[1], "call_all");
	f[2] = tu("/p/tool.c", NULL);
	define(f[2], "main", false);
	call(f[2], "call_all");
	use(f[2], "c:@tool_table");
	f[3] = tu("/p/tool_table.c", NULL);
	global(f[3], "c:@tool_table");
	define(f[3], "load_hosts", true);
	f[4] = tu("/p/unused.c", NULL); /* defines what nobody uses */
	define(f[4], "helper", false);

	lc_partition *p = lc_partition_programs(f, 5);
	cr_assert_eq(p->nparts, 3);
	cr_expect_eq(p->parts[0].seed, 1);
	cr_expect_eq(p->parts[1].seed, 2);
	char *d = lc_part_describe(p, 0, f);
	cr_expect_str_eq(d, "program 1 of 3: main in /p/server.c");
	free(d);
	d = lc_part_describe(p, 2, f);
	cr_expect_str_eq(d, "program 3 of 3: 1 translation unit that no main reaches");
	free(d);
	lc_partition_free(p);
	expect_split(f, 5, "main 0 1; main 0 2 3; rest 4");
}

Test(programs, function_values_and_uses_pull_their_definers_transitively)
{
	lc_facts *f[4];
	f[0] = tu("/p/a.c", NULL);
	define(f[0], "main", false);
	pass(f[0], "on_tick");         /* a function used as a value */
	f[1] = tu("/p/b.c", NULL);
	define(f[1], "on_tick", false);
	use(f[1], "c:@F@flush");       /* referred to without a call fact */
	f[2] = tu("/p/c.c", NULL);
	define(f[2], "flush", false);
	f[3] = tu("/p/d.c", NULL);
	define(f[3], "on_tick", true); /* static: not a definition of c:@F@on_tick */
	call(f[3], "flush");

	lc_partition *p = lc_partition_programs(f, 4);
	cr_assert_eq(p->nparts, 2);
	cr_expect_eq(p->parts[1].seed, 3);
	char *d = lc_part_describe(p, 1, f);
	cr_expect_str_eq(d, "program 2 of 2: 1 translation unit that no main reaches "
			    "(2 with what they use)");
	free(d);
	lc_partition_free(p);
	/* The unreached TU with what it reaches: c.c is in both. */
	expect_split(f, 4, "main 0 1 2; rest 2 3");
}

Test(programs, a_symbol_defined_twice_comes_from_the_most_alike_build)
{
	/* memcached and memcached-debug: the same two sources built twice.
	 * The debug builds come first, so "the first definer" would be wrong
	 * for the plain daemon. */
	lc_facts *f[5];
	f[0] = tu("/p/cmd.c", "-O2 -DDEBUG -I/p/inc");
	define(f[0], "handle_cmd", false);
	f[1] = tu("/p/cmd.c", "-O2 -I/p/inc");
	define(f[1], "handle_cmd", false);
	f[2] = tu("/p/daemon.c", "-O2 -DDEBUG -I/p/inc");
	define(f[2], "main", false);
	call(f[2], "handle_cmd");
	f[3] = tu("/p/daemon.c", "-O2 -I/p/inc");
	define(f[3], "main", false);
	call(f[3], "handle_cmd");
	f[4] = tu("/p/other.c", "-g"); /* defines it too, built unlike both */
	define(f[4], "handle_cmd", false);

	lc_partition *p = lc_partition_programs(f, 5);
	cr_assert_eq(p->nparts, 3);
	char *d = lc_part_describe(p, 0, f);
	cr_expect_str_eq(d, "program 1 of 3: main in /p/daemon.c, build 1 of 2 (-DDEBUG)");
	free(d);
	d = lc_part_describe(p, 1, f);
	cr_expect_str_eq(d, "program 2 of 3: main in /p/daemon.c, build 2 of 2");
	free(d);
	lc_partition_free(p);
	expect_split(f, 5, "main 0 2; main 1 3; rest 4");
}

Test(programs, between_equally_alike_definers_the_smaller_then_the_first)
{
	lc_facts *f[4];
	f[0] = tu("/p/main.c", "-DA");
	define(f[0], "main", false);
	call(f[0], "util");
	f[1] = tu("/p/big.c", "-DB");
	define(f[1], "util", false);
	define(f[1], "more", false);
	f[2] = tu("/p/u1.c", "-DC");
	define(f[2], "util", false);
	f[3] = tu("/p/u2.c", "-DD");
	define(f[3], "util", false);
	expect_split(f, 4, "main 0 2; rest 1 3");
}

Test(programs, a_definer_the_program_needs_anyway_is_not_chosen_against)
{
	/* redis: the server needs debug.c (debugCommand), which also defines
	 * _serverAssert; redis-cli takes the stub redisassert.c for it. */
	lc_facts *f[4];
	f[0] = tu("/p/debug.c", NULL);
	define(f[0], "_serverAssert", false);
	define(f[0], "debugCommand", false);
	f[1] = tu("/p/redis-cli.c", NULL);
	define(f[1], "main", false);
	call(f[1], "_serverAssert");
	f[2] = tu("/p/redisassert.c", NULL);
	define(f[2], "_serverAssert", false);
	f[3] = tu("/p/server.c", NULL);
	define(f[3], "main", false);
	call(f[3], "_serverAssert"); /* met first, chosen last */
	call(f[3], "debugCommand");
	expect_split(f, 4, "main 1 2; main 0 3");
}

Test(programs, another_main_is_never_pulled_in)
{
	lc_facts *f[2];
	f[0] = tu("/p/a.c", NULL);
	define(f[0], "main", false);
	call(f[0], "shared");
	f[1] = tu("/p/b.c", NULL);
	define(f[1], "main", false);
	define(f[1], "shared", false);
	expect_split(f, 2, "main 0; main 1");
}

Test(programs, without_main_everything_is_one_program)
{
	lc_facts *f[3];
	f[0] = tu("/p/addon.c", NULL);
	define(f[0], "napi_register_module_v1", false);
	f[1] = tu("/p/lib.c", NULL);
	define(f[1], "work", false);
	f[2] = tu("/p/lib2.c", NULL);
	define(f[2], "work", false); /* a duplicate stays the linker's business */
	expect_split(f, 3, "whole 0 1 2");

	lc_partition *p = lc_partition_programs(NULL, 0);
	cr_assert_eq(p->nparts, 1);
	cr_expect_eq(p->parts[0].ntus, 0);
	lc_partition_free(p);
}

Test(programs, missing_tus_join_no_program)
{
	lc_facts *f[3] = { NULL, NULL, NULL };
	f[1] = tu("/p/main.c", NULL);
	define(f[1], "main", false);
	expect_split(f, 3, "main 1");
}

/* ---- merge ------------------------------------------------------------------ */

static lc_finding *add_finding(lc_result *r, const char *rule, const char *file, unsigned line,
			       const char *callee, const char *fp, const char *message)
{
	lc_finding f = { 0 };
	f.rule = rule;
	f.loc.file = file;
	f.loc.line = line;
	f.loc.column = 3;
	f.callee = callee;
	f.fingerprint = fp;
	f.message = message;
	lc_vec_push(&r->findings, f);
	return &r->findings.ptr[r->findings.len - 1];
}

static void add_error(lc_result *r, lc_error_kind kind, const char *file, const char *message)
{
	lc_error e = { 0 };
	e.kind = kind;
	e.file = file;
	e.loc.file = file;
	e.message = message;
	lc_vec_push(&r->errors, e);
}

Test(programs, merge_keeps_a_shared_finding_once_and_fingerprints_distinct)
{
	lc_result *a = lc_result_new(), *b = lc_result_new(), *into = lc_result_new();
	/* a: the shared call site, and a call in a macro expansion. */
	add_finding(a, "blocking/file-io", "/p/lib.c", 10, "fopen", "aaaa000000000001",
		    "reached from on_tick");
	add_finding(a, "blocking/sleep", "/p/z.c", 5, "sleep", "aaaa000000000002", "x");
	a->stats.functions = 3;
	a->stats.call_edges = 2;
	a->stats.entries_loop = 1;
	add_error(a, LC_ERR_PARTIAL, "/p/lib.c", "parsed with 1 error");
	/* b: the same call site reached otherwise, and a finding elsewhere whose
	 * fingerprint collides with one of a's. */
	add_finding(b, "blocking/file-io", "/p/lib.c", 10, "fopen", "bbbb000000000001",
		    "reached from on_read");
	add_finding(b, "blocking/file-io", "/p/b.c", 7, "fopen", "aaaa000000000001", "y");
	/* The macro expansion holds two calls that b reaches: one more is kept. */
	add_finding(b, "blocking/sleep", "/p/z.c", 5, "sleep", "bbbb000000000003", "x");
	add_finding(b, "blocking/sleep", "/p/z.c", 5, "sleep", "bbbb000000000004", "x");
	b->stats.functions = 4;
	b->stats.call_edges = 5;
	b->stats.entries_loop = 2;
	b->stats.duplicate_definitions = 1;
	add_error(b, LC_ERR_PARTIAL, "/p/lib.c", "parsed with 1 error");

	lc_facts *f[2];
	f[0] = tu("/p/lib.c", NULL);
	lc_diag dg = { { "/p/lib.c", 1, 1 }, "oops", false };
	lc_vec_push(&f[0]->diags, dg);
	f[1] = tu("/p/b.c", NULL);
	f[1]->failed = true;

	lc_result *parts[2] = { a, b };
	lc_programs_merge(into, parts, 2, f, 2);
	cr_assert_eq(into->findings.len, 4);
	/* Sorted by file: b.c, lib.c, z.c, z.c. */
	cr_expect_str_eq(into->findings.ptr[0].loc.file, "/p/b.c");
	cr_expect_str_eq(into->findings.ptr[1].loc.file, "/p/lib.c");
	cr_expect_str_eq(into->findings.ptr[1].message, "reached from on_tick"); /* the first program's */
	cr_expect_str_eq(into->findings.ptr[2].loc.file, "/p/z.c");
	cr_expect_str_eq(into->findings.ptr[3].loc.file, "/p/z.c");
	/* a's, and the second of b's (the sort may put either first). */
	const char *z1 = into->findings.ptr[2].fingerprint, *z2 = into->findings.ptr[3].fingerprint;
	cr_expect((strcmp(z1, "aaaa000000000002") == 0 && strcmp(z2, "bbbb000000000004") == 0) ||
		  (strcmp(z2, "aaaa000000000002") == 0 && strcmp(z1, "bbbb000000000004") == 0),
		  "%s %s", z1, z2);
	/* b.c's finding came first in report order and keeps its fingerprint;
	 * lib.c's, equal to it, is hashed again. */
	cr_expect_str_eq(into->findings.ptr[0].fingerprint, "aaaa000000000001");
	cr_expect_str_neq(into->findings.ptr[1].fingerprint, "aaaa000000000001");
	cr_expect_eq(strlen(into->findings.ptr[1].fingerprint), 16);
	for (size_t i = 0; i < into->findings.len; i++)
		for (size_t j = i + 1; j < into->findings.len; j++)
			cr_expect_str_neq(into->findings.ptr[i].fingerprint,
					  into->findings.ptr[j].fingerprint);
	cr_expect_eq(into->errors.len, 1);
	cr_expect_eq(into->stats.functions, 7);
	cr_expect_eq(into->stats.call_edges, 7);
	cr_expect_eq(into->stats.entries_loop, 3);
	cr_expect_eq(into->stats.duplicate_definitions, 1);
	cr_expect_eq(into->stats.tus, 2);
	cr_expect_eq(into->stats.tus_partial, 1);
	cr_expect_eq(into->stats.tus_failed, 1);
	lc_result_free(into);
	lc_result_free(a);
	lc_result_free(b);
	free_all(f, 2);
}

/* ---- the facts the split needs ---------------------------------------------- */

Test(programs, extraction_records_globals_uses_and_arguments)
{
	char dir[] = "/tmp/lc-programs-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = lc_xasprintf("%s/tool_table.c", dir);
	FILE *out = fopen(path, "w");
	cr_assert_not_null(out);
	fputs("#include <stdio.h>\n"
	      "struct reg { int (*fn)(int); };\n"
	      "extern int verbose;\n"
	      "extern int counter;\n"
	      "int counter;\n"
	      "int call_all(const struct reg *r, int x);\n"
	      "int local_helper(int x) { return x + counter; }\n"
	      "static int load(int x) { FILE *f = fopen(\"/etc/hosts\", \"r\");\n"
	      "  if (f && verbose) fclose(f); return call_all(0, local_helper(x)); }\n"
	      "const struct reg tool_table[] = { { load } };\n"
	      "static int hidden;\n"
	      "int *peek(void) { extern int late; return &late + hidden; }\n",
	      out);
	fclose(out);
	const char *args[] = { "-DTOOL", "-std=c11" };
	lc_facts *f = lc_parse_one(path, NULL, args, 2);
	cr_assert(!f->failed);
	cr_assert_eq(f->args.len, 2);
	cr_expect_str_eq(f->args.ptr[0], "-DTOOL");
	/* Defined: counter and tool_table (not the extern declarations, not
	 * the static). */
	cr_assert_eq(f->globals.len, 2);
	cr_expect_str_eq(f->globals.ptr[0], "c:@counter");
	cr_expect_str_eq(f->globals.ptr[1], "c:@tool_table");
	/* Used from elsewhere, in order of first use: not what the TU defines
	 * (counter, local_helper), not the library (fopen, fclose). */
	cr_assert_eq(f->uses.len, 3, "%zu uses", f->uses.len);
	cr_expect_str_eq(f->uses.ptr[0], "c:@verbose");
	cr_expect_str_eq(f->uses.ptr[1], "c:@F@call_all");
	cr_expect_str_eq(f->uses.ptr[2], "c:@late");

	/* Through a summary moved to another root: compile arguments that name
	 * paths below the root move with it. */
	lc_vec_push(&f->args, lc_arena_strdup(f->arena, "-I/src/proj/include"));
	lc_vec_push(&f->args, lc_arena_strdup(f->arena, "/src/proj/build"));
	lc_vec_push(&f->args, lc_arena_strdup(f->arena, "-I/usr/include/glib-2.0"));
	size_t len;
	const lc_facts *cf = f;
	char *buf = lc_summary_encode(&cf, NULL, 1, "/src/proj", &len);
	cr_expect_null(memmem(buf, len, "/src/proj", 9), "the root is stored");
	char *err = NULL;
	lc_summary *s = lc_summary_decode(buf, len, "/home/me/proj", &err);
	cr_assert_not_null(s, "%s", err);
	const lc_facts *g = s->facts[0];
	cr_assert_eq(g->args.len, 5);
	cr_expect_str_eq(g->args.ptr[0], "-DTOOL");
	cr_expect_str_eq(g->args.ptr[2], "-I/home/me/proj/include");
	cr_expect_str_eq(g->args.ptr[3], "/home/me/proj/build");
	cr_expect_str_eq(g->args.ptr[4], "-I/usr/include/glib-2.0");
	cr_assert_eq(g->globals.len, 2);
	cr_expect_str_eq(g->globals.ptr[1], "c:@tool_table");
	cr_assert_eq(g->uses.len, 3);
	cr_expect_str_eq(g->uses.ptr[2], "c:@late");
	/* Every truncation is refused, never read past. */
	for (size_t cut = 1; cut < len; cut += 7) {
		lc_summary *t = lc_summary_decode(buf, cut, NULL, &err);
		cr_expect_null(t);
		free(err);
		err = NULL;
	}
	lc_summary_free(s);
	free(buf);
	lc_facts_free(f);
	unlink(path);
	rmdir(dir);
	free(path);
}
