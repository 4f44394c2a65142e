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
	const char *args[] = { "-std=c11" };
	lc_facts *f = lc_parse_one("/virtual/macros.c", src, args, 1);
	cr_assert_not_null(f);
	cr_assert(!f->failed);

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
