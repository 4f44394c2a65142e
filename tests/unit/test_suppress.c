/* test_suppress.c - the suppression lexer and matcher (suppress.h).
 *
 * The lexer is fed text directly under made-up absolute paths ("/src/a.c");
 * the matcher gets results built by hand; lc_suppress_apply reads real files
 * from a mkdtemp directory.
 */
#define _GNU_SOURCE
#include "result.h"
#include "suppress.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static lc_suppress_stats st;

static void setup(void)
{
	lc_suppress_stats_init(&st);
}

static void teardown(void)
{
	lc_suppress_stats_release(&st);
}

TestSuite(suppress, .init = setup, .fini = teardown);

static void scan(const char *text)
{
	lc_suppress_scan(&st, "/src/a.c", text, strlen(text));
}

static const lc_suppression *only(void)
{
	cr_assert_eq(st.problems.len, 0, "unexpected problem: %s",
		     st.problems.len ? st.problems.ptr[0].message : "");
	cr_assert_eq(st.suppressions.len, 1, "want 1 suppression, got %zu", st.suppressions.len);
	return &st.suppressions.ptr[0];
}

/* --- the lexer --------------------------------------------------------------- */

Test(suppress, line_comment_with_rule_and_reason)
{
	scan("int a;\n\tsleep(1); // loopcheck-ignore(blocking/sleep): waits for the disk  \n");
	const lc_suppression *s = only();
	cr_assert_eq(s->kind, LC_SUPPRESS_LINE);
	cr_assert_str_eq(s->file, "/src/a.c");
	cr_assert_eq(s->line, 2);
	cr_assert_eq(s->column, 15);
	cr_assert_eq(s->target_line, 2);
	cr_assert_eq(s->nrules, 1);
	cr_assert_str_eq(s->rules[0], "blocking/sleep");
	cr_assert_str_eq(s->reason, "waits for the disk");
	cr_assert_str_eq(s->directive, "loopcheck-ignore(blocking/sleep)");
	cr_assert_eq(s->uses, 0);
}

Test(suppress, block_comment_forms)
{
	scan("a(); /* loopcheck-ignore */\n"
	     "b(); /*loopcheck-ignore( blocking/sleep ,blocking/lock ):why*/ c();\n"
	     "d(); /** loopcheck-ignore: doc style **/\n");
	cr_assert_eq(st.problems.len, 0);
	cr_assert_eq(st.suppressions.len, 3);
	const lc_suppression *s = &st.suppressions.ptr[0];
	cr_assert_eq(s->nrules, 0);
	cr_assert_null(s->rules);
	cr_assert_null(s->reason);
	cr_assert_str_eq(s->directive, "loopcheck-ignore");
	s = &st.suppressions.ptr[1];
	cr_assert_eq(s->line, 2);
	cr_assert_eq(s->nrules, 2);
	cr_assert_str_eq(s->rules[0], "blocking/sleep");
	cr_assert_str_eq(s->rules[1], "blocking/lock");
	cr_assert_str_eq(s->reason, "why");
	cr_assert_str_eq(s->directive, "loopcheck-ignore(blocking/sleep, blocking/lock)");
	s = &st.suppressions.ptr[2];
	cr_assert_str_eq(s->reason, "doc style");
}

Test(suppress, comments_inside_literals_are_not_comments)
{
	scan("const char *s = \"// loopcheck-ignore: in a string\";\n"
	     "const char *t = \"say \\\"/* loopcheck-ignore */\\\" twice\";\n"
	     "char q = '\"'; const char *u = \"/* loopcheck-ignore */\";\n"
	     "char r = '\\''; int x = 1'000; // loopcheck-ignore: the real one\n"
	     "const char *v = \"a\\\n// loopcheck-ignore: still in the string\";\n");
	const lc_suppression *s = only();
	cr_assert_eq(s->line, 4);
	cr_assert_str_eq(s->reason, "the real one");
}

Test(suppress, a_string_does_not_run_past_the_end_of_its_line)
{
	/* An apostrophe in #error text must not swallow the next line. */
	scan("#error don't\n"
	     "x(); // loopcheck-ignore: found\n");
	cr_assert_eq(only()->line, 2);
}

