/* test_scale.c - extract and link as separate steps (scale.h): the canonical
 * order of translation units, reading summaries (directories, lists,
 * duplicates, errors naming the file) and the duplicate-definitions notice.
 *
 * Facts are built by hand: the order and the loader do not care what a TU
 * says, only that two TUs with one main file differ.
 */
#define _GNU_SOURCE
#include "facts.h"
#include "link.h"
#include "report.h"
#include "scale.h"
#include "summary.h"
#include "util.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

LC_TEST_TMPDIR("/tmp/lc-scale-XXXXXX");

TestSuite(scale, .init = setup, .fini = teardown);

/* A TU with main file `main` defining one external function `fn` there. */
static lc_facts *tu(const char *main, const char *fn, unsigned line)
{
	lc_facts *f = lc_facts_new();
	f->main_file = lc_arena_strdup(f->arena, main);
	lc_vec_push(&f->files, f->main_file);
	lc_function d = { 0 };
	d.key = lc_arena_strdup(f->arena, fn);
	d.name = strchr(d.key, '@') ? strrchr(d.key, '@') + 1 : d.key;
	d.loc.file = f->main_file;
	d.loc.line = line;
	d.loc.column = 5;
	lc_vec_push(&f->functions, d);
	return f;
}

static char *order_of(lc_facts **facts, size_t n)
{
	lc_sb sb;
	lc_sb_init(&sb);
	for (size_t i = 0; i < n; i++)
		lc_sb_addf(&sb, "%s:%s:%u ", facts[i]->main_file, facts[i]->functions.ptr[0].key,
			   facts[i]->functions.ptr[0].loc.line);
	return lc_sb_detach(&sb);
}

Test(scale, canonical_order_does_not_depend_on_the_input_order)
{
	enum { N = 5 };
	lc_facts *f[N] = {
		tu("/p/src/b.c", "c:@F@b", 1), tu("/p/src/a.c", "c:@F@a", 1),
		tu("/p/src/a.c", "c:@F@a", 7), /* a.c compiled twice, differently */
		tu("/p/lib/z.c", "c:@F@z", 1), tu("/p/src/a.c", "c:@F@a2", 3),
	};
	lc_facts *g[N];
	char *first = NULL;
	/* Every rotation and its reverse. */
	for (int r = 0; r < N; r++) {
		for (int rev = 0; rev < 2; rev++) {
			for (int i = 0; i < N; i++)
				g[i] = f[rev ? (N - 1 - (i + r) % N) : (i + r) % N];
			lc_tu_order(g, NULL, N);
			char *o = order_of(g, N);
			if (!first)
				first = o;
			else {
				cr_assert_str_eq(o, first);
				free(o);
			}
		}
	}
	/* By main file path first. */
	cr_assert(strncmp(first, "/p/lib/z.c", 10) == 0, "%s", first);
	cr_assert(strstr(first, "/p/src/b.c") > strstr(first, "/p/src/a.c"), "%s", first);
	free(first);
	for (int i = 0; i < N; i++)
		lc_facts_free(f[i]);
}

Test(scale, digests_follow_their_facts)
{
	lc_facts *f[2] = { tu("/p/b.c", "c:@F@b", 1), tu("/p/a.c", "c:@F@a", 1) };
	lc_file_digest db = { 1, 2 }, da = { 3, 4 };
	lc_file_digest *d[2] = { &db, &da };
	lc_tu_order(f, d, 2);
	cr_assert_str_eq(f[0]->main_file, "/p/a.c");
	cr_assert_eq(d[0], &da);
	cr_assert_eq(d[1], &db);
	lc_facts_free(f[0]);
	lc_facts_free(f[1]);
}

static char *write_summary(const char *rel, lc_facts *f)
{
	size_t len;
	char *buf = lc_summary_encode((const lc_facts *const *)&f, NULL, 1, tmp, &len);
	char *path = lc_xasprintf("%s/%s", tmp, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);
	*slash = '/';
	cr_assert_eq(lc_write_file_atomic(path, buf, len), 0);
	free(buf);
	lc_facts_free(f);
	return path;
}

