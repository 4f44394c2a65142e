/* test_extract.c - facts extracted from source given in memory. */
#include <criterion/criterion.h>

#include <string.h>

#include "facts.h"
#include "parse.h"

static const lc_call *call_named(const lc_facts *f, const char *name, unsigned line)
{
	for (size_t i = 0; i < f->calls.len; i++)
		if (strcmp(f->calls.ptr[i].name, name) == 0 && f->calls.ptr[i].loc.line == line)
			return &f->calls.ptr[i];
	return NULL;
}

static lc_facts *parse_c11(const char *path, const char *src)
{
	const char *args[] = { "-std=c11" };
	lc_facts *f = lc_parse_one(path, src, args, 1);
	cr_assert_not_null(f);
	cr_assert(!f->failed);
	return f;
}

/* The macro a call comes from is known without a detailed preprocessing
 * record: for a call in a macro body it is the outermost macro, invoked
 * where the call is reported; a call in a macro argument is reported where
 * it is written, and has none. */
Test(extract, macro_names_of_calls)
{
	const char *src = "void blocking(int);\n"                      /* 1 */
			  "#define INNER(x) blocking(x)\n"            /* 2 */
			  "#define OUTER(x) INNER(x)\n"               /* 3 */
			  "#define WRAP(e) do { e; } while (0)\n"     /* 4 */
			  "void f(void)\n"                            /* 5 */
			  "{\n"                                       /* 6 */
			  "\tblocking(1);\n"                          /* 7 */
			  "\tINNER(2);\n"                             /* 8 */
			  "\t  OUTER(3);\n"                           /* 9 */
			  "\tWRAP(blocking(4));\n"                    /* 10 */
			  "}\n";
	lc_facts *f = parse_c11("/virtual/macros.c", src);

	const lc_call *plain = call_named(f, "blocking", 7);
	cr_assert_not_null(plain);
	cr_assert_null(plain->macro, "plain call has macro %s", plain->macro);

	const lc_call *in_body = call_named(f, "blocking", 8);
	cr_assert_not_null(in_body);
	cr_assert_str_eq(in_body->macro, "INNER");

	const lc_call *nested = call_named(f, "blocking", 9);
	cr_assert_not_null(nested);
	cr_assert_str_eq(nested->macro, "OUTER");
	cr_assert_eq(nested->loc.column, 4);

	const lc_call *in_arg = call_named(f, "blocking", 10);
	cr_assert_not_null(in_arg);
	cr_assert_null(in_arg->macro, "call in a macro argument has macro %s", in_arg->macro);
	cr_assert_eq(in_arg->loc.column, 7, "a macro argument is reported where it is written");
	lc_facts_free(f);
}

/* Calls in a branch that can never run are not recorded; calls in the
 * condition, in the live branch and in do { } while (0) are. */
Test(extract, dead_branches)
{
	const char *src = "void blocking(int);\n"                           /* 1 */
			  "void take(int *);\n"                             /* 2 */
			  "static int verbose = 0;\n"                       /* 3 */
			  "static int level;\n"                             /* 4 */
			  "void set(void) { level = 1; }\n"                 /* 5 */
			  "void f(int param)\n"                             /* 6 */
			  "{\n"                                             /* 7 */
			  "\tint debug = 0, changed = 0, escapes = 0;\n"    /* 8 */
			  "\tif (debug) blocking(9);\n"                     /* 9 */
			  "\tif (!debug) blocking(10); else blocking(10);\n" /* 10 */
			  "\tif (0 && param) blocking(11);\n"               /* 11 */
			  "\twhile (0) { blocking(12); }\n"                 /* 12 */
			  "\tdo { blocking(13); } while (0);\n"             /* 13 */
			  "\tif (verbose) blocking(14);\n"                  /* 14 */
			  "\tif (level) blocking(15);\n"                    /* 15 */
			  "\tif (param) blocking(16);\n"                    /* 16 */
			  "\tchanged++;\n"                                  /* 17 */
			  "\tif (changed) blocking(18);\n"                  /* 18 */
			  "\ttake(&escapes);\n"                             /* 19 */
			  "\tif ((escapes)) blocking(20);\n"                /* 20 */
			  "\tif (blocking(21), 0) blocking(21);\n"          /* 21 */
			  "\tif ((debug)) blocking(22);\n"                  /* 22: read, not written */
			  "}\n";
	lc_facts *f = parse_c11("/virtual/dead.c", src);

	static const unsigned dead[] = { 9, 11, 12, 14, 22 };
	for (size_t i = 0; i < sizeof dead / sizeof dead[0]; i++)
		cr_expect_null(call_named(f, "blocking", dead[i]), "dead call at line %u recorded",
			       dead[i]);
	static const unsigned live[] = { 10, 13, 15, 16, 18, 20, 21 };
	for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
		cr_expect_not_null(call_named(f, "blocking", live[i]), "live call at line %u missing",
				   live[i]);

	unsigned on_line[22] = { 0 };
	for (size_t i = 0; i < f->calls.len; i++)
		if (f->calls.ptr[i].loc.line < 22)
			on_line[f->calls.ptr[i].loc.line]++;
	cr_expect_eq(on_line[10], 1, "the else of if (!debug) is dead, its then is not");
	cr_expect_eq(on_line[21], 1, "the condition's call is recorded, the branch's is not");
	cr_expect_eq(f->loops.len, 1, "only do { } while (0) is a loop, not while (0)");
	lc_facts_free(f);
}