Test(suppress, prose_mentioning_the_keyword_is_not_a_directive)
{
	scan("/* Use loopcheck-ignore(RULE) to silence a finding. */\n"
	     "// see also loopcheck-ignore-next-line\n"
	     "int no_loopcheck_ignore;\n"
	     "/*\n"
	     " * Shutdown handler.\n"
	     " *\n"
	     " * loopcheck-ignore-function: blocking is fine\n"
	     " */\n"
	     "void on_exit_cb(void)\n"
	     "{\n"
	     "}\n");
	const lc_suppression *s = only();
	cr_assert_eq(s->kind, LC_SUPPRESS_FUNCTION);
	cr_assert_eq(s->line, 7);
	cr_assert_eq(s->column, 4);
	cr_assert_str_eq(s->reason, "blocking is fine");
	cr_assert_eq(s->target_line, 9);
	cr_assert_eq(s->nfunctions, 1);
	cr_assert_str_eq(s->functions[0], "on_exit_cb");
}

Test(suppress, next_line_is_the_line_after_the_comment)
{
	scan("// loopcheck-ignore-next-line(blocking/*)\n"
	     "usleep(1);\n"
	     "/* loopcheck-ignore-next-line(cpu/hotspot): a reason that goes on\n"
	     " * over two lines */\n"
	     "for (;;) {}\n");
	cr_assert_eq(st.problems.len, 0);
	cr_assert_eq(st.suppressions.len, 2);
	const lc_suppression *s = &st.suppressions.ptr[0];
	cr_assert_eq(s->kind, LC_SUPPRESS_NEXT_LINE);
	cr_assert_eq(s->line, 1);
	cr_assert_eq(s->target_line, 2);
	cr_assert_str_eq(s->rules[0], "blocking/*");
	cr_assert_null(s->reason);
	s = &st.suppressions.ptr[1];
	cr_assert_eq(s->line, 3);
	cr_assert_eq(s->target_line, 5);
	cr_assert_str_eq(s->reason, "a reason that goes on over two lines");
}

Test(suppress, line_continuations)
{
	/* A // comment continued by backslash-newline goes on to the next
	 * line, so -next-line means the line after that one; positions stay
	 * those of the raw text. */
	scan("// loopcheck-ignore-next-line: first \\\n"
	     "second\n"
	     "usleep(1);\n"
	     "x(); /* loopcheck-\\\nignore */\n");
	cr_assert_eq(st.problems.len, 0);
	cr_assert_eq(st.suppressions.len, 2);
	const lc_suppression *s = &st.suppressions.ptr[0];
	cr_assert_eq(s->target_line, 3);
	cr_assert_str_eq(s->reason, "first second");
	s = &st.suppressions.ptr[1];
	cr_assert_eq(s->kind, LC_SUPPRESS_LINE);
	cr_assert_eq(s->line, 4);
	cr_assert_eq(s->column, 9);
}

Test(suppress, crlf_line_endings)
{
	scan("a();\r\nb(); // loopcheck-ignore(blocking/sleep): dos\r\nc();\r\n");
	const lc_suppression *s = only();
	cr_assert_eq(s->line, 2);
	cr_assert_str_eq(s->reason, "dos");
}