Test(scale, load_directories_lists_and_each_file_once)
{
	char *a = write_summary("sums/a.lcsum", tu("/nowhere/x/a.c", "c:@F@a", 1));
	free(write_summary("sums/sub/b.lcsum", tu("/nowhere/x/b.c", "c:@F@b", 1)));
	free(write_summary("sums/ignored.txt", tu("/nowhere/x/c.c", "c:@F@c", 1)));
	char *list = lc_xasprintf("%s/list", tmp);
	FILE *lf = fopen(list, "w");
	fprintf(lf, "%s\n\n%s\n", a, a); /* listed twice, and in the directory */
	fclose(lf);
	char *dir = lc_xasprintf("%s/sums", tmp);
	char *paths[] = { dir };
	size_t n = 0;
	char *err = NULL;
	lc_file_digest **dg = NULL;
	lc_facts **facts = lc_summaries_load(paths, 1, list, "/root", &n, &dg, &err);
	cr_assert_not_null(facts, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_not_null(dg);
	cr_assert_str_eq(facts[0]->main_file, "/nowhere/x/a.c"); /* outside tmp: absolute */
	cr_assert_str_eq(facts[1]->main_file, "/nowhere/x/b.c");
	for (size_t i = 0; i < n; i++)
		lc_facts_free(facts[i]);
	free(facts);
	free(dg);
	free(dir);
	free(list);
	free(a);
}

Test(scale, a_corrupt_summary_is_an_error_naming_it)
{
	char *a = write_summary("a.lcsum", tu("/p/a.c", "c:@F@a", 1));
	size_t len;
	char *buf = lc_read_file(a, &len);
	buf[len - 1] ^= 1;
	char *bad = lc_xasprintf("%s/bad.lcsum", tmp);
	cr_assert_eq(lc_write_file_atomic(bad, buf, len), 0);
	char *paths[] = { a, bad };
	size_t n = 0;
	char *err = NULL;
	cr_assert_null(lc_summaries_load(paths, 2, NULL, NULL, &n, NULL, &err));
	cr_assert_not_null(err);
	char *want = lc_xasprintf("%s: summary checksum mismatch (corrupt file)", bad);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
	free(buf);
	free(bad);
	free(a);
}

Test(scale, duplicate_definitions_are_named)
{
	lc_facts *f[3] = {
		tu("/p/lua/lua.c", "c:@F@main", 380),
		tu("/p/src/server.c", "c:@F@main", 54),
		tu("/p/src/again.c", "c:@F@main", 54),
	};
	lc_tu_order(f, NULL, 3);
	lc_program *p = lc_link(f, 3);
	cr_assert_eq(p->duplicate_definitions, 2);
	lc_report_opts ro = { 0 };
	ro.srcroot = "/p";
	char *text = lc_duplicates_notice(p, &ro);
	cr_assert_not_null(text);
	cr_assert(strstr(text, "1 external function is defined in more than one translation unit "
			       "(2 further definitions)") == text, "%s", text);
	cr_assert(strstr(text, ": main (lua/lua.c:380, also src/again.c:54, src/server.c:54)"),
		  "%s", text);
	free(text);
	lc_program_free(p);

	/* One source compiled twice is the same code: no duplicate. */
	lc_facts *g[2] = { tu("/p/a.c", "c:@F@main", 3), tu("/p/a.c", "c:@F@main", 3) };
	p = lc_link(g, 2);
	cr_assert_eq(p->duplicate_definitions, 0);
	cr_assert_null(lc_duplicates_notice(p, &ro));
	lc_program_free(p);
	for (int i = 0; i < 3; i++)
		lc_facts_free(f[i]);
	lc_facts_free(g[0]);
	lc_facts_free(g[1]);
}

Test(scale, many_summaries_decode_in_parallel_with_one_result)
{
	enum { N = 100 };
	char *paths[N];
	for (int i = 0; i < N; i++) {
		char *rel = lc_xasprintf("many/%03d.lcsum", (i * 37) % N);
		char *main = lc_xasprintf("/p/src/f%03d.c", i);
		paths[i] = write_summary(rel, tu(main, "c:@F@f", (unsigned)i + 1));
		free(rel);
		free(main);
	}
	size_t n = 0;
	char *err = NULL;
	lc_facts **facts = lc_summaries_load(paths, N, NULL, NULL, &n, NULL, &err);
	cr_assert_not_null(facts, "%s", err);
	cr_assert_eq(n, N);
	for (int i = 0; i < N; i++) {
		char *want = lc_xasprintf("/p/src/f%03d.c", i);
		cr_assert_str_eq(facts[i]->main_file, want);
		free(want);
		lc_facts_free(facts[i]);
	}
	free(facts);
	/* The first bad file in argument order is the one named. */
	FILE *f = fopen(paths[70], "w");
	fputs("garbage", f);
	fclose(f);
	f = fopen(paths[20], "w");
	fclose(f);
	cr_assert_null(lc_summaries_load(paths, N, NULL, NULL, &n, NULL, &err));
	char *want = lc_xasprintf("%s: not a loopcheck summary (bad magic)", paths[20]);
	cr_assert_str_eq(err, want);
	free(want);
	free(err);
	for (int i = 0; i < N; i++)
		free(paths[i]);
}
