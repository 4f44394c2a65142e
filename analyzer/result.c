/* result.c - see result.h. */
#include "result.h"

#include <stdlib.h>
#include <string.h>

lc_result *lc_result_new(void)
{
	lc_result *r = lc_xcalloc(1, sizeof(*r));
	r->arena = lc_arena_new();
	return r;
}

void lc_result_free(lc_result *r)
{
	if (!r)
		return;
	lc_vec_free(&r->findings);
	lc_vec_free(&r->errors);
	lc_arena_free(r->arena);
	free(r);
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const lc_finding *a = pa, *b = pb;
	int c = strcmp_null(a->loc.file, b->loc.file);
	if (c)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.column != b->loc.column)
		return a->loc.column < b->loc.column ? -1 : 1;
	if ((c = strcmp_null(a->rule, b->rule)))
		return c;
	return strcmp_null(a->callee, b->callee);
}

void lc_result_sort(lc_result *r)
{
	if (r->findings.len > 1)
		qsort(r->findings.ptr, r->findings.len, sizeof(lc_finding), finding_cmp);
}