Test(suppress, missing_reason)
{
	scan("a(); // loopcheck-ignore(blocking/sleep)\n"
	     "b(); // loopcheck-ignore(blocking/sleep):   \n"
	     "c(); /* loopcheck-ignore(blocking/sleep) */\n");
	cr_assert_eq(st.problems.len, 0);
	cr_assert_eq(st.suppressions.len, 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_null(st.suppressions.ptr[i].reason, "suppression %zu", i);
}

Test(suppress, malformed_directives_are_problems)
{
	scan("a(); // loopcheck-ignore-nextline(blocking/sleep)\n"
	     "b(); // loopcheck-ignore(blocking/sleep\n"
	     "c(); // loopcheck-ignore(blocking/sleep,)\n"
	     "d(); // loopcheck-ignore(blocking sleep)\n"
	     "e(); // loopcheck-ignore blocking/sleep\n"
	     "f(); // loopcheck-ignore()\n");
	cr_assert_eq(st.suppressions.len, 0);
	cr_assert_eq(st.problems.len, 6);
	const lc_suppress_problem *p = st.problems.ptr;
	cr_assert_eq(p[0].line, 1);
	cr_assert_eq(p[0].column, 9);
	cr_assert(strstr(p[0].message, "unknown suppression 'loopcheck-ignore-nextline'"),
		  "%s", p[0].message);
	cr_assert(strstr(p[1].message, "missing ')'"), "%s", p[1].message);
	cr_assert(strstr(p[2].message, "empty rule name"), "%s", p[2].message);
	cr_assert(strstr(p[3].message, "'blocking sleep' is not a rule id"), "%s", p[3].message);
	cr_assert(strstr(p[4].message, "expected ':'"), "%s", p[4].message);
	cr_assert(strstr(p[5].message, "empty rule name"), "%s", p[5].message);
	for (size_t i = 0; i < 6; i++) {
		cr_assert_eq(p[i].line, i + 1);
		cr_assert_str_eq(p[i].file, "/src/a.c");
	}
}

Test(suppress, function_on_the_definition_line)
{
	scan("static void on_close(uv_handle_t *h) /* loopcheck-ignore-function: bye */\n"
	     "{\n"
	     "}\n");
	const lc_suppression *s = only();
	cr_assert_eq(s->kind, LC_SUPPRESS_FUNCTION);
	cr_assert_eq(s->target_line, 1);
	cr_assert_eq(s->nfunctions, 1);
	cr_assert_str_eq(s->functions[0], "on_close");
	cr_assert_str_eq(s->reason, "bye");
}

Test(suppress, function_above_the_definition)
{
	scan("// loopcheck-ignore-function(blocking/file-io)\n"
	     "__attribute__((cold)) static void LC_NORETURN(x) shutdown_cb (int a,\n"
	     "\t\tint b)\n"
	     "{\n"
	     "\tif (a) sleep(b);\n"
	     "}\n");
	const lc_suppression *s = only();
	cr_assert_eq(s->target_line, 2);
	/* Every identifier before '(' on the line, keywords left out. */
	cr_assert_eq(s->nfunctions, 2);
	cr_assert_str_eq(s->functions[0], "LC_NORETURN");
	cr_assert_str_eq(s->functions[1], "shutdown_cb");
}

Test(suppress, function_gnu_style)
{
	scan("/* loopcheck-ignore-function: GNU style */\n"
	     "\n"
	     "static int\n"
	     "refresh_cache (void)\n"
	     "{\n"
	     "\treturn 0;\n"
	     "}\n");
	const lc_suppression *s = only();
	cr_assert_eq(s->target_line, 4);
	cr_assert_str_eq(s->functions[0], "refresh_cache");
}

Test(suppress, function_without_a_definition_is_a_problem)
{
	scan("int x; // loopcheck-ignore-function\n"
	     "// loopcheck-ignore-function\n"
	     "int a;\n"
	     "int b;\n"
	     "int c;\n"
	     "int d(void);\n");
	cr_assert_eq(st.suppressions.len, 0);
	cr_assert_eq(st.problems.len, 2);
	cr_assert_eq(st.problems.ptr[1].line, 2);
	cr_assert(strstr(st.problems.ptr[1].message, "neither on nor just above a function"),
		  "%s", st.problems.ptr[1].message);
}

Test(suppress, unterminated_block_comment)
{
	scan("x(); /* loopcheck-ignore: never closed\n");
	const lc_suppression *s = only();
	cr_assert_str_eq(s->reason, "never closed");
}

Test(suppress, empty_and_binary_text)
{
	scan("");
	lc_suppress_scan(&st, "/src/b.c", "a\0/* loopcheck-ignore */\n", 25);
	const lc_suppression *s = only();
	cr_assert_str_eq(s->file, "/src/b.c");
}

/* --- rule patterns ------------------------------------------------------------- */

Test(suppress, rule_patterns)
{
	cr_assert(lc_suppress_rule_matches("blocking/sleep", "blocking/sleep"));
	cr_assert_not(lc_suppress_rule_matches("blocking/sleep", "blocking/sleep-x"));
	cr_assert(lc_suppress_rule_matches("blocking/*", "blocking/file-io"));
	cr_assert_not(lc_suppress_rule_matches("blocking/*", "cpu/hotspot"));
	cr_assert(lc_suppress_rule_matches("blocking", "blocking/lock"));
	cr_assert_not(lc_suppress_rule_matches("blocking", "blockingx/lock"));
	cr_assert_not(lc_suppress_rule_matches("block", "blocking/lock"));
	cr_assert(lc_suppress_rule_matches("*", "callback/nesting"));
	cr_assert(lc_suppress_rule_matches("cpu/hot*", "cpu/hotspot"));
	cr_assert(lc_suppress_rule_matches("blocking/?leep", "blocking/sleep"));
	cr_assert_not(lc_suppress_rule_matches(NULL, "blocking/sleep"));
}

/* --- matching ------------------------------------------------------------------ */

static lc_result *R;

static const char *S(const char *s)
{
	return lc_arena_strdup(R->arena, s);
}

/* A finding of `rule` at file:line in `fn`, reached from callback `cb`
 * (defined at cb_line) through `mid` (called from cb at cb_line + 2),
 * registered in main. */
static lc_finding *add(const char *rule, const char *file, unsigned line, const char *fn,
		       const char *cb, unsigned cb_line, const char *mid)
{
	lc_finding f = { 0 };
	f.rule = S(rule);
	f.severity = LC_SEV_WARNING;
	f.message = S("Blocking");
	f.loc = (lc_loc){ S(file), line, 2 };
	f.function = S(fn);
	f.callee = S("sleep");
	f.entry.callback = S(cb);
	f.entry.definition = (lc_loc){ S(file), cb_line, 13 };
	f.entry.registration = (lc_loc){ S("/src/main.c"), 40, 2 };
	f.chain = lc_arena_alloc(R->arena, 5 * sizeof(lc_step));
	size_t k = 0;
	f.chain[k++] = (lc_step){ LC_STEP_REGISTRATION, { S("/src/main.c"), 40, 2 }, S("main"),
				  S("uv_timer_start"), S("registered") };
	f.chain[k++] = (lc_step){ LC_STEP_CALLBACK, { S(file), cb_line, 13 }, S(cb), NULL, S("runs") };
	if (mid) {
		f.chain[k++] = (lc_step){ LC_STEP_CALL, { S(file), cb_line + 2, 2 }, S(cb), S(mid),
					  S("calls") };
		f.chain[k++] = (lc_step){ LC_STEP_CALL, { S(file), line - 1, 2 }, S(mid), S(fn),
					  S("calls") };
	}
	f.chain[k++] = (lc_step){ LC_STEP_BLOCKING, { S(file), line, 2 }, S(fn), S("sleep"),
				  S("blocks") };
	f.nchain = k;
	lc_vec_push(&R->findings, f);
	return &R->findings.ptr[R->findings.len - 1];
}

static void match_setup(void)
{
	setup();
	R = lc_result_new();
}

static void match_teardown(void)
{
	lc_result_free(R);
	teardown();
}

TestSuite(match, .init = match_setup, .fini = match_teardown);

Test(match, same_line_and_next_line)
{
	scan("\n\n"
	     "sleep(1); // loopcheck-ignore(blocking/sleep): three\n"          /* 3 */
	     "// loopcheck-ignore-next-line(blocking/*): five\n"               /* 4 */
	     "sleep(1);\n"                                                     /* 5 */
	     "sleep(1); // loopcheck-ignore(blocking/file-io): wrong rule\n"   /* 6 */
	     "sleep(1);\n");                                                   /* 7 */
	add("blocking/sleep", "/src/a.c", 3, "f", "cb", 1, NULL);
	add("blocking/sleep", "/src/a.c", 5, "f", "cb", 1, NULL);
	add("blocking/sleep", "/src/a.c", 6, "f", "cb", 1, NULL);
	add("blocking/sleep", "/src/a.c", 7, "f", "cb", 1, NULL);
	add("blocking/sleep", "/src/other.c", 3, "f", "cb", 1, NULL);
	cr_assert_eq(lc_suppress_match(&st, R), 2);
	lc_finding *f = R->findings.ptr;
	cr_assert(f[0].suppressed);
	cr_assert_str_eq(f[0].suppression_reason, "three");
	cr_assert(f[1].suppressed);
	cr_assert_str_eq(f[1].suppression_reason, "five");
	cr_assert_not(f[2].suppressed);
	cr_assert_null(f[2].suppression_reason);
	cr_assert_not(f[3].suppressed);
	cr_assert_not(f[4].suppressed, "same line, other file");
	cr_assert_eq(st.suppressions.ptr[0].uses, 1);
	cr_assert_eq(st.suppressions.ptr[1].uses, 1);
	cr_assert_eq(st.suppressions.ptr[2].uses, 0);
	cr_assert_eq(lc_suppress_unused_count(&st), 1);
}

Test(match, function_through_the_chain)
{
	/* Line 1: the callback; line 10: the helper on the way. */
	scan("static void on_tick(uv_timer_t *t) // loopcheck-ignore-function(blocking/sleep): cb\n"
	     "{\n"
	     "\thelper();\n"
	     "}\n"
	     "\n"
	     "\n"
	     "\n"
	     "\n"
	     "// loopcheck-ignore-function: on the way\n"
	     "static void helper(void)\n"
	     "{\n"
	     "\tsleep(1);\n"
	     "}\n");
	cr_assert_eq(st.problems.len, 0);
	cr_assert_eq(st.suppressions.len, 2);
	/* Through the callback (its chain's CALLBACK step). */
	add("blocking/sleep", "/src/a.c", 30, "deep", "on_tick", 1, NULL);
	/* The callback's rule list does not take file I/O. */
	add("blocking/file-io", "/src/a.c", 31, "deep", "on_tick", 1, NULL);
	/* Through helper, a CALL step. */
	add("blocking/file-io", "/src/a.c", 32, "deep", "other_cb", 20, "helper");
	/* In helper itself (the BLOCKING step). */
	add("blocking/lock", "/src/a.c", 12, "helper", "other_cb", 20, NULL);
	/* A function named helper in another file is another function. */
	add("blocking/lock", "/src/b.c", 12, "helper", "other_cb", 20, NULL);
	/* main registers everything: its step does not count, so a
	 * suppression there would not match (none here; just no match). */
	add("blocking/dns", "/src/a.c", 33, "deep", "unrelated", 50, NULL);
	lc_suppress_match(&st, R);
	lc_finding *f = R->findings.ptr;
	cr_assert(f[0].suppressed);
	cr_assert_str_eq(f[0].suppression_reason, "cb");
	cr_assert_not(f[1].suppressed);
	cr_assert(f[2].suppressed);
	cr_assert_str_eq(f[2].suppression_reason, "on the way");
	cr_assert(f[3].suppressed);
	cr_assert_not(f[4].suppressed);
	cr_assert_not(f[5].suppressed);
	cr_assert_eq(st.suppressions.ptr[0].uses, 1);
	cr_assert_eq(st.suppressions.ptr[1].uses, 2);
	cr_assert_eq(lc_suppress_unused_count(&st), 0);
}

Test(match, registering_function_is_not_on_the_path)
{
	static const char main_c[] = "// loopcheck-ignore-function\nint main(void)\n{\n}\n";
	lc_suppress_scan(&st, "/src/main.c", main_c, strlen(main_c));
	cr_assert_eq(st.suppressions.len, 1);
	add("blocking/sleep", "/src/a.c", 3, "f", "cb", 1, NULL);
	cr_assert_eq(lc_suppress_match(&st, R), 0);
	cr_assert_eq(lc_suppress_unused_count(&st), 1);
}

Test(match, most_specific_reason_wins_and_every_match_counts)
{
	scan("void cb(void) // loopcheck-ignore-function: function reason\n"
	     "{\n"
	     "\tsleep(1); // loopcheck-ignore(blocking/sleep): line reason\n"
	     "\tsleep(2); // loopcheck-ignore\n"
	     "}\n");
	add("blocking/sleep", "/src/a.c", 3, "cb", "cb", 1, NULL);
	add("blocking/sleep", "/src/a.c", 4, "cb", "cb", 1, NULL);
	cr_assert_eq(lc_suppress_match(&st, R), 2);
	cr_assert_str_eq(R->findings.ptr[0].suppression_reason, "line reason");
	/* The line suppression has no reason: the function's is used. */
	cr_assert_str_eq(R->findings.ptr[1].suppression_reason, "function reason");
	cr_assert_eq(st.suppressions.ptr[0].uses, 2);
	cr_assert_eq(st.suppressions.ptr[1].uses, 1);
	cr_assert_eq(st.suppressions.ptr[2].uses, 1);
}

Test(match, already_suppressed_findings_still_use_the_suppression)
{
	scan("sleep(1); // loopcheck-ignore\n");
	lc_finding *f = add("blocking/sleep", "/src/a.c", 1, "f", "cb", 1, NULL);
	f->suppressed = true;
	f->suppression_reason = "earlier";
	cr_assert_eq(lc_suppress_match(&st, R), 0);
	cr_assert_str_eq(R->findings.ptr[0].suppression_reason, "earlier");
	cr_assert_eq(st.suppressions.ptr[0].uses, 1);
}

/* --- the stage, on real files ----------------------------------------------- */

static char dir[64];

static char *write_tmp(const char *name, const char *text)
{
	char *p = lc_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void files_setup(void)
{
	match_setup();
	strcpy(dir, "/tmp/lc-suppress-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void files_teardown(void)
{
	char *cmd = lc_xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	match_teardown();
}

TestSuite(apply, .init = files_setup, .fini = files_teardown);

Test(apply, reads_each_file_once_and_reports_unused)
{
	char *a = write_tmp("a.c", "x();\nsleep(1); /* loopcheck-ignore(blocking/sleep): ok */\n");
	char *h = write_tmp("a.h", "// loopcheck-ignore-next-line: unused here\nint x;\n"
				   "// loopcheck-ignore-bogus\n");
	char *gone = lc_xasprintf("%s/gone.c", dir);
	char *dotted = lc_xasprintf("%s/./a.c", dir);
	const char *files[] = { a, h, dotted, gone, h };
	add("blocking/sleep", a, 2, "f", "cb", 1, NULL);

	lc_suppress_apply(R, files, 5, &st);
	cr_assert_eq(st.files_scanned, 2);
	cr_assert_eq(st.files_unreadable, 2); /* gone.c, and main.c of the registration */
	cr_assert_eq(st.suppressed, 1);
	cr_assert(R->findings.ptr[0].suppressed);
	cr_assert_str_eq(R->findings.ptr[0].suppression_reason, "ok");
	cr_assert_eq(st.suppressions.len, 2);
	cr_assert_eq(lc_suppress_unused_count(&st), 1);
	cr_assert_eq(st.problems.len, 1);

	/* stderr lines, paths relative to the source root, and notices. */
	lc_report_opts opts = { 0 };
	opts.srcroot = dir;
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem = open_memstream(&out, &outlen);
	size_t nerr = R->errors.len;
	lc_suppress_report(&st, true, &opts, mem, R);
	fclose(mem);
	cr_assert_str_eq(out,
		"a.h:3:4: warning: unknown suppression 'loopcheck-ignore-bogus' (expected "
		"loopcheck-ignore, loopcheck-ignore-next-line or loopcheck-ignore-function) "
		"[loopcheck/invalid-suppression]\n"
		"a.h:1:4: warning: unused loopcheck suppression 'loopcheck-ignore-next-line' "
		"[loopcheck/unused-suppression]\n");
	cr_assert_eq(R->errors.len, nerr + 2);
	const lc_error *e = &R->errors.ptr[nerr + 1];
	cr_assert_eq(e->kind, LC_ERR_NOTICE);
	cr_assert_str_eq(e->id, "loopcheck/unused-suppression");
	cr_assert_eq(e->loc.line, 1);
	cr_assert_eq(e->loc.column, 4);
	cr_assert(strstr(e->loc.file, "/a.h") != NULL);
	free(out);

	/* Without `unused`, only the problems. */
	out = NULL;
	mem = open_memstream(&out, &outlen);
	lc_suppress_report(&st, false, &opts, mem, NULL);
	fclose(mem);
	cr_assert(strstr(out, "invalid-suppression") && !strstr(out, "unused"), "%s", out);
	free(out);
	free(a);
	free(h);
	free(gone);
	free(dotted);
}

Test(apply, finding_files_are_scanned_without_being_listed)
{
	char *a = write_tmp("cb.c", "void cb(void) // loopcheck-ignore-function: listed nowhere\n{\n}\n");
	add("blocking/sleep", "/nonexistent/deep.c", 7, "deep", "cb", 1, "mid");
	/* The callback step is in cb.c. */
	R->findings.ptr[0].chain[1].loc.file = S(a);
	R->findings.ptr[0].entry.definition.file = S(a);
	lc_suppress_apply(R, NULL, 0, &st);
	cr_assert(R->findings.ptr[0].suppressed);
	cr_assert_str_eq(R->findings.ptr[0].suppression_reason, "listed nowhere");
	/* cb.c; /nonexistent/deep.c and the registration's /src/main.c do
	 * not exist. */
	cr_assert_eq(st.files_scanned, 1);
	free(a);
}
