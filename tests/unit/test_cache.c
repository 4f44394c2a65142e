/* test_cache.c - the summary cache: hits, misses after edits, the size+mtime
 * fast path against the content hash, racy files, corrupt and foreign
 * entries, and the directory's housekeeping.
 *
 * Each "run" opens a fresh lc_cache, as one loopcheck process does, and
 * parses a two-TU project through lc_parse_all. Source files get mtimes a
 * minute in the past unless a test wants them racy (see cache.h).
 */
#define _GNU_SOURCE
#include "cache.h"
#include "compdb.h"
#include "parse.h"
#include "util.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

LC_TEST_TMPDIR("/tmp/lc-cache-XXXXXX");

TestSuite(cache, .init = setup, .fini = teardown);

static char *at(const char *rel)
{
	return lc_xasprintf("%s/%s", tmp, rel);
}

/* Set a file's mtime to `ago` seconds before now (plus `ns`). */
static void set_mtime(const char *rel, time_t ago, long ns)
{
	char *p = at(rel);
	struct timespec ts[2];
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - ago;
	ts[0].tv_nsec = ts[1].tv_nsec = ns;
	cr_assert_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static struct timespec get_mtime(const char *rel)
{
	char *p = at(rel);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	free(p);
	return st.st_mtim;
}

static void put_mtime(const char *rel, struct timespec t)
{
	char *p = at(rel);
	struct timespec ts[2] = { t, t };
	cr_assert_eq(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static void write_file(const char *rel, const char *text, time_t ago)
{
	char *p = at(rel);
	for (char *s = p + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "cannot create %s", p);
	fputs(text, f);
	fclose(f);
	free(p);
	if (ago)
		set_mtime(rel, ago, 0);
}

static void write_project(void)
{
	write_file("inc/a.h", "#include <unistd.h>\nvoid shared(void);\n", 60);
	write_file("inc/b.h", "static inline int twice(int x) { return 2 * x; }\n", 60);
	write_file("src/main.c",
		   "#include \"inc/a.h\"\n#include \"inc/b.h\"\n"
		   "static void cb(void) { sleep(1); }\n"
		   "int main(void) { shared(); cb(); return twice(1); }\n",
		   60);
	write_file("src/other.c", "#include \"inc/a.h\"\nvoid shared(void) { usleep(10); }\n", 60);
}

static lc_compdb *project_db(void)
{
	char *files[] = { at("src/main.c"), at("src/other.c") };
	char *inc = lc_xasprintf("-I%s", tmp);
	char *args[] = { inc };
	char *err = NULL;
	lc_compdb *db = lc_compdb_from_args(files, 2, args, 1, &err);
	cr_assert_not_null(db, "%s", err ? err : "?");
	free(files[0]);
	free(files[1]);
	free(inc);
	return db;
}

typedef struct run_result {
	lc_parse_stats st;
	char *dump; /* facts of every TU, as --dump-facts prints them */
} run_result;

/* One loopcheck run over the project with a fresh cache handle. */
static run_result run_with(const char *extractor)
{
	lc_compdb *db = project_db();
	char *dir = at("cache");
	char *err = NULL;
	lc_cache *c = lc_cache_open(dir, tmp, extractor, &err);
	cr_assert_not_null(c, "%s", err ? err : "?");
	run_result r = { 0 };
	lc_parse_opts o = { 0 };
	o.jobs = 2;
	o.cache = c;
	o.stats = &r.st;
	lc_facts **facts = lc_parse_all(db, &o);
	size_t len = 0;
	FILE *out = open_memstream(&r.dump, &len);
	for (size_t i = 0; i < db->ntus; i++) {
		lc_facts_dump(facts[i], out);
		lc_facts_free(facts[i]);
	}
	fclose(out);
	free(facts);
	lc_cache_close(c);
	lc_compdb_free(db);
	free(dir);
	return r;
}

static run_result run(void)
{
	return run_with("test extractor");
}

static char *entry_of(const char *rel)
{
	char *file = at(rel);
	char *inc = lc_xasprintf("-I%s", tmp);
	char *args[] = { inc };
	char *err = NULL;
	lc_compdb *db = lc_compdb_from_args(&file, 1, args, 1, &err);
	cr_assert_not_null(db);
	char *dir = at("cache");
	lc_cache *c = lc_cache_open(dir, tmp, "test extractor", &err);
	cr_assert_not_null(c);
	char *path = lc_cache_entry_path(c, &db->tus[0]);
	lc_cache_close(c);
	lc_compdb_free(db);
	free(dir);
	free(inc);
	free(file);
	return path;
}

Test(cache, second_run_parses_nothing_and_gives_the_same_facts)
{
	write_project();
	run_result cold = run();
	cr_assert_eq(cold.st.parsed, 2);
	cr_assert_eq(cold.st.cache.misses, 2);
	cr_assert_eq(cold.st.cache.stored, 2);
	cr_assert_eq(cold.st.cache.corrupt, 0);
	run_result warm = run();
	cr_assert_eq(warm.st.parsed, 0, "a warm run must not parse");
	cr_assert_eq(warm.st.cache.hits, 2);
	cr_assert_eq(warm.st.cache.files_hashed, 0, "unchanged files: stat only");
	cr_assert_eq(warm.st.cache.refreshed, 0);
	cr_assert_str_eq(cold.dump, warm.dump);
	free(cold.dump);
	free(warm.dump);
}

Test(cache, editing_the_main_file_misses_that_unit_only)
{
	write_project();
	run_result cold = run();
	write_file("src/main.c",
		   "#include \"inc/a.h\"\n#include \"inc/b.h\"\n"
		   "static void cb(void) { sleep(2); sleep(3); }\n"
		   "int main(void) { shared(); cb(); return twice(1); }\n",
		   30);
	run_result r = run();
	cr_assert_eq(r.st.parsed, 1);
	cr_assert_eq(r.st.cache.hits, 1);
	cr_assert_eq(r.st.cache.stale, 1);
	cr_assert_neq(strcmp(cold.dump, r.dump), 0, "the new facts are used");
	cr_assert(strstr(r.dump, "src/main.c:3:34"), "the new sleep(3): %s", r.dump);
	run_result again = run();
	cr_assert_eq(again.st.parsed, 0);
	cr_assert_str_eq(again.dump, r.dump);
	free(cold.dump);
	free(r.dump);
	free(again.dump);
}

Test(cache, editing_a_header_misses_its_includers)
{
	write_project();
	free(run().dump);
	write_file("inc/b.h", "static inline int twice(int x) { return x + x; }\n", 30);
	run_result r = run();
	cr_assert_eq(r.st.parsed, 1, "only main.c includes b.h");
	cr_assert_eq(r.st.cache.hits, 1);
	write_file("inc/a.h", "#include <unistd.h>\nvoid shared(void); /* edited */\n", 20);
	run_result r2 = run();
	cr_assert_eq(r2.st.parsed, 2, "both units include a.h");
	free(r.dump);
	free(r2.dump);
}

Test(cache, a_new_mtime_with_the_same_content_is_a_hit_by_hash)
{
	write_project();
	run_result cold = run();
	set_mtime("inc/a.h", 40, 123456789); /* touched, content unchanged */
	run_result r = run();
	cr_assert_eq(r.st.parsed, 0);
	cr_assert_eq(r.st.cache.hits, 2);
	cr_assert_eq(r.st.cache.files_hashed, 1, "a.h is hashed once for both units");
	cr_assert_eq(r.st.cache.refreshed, 2, "both entries get the new mtime");
	cr_assert_str_eq(cold.dump, r.dump);
	run_result r2 = run();
	cr_assert_eq(r2.st.cache.hits, 2);
	cr_assert_eq(r2.st.cache.files_hashed, 0, "after the refresh: the fast path again");
	cr_assert_eq(r2.st.cache.refreshed, 0);
	free(cold.dump);
	free(r.dump);
	free(r2.dump);
}

Test(cache, the_fast_path_trusts_size_and_mtime)
{
	write_project();
	run_result cold = run();
	/* Same size, same mtime, other bytes: by design the fast path does not
	 * read the file (as make and ccache's direct mode); this test pins
	 * that the fast path is what is used for old files. */
	struct timespec t = get_mtime("inc/b.h");
	write_file("inc/b.h", "static inline int twice(int x) { return 3 * x; }\n", 0);
	put_mtime("inc/b.h", t);
	run_result r = run();
	cr_assert_eq(r.st.parsed, 0);
	cr_assert_eq(r.st.cache.files_hashed, 0);
	/* A different size is a miss without reading anything. */
	write_file("inc/b.h", "static inline int twice(int x) { return 3 * x + 0; }\n", 0);
	put_mtime("inc/b.h", t);
	run_result r2 = run();
	cr_assert_eq(r2.st.parsed, 1);
	cr_assert_eq(r2.st.cache.files_hashed, 0);
	free(cold.dump);
	free(r.dump);
	free(r2.dump);
}

Test(cache, racy_files_are_checked_by_content)
{
	write_project();
	write_file("inc/b.h", "static inline int twice(int x) { return 2 * x; }\n", 0); /* now */
	run_result cold = run();
	cr_assert_eq(cold.st.cache.stored, 2);
	/* Edited within the same timestamp: same size, same mtime. */
	struct timespec t = get_mtime("inc/b.h");
	write_file("inc/b.h", "static inline int twice(int x) { return 4 * x; }\n", 0);
	put_mtime("inc/b.h", t);
	run_result r = run();
	cr_assert_eq(r.st.parsed, 1, "a racy entry must compare content");
	cr_assert(strstr(r.dump, "twice") != NULL);
	free(cold.dump);
	free(r.dump);
}

static void overwrite(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

Test(cache, corrupt_entries_are_ignored_and_rewritten)
{
	write_project();
	run_result cold = run();
	char *main_entry = entry_of("src/main.c");
	char *other_entry = entry_of("src/other.c");
	size_t len = 0;
	char *good = lc_read_file(main_entry, &len);
	cr_assert_not_null(good, "no entry at %s", main_entry);

	/* Garbage. */
	overwrite(main_entry, "garbage", 7);
	run_result r = run();
	cr_assert_eq(r.st.parsed, 1);
	cr_assert_eq(r.st.cache.corrupt, 1);
	cr_assert_eq(r.st.cache.stored, 1, "rewritten");
	cr_assert_str_eq(r.dump, cold.dump);
	run_result r2 = run();
	cr_assert_eq(r2.st.parsed, 0, "the rewritten entry is used");

	/* Truncated at every tenth byte, and one byte flipped. */
	for (size_t n = 0; n < len; n += len / 10 + 1) {
		overwrite(main_entry, good, n);
		run_result t = run();
		cr_assert_eq(t.st.cache.corrupt, 1, "truncated at %zu", n);
		cr_assert_str_eq(t.dump, cold.dump);
		free(t.dump);
	}
	good[len / 2] ^= 0x10;
	overwrite(main_entry, good, len);
	run_result f = run();
	cr_assert_eq(f.st.cache.corrupt, 1);
	cr_assert_str_eq(f.dump, cold.dump);

	/* Foreign: another unit's valid entry under this unit's name. */
	size_t olen = 0;
	char *other = lc_read_file(other_entry, &olen);
	cr_assert_not_null(other);
	overwrite(main_entry, other, olen);
	run_result g = run();
	cr_assert_eq(g.st.cache.corrupt, 1, "a foreign entry is not trusted");
	cr_assert_eq(g.st.parsed, 1);
	cr_assert_str_eq(g.dump, cold.dump);

	free(other);
	free(good);
	free(main_entry);
	free(other_entry);
	free(cold.dump);
	free(r.dump);
	free(r2.dump);
	free(f.dump);
	free(g.dump);
}

Test(cache, units_missing_a_header_are_not_stored)
{
	write_project();
	write_file("src/other.c", "#include \"inc/not-there.h\"\nvoid shared(void) {}\n", 60);
	run_result cold = run();
	cr_assert_eq(cold.st.cache.stored, 1);
	cr_assert_eq(cold.st.cache.uncacheable, 1);
	run_result r = run();
	cr_assert_eq(r.st.parsed, 1, "the header may appear: parse again");
	free(cold.dump);
	free(r.dump);
}

Test(cache, another_extractor_does_not_see_the_entries)
{
	write_project();
	free(run().dump);
	run_result r = run_with("another libclang");
	cr_assert_eq(r.st.parsed, 2);
	cr_assert_eq(r.st.cache.corrupt, 0, "a different fingerprint is a different directory");
	free(r.dump);
}

Test(cache, out_of_date_entries_tell_the_size_to_schedule)
{
	write_project();
	free(run().dump);
	write_file("src/main.c", "int main(void) { return 0; }\n", 30);
	char *file = at("src/main.c");
	char *inc = lc_xasprintf("-I%s", tmp);
	char *args[] = { inc };
	char *err = NULL;
	lc_compdb *db = lc_compdb_from_args(&file, 1, args, 1, &err);
	char *dir = at("cache");
	lc_cache *c = lc_cache_open(dir, tmp, "test extractor", &err);
	uint64_t cost = 0;
	cr_assert_null(lc_cache_lookup(c, &db->tus[0], &cost));
	cr_assert_gt(cost, 1000, "unistd.h and friends were recorded: %llu",
		     (unsigned long long)cost);
	lc_cache_close(c);
	lc_compdb_free(db);
	free(dir);
	free(inc);
	free(file);
}

Test(cache, old_fingerprint_directories_are_pruned)
{
	char *dir = at("cache");
	mkdir(dir, 0700);
	static const char *const old[] = { "0000000000000001", "0000000000000002",
					   "0000000000000003", "0000000000000004",
					   "0000000000000005" };
	for (int i = 0; i < 5; i++) {
		char *rel = lc_xasprintf("cache/%s/ab/abcdef", old[i]);
		write_file(rel, "x", 0);
		free(rel);
		char *d = lc_xasprintf("%s/%s", dir, old[i]);
		struct timespec ts[2];
		ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 1000 + i;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		cr_assert_eq(utimensat(AT_FDCWD, d, ts, 0), 0);
		free(d);
	}
	write_file("cache/not-ours/keep", "x", 0);
	char *err = NULL;
	lc_cache *c = lc_cache_open(dir, tmp, "x", &err);
	cr_assert_not_null(c);
	lc_cache_close(c);
	int kept = 0;
	for (int i = 0; i < 5; i++) {
		char *d = lc_xasprintf("%s/%s", dir, old[i]);
		kept += access(d, F_OK) == 0;
		if (i < 2)
			cr_assert_neq(access(d, F_OK), 0, "%s is among the oldest", old[i]);
		free(d);
	}
	cr_assert_eq(kept, 3, "ours plus the three most recent");
	char *keep = at("cache/not-ours/keep");
	cr_assert_eq(access(keep, F_OK), 0, "foreign names are left alone");
	char *tag = at("cache/CACHEDIR.TAG");
	cr_assert_eq(access(tag, F_OK), 0);
	free(tag);
	free(keep);
	free(dir);
}

Test(cache, default_directory)
{
	char *d = lc_cache_default_dir(tmp);
	char *want = lc_xasprintf("%s/.loopcheck-cache", tmp);
	cr_assert_str_eq(d, want);
	free(d);
	char *json = at("compile_commands.json");
	write_file("compile_commands.json", "[]", 0);
	d = lc_cache_default_dir(json);
	cr_assert_str_eq(d, want);
	free(d);
	free(json);
	free(want);

	char *old_xdg = getenv("XDG_CACHE_HOME") ? lc_xstrdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *old_home = getenv("HOME") ? lc_xstrdup(getenv("HOME")) : NULL;
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	d = lc_cache_default_dir(NULL);
	cr_assert_str_eq(d, "/xdg/loopcheck");
	free(d);
	setenv("XDG_CACHE_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/someone", 1);
	d = lc_cache_default_dir(NULL);
	cr_assert_str_eq(d, "/home/someone/.cache/loopcheck");
	free(d);
	if (old_xdg)
		setenv("XDG_CACHE_HOME", old_xdg, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

Test(cache, an_unwritable_directory_is_an_error)
{
	write_file("file", "x", 0);
	char *dir = at("file/cache");
	char *err = NULL;
	cr_assert_null(lc_cache_open(dir, tmp, "x", &err));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "cannot create"), "%s", err);
	free(err);
	free(dir);
}
