/* test_summary.c - the summary format: round trips, determinism, relocation
 * and every kind of damaged input.
 *
 * Facts come from lc_parse_one on small sources written to a fresh mkdtemp
 * directory, so they hold what the extractor really produces: static
 * function keys with the file's path, parameters, stores, loops, macro
 * calls, a diagnostic, and system headers (absolute in the summary).
 */
#define _GNU_SOURCE
#include "facts.h"
#include "link.h"
#include "parse.h"
#include "summary.h"
#include "util.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

LC_TEST_TMPDIR("/tmp/lc-summary-XXXXXX");

TestSuite(summary, .init = setup, .fini = teardown);

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *p = lc_xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdir(p, 0700);
	*slash = '/';
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f, "cannot create %s", p);
	fputs(text, f);
	fclose(f);
	free(p);
}

static const char header_text[] =
	"#include <stdio.h>\n"
	"typedef void (*cb_t)(void *);\n"
	"struct handler { cb_t cb; int fd; };\n"
	"#define CALL_LATER(h, f) ((h)->cb = (f))\n"
	"#define LOG(msg) fputs(msg, stderr)\n"
	"void register_cb(struct handler *h, cb_t cb);\n"
	"enum { MODE_FAST = -7 };\n";

static const char main_text[] =
	"#include \"include/h.h\"\n"
	"#include <unistd.h>\n"
	"static int helper(int n, const char *s) { int t = 0;\n"
	"  for (int i = 0; i < n; i++) { while (s[i]) { t += s[i]; } }\n"
	"  return t; }\n"
	"static void on_event(void *arg) { (void)arg; sleep(1); LOG(\"event\"); }\n"
	"static struct handler table = { on_event, 3 };\n"
	"static struct handler named = { .cb = on_event, .fd = -1 };\n"
	"void register_cb(struct handler *h, cb_t cb) { h->cb = cb; cb(h); }\n"
	"int main(int argc, char **argv) {\n"
	"  struct handler h;\n"
	"  cb_t fp = on_event;\n"
	"  CALL_LATER(&h, on_event);\n"
	"  register_cb(&h, &on_event);\n"
	"  int fd = helper(argc, argv[0]);\n"
	"  h.fd = helper(MODE_FAST, \"x\");\n"
	"  fp(NULL);\n"
	"  (*h.cb)(&h);\n"
	"  h.cb(0);\n"
	"  do { fd--; } while (fd > 0);\n"
	"  return fd + table.fd + named.fd + undeclared_thing;\n"
	"}\n";

/* Write the project under `dir` and parse its main file. */
static lc_facts *parse_project(const char *dir)
{
	write_file(dir, "include/h.h", header_text);
	write_file(dir, "src/main.c", main_text);
	char *path = lc_xasprintf("%s/src/main.c", dir);
	char *inc = lc_xasprintf("-I%s", dir);
	const char *args[] = { inc, "-std=c11", "-Wno-everything" };
	lc_facts *f = lc_parse_one(path, NULL, args, 3);
	free(path);
	free(inc);
	cr_assert_not_null(f);
	cr_assert(!f->failed);
	return f;
}

static char *dump(const lc_facts *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	lc_facts_dump(f, out);
	fclose(out);
	return buf;
}

static char *encode1(const lc_facts *f, const lc_file_digest *dg, const char *root, size_t *len)
{
	return lc_summary_encode(&f, dg ? &dg : NULL, 1, root, len);
}

static lc_summary *decode_ok(const char *buf, size_t len, const char *root)
{
	char *err = NULL;
	lc_summary *s = lc_summary_decode(buf, len, root, &err);
	cr_assert_not_null(s, "decode failed: %s", err ? err : "?");
	cr_assert_null(err);
	return s;
}

static bool contains(const char *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

Test(summary, xxh64_matches_the_reference)
{
	cr_assert_eq(lc_xxh64("", 0, 0), 0xef46db3751d8e999ULL);
	cr_assert_eq(lc_xxh64("a", 1, 0), 0xd24ec4f1a98c6e5bULL);
	cr_assert_eq(lc_xxh64("abc", 3, 0), 0x44bc2cf5ad770999ULL);
	const char *s = "Nobody inspects the spammish repetition";
	cr_assert_eq(lc_xxh64(s, strlen(s), 0), 0xfbcea83c8a378bf1ULL);
	unsigned char b[100];
	for (int i = 0; i < 100; i++)
		b[i] = (unsigned char)i;
	cr_assert_eq(lc_xxh64(b, sizeof(b), 7), 0x80653e7e9b887cddULL);
}

Test(summary, varints_round_trip_and_reject_overlong)
{
	lc_bw w = { 0 };
	const uint64_t u[] = { 0, 1, 127, 128, 300, 1ULL << 35, UINT64_MAX };
	const int64_t sv[] = { 0, -1, 1, -64, 64, INT64_MIN, INT64_MAX };
	for (size_t i = 0; i < 7; i++) {
		lc_bw_varint(&w, u[i]);
		lc_bw_svarint(&w, sv[i]);
	}
	lc_br r;
	lc_br_init(&r, w.buf, w.len);
	for (size_t i = 0; i < 7; i++) {
		cr_assert_eq(lc_br_varint(&r), u[i]);
		cr_assert_eq(lc_br_svarint(&r), sv[i]);
	}
	cr_assert_null(r.err);
	cr_assert_eq(r.p, r.end);
	lc_br_varint(&r);
	cr_assert_not_null(r.err, "reading past the end must fail");
	free(w.buf);

	const unsigned char overlong[11] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff, 0xff, 0x01 };
	lc_br_init(&r, overlong, sizeof(overlong));
	cr_assert_eq(lc_br_varint(&r), 0);
	cr_assert_not_null(r.err);
	lc_br_init(&r, "\x05", 1);
	cr_assert_eq(lc_br_count(&r, 1), 0, "a count larger than the data is refused");
	cr_assert_not_null(r.err);
}

Test(summary, round_trip_is_exact)
{
	lc_facts *f = parse_project(tmp);
	cr_assert_gt(f->functions.len, 3);
	cr_assert_gt(f->calls.len, 5);
	cr_assert_gt(f->stores.len, 2);
	cr_assert_gt(f->loops.len, 2);
	cr_assert_gt(f->diags.len, 0, "undeclared_thing gives an error");
	cr_assert_gt(f->files.len, 3);

	lc_file_digest *dg = lc_xcalloc(f->files.len, sizeof(*dg));
	for (size_t i = 0; i < f->files.len; i++) {
		dg[i].size = 1000 + i;
		dg[i].hash = 0x0123456789abcdefULL * (i + 1);
	}
	size_t len1, len2;
	char *b1 = encode1(f, dg, tmp, &len1);
	lc_summary *s = decode_ok(b1, len1, tmp);
	cr_assert_eq(s->ntus, 1);
	cr_assert_eq(s->format, LC_SUMMARY_FORMAT);
	cr_assert_str_eq(s->tool_version, LC_VERSION);
	for (size_t i = 0; i < f->files.len; i++) {
		cr_assert_eq(s->digests[0][i].size, dg[i].size);
		cr_assert_eq(s->digests[0][i].hash, dg[i].hash);
	}
	char *b2 = encode1(s->facts[0], s->digests[0], tmp, &len2);
	cr_assert_eq(len1, len2);
	cr_assert(memcmp(b1, b2, len1) == 0, "facts -> bytes -> facts -> bytes differs");
	char *d1 = dump(f), *d2 = dump(s->facts[0]);
	cr_assert_str_eq(d1, d2);

	/* Every string field survived, NULLs included. */
	for (size_t i = 0; i < f->calls.len; i++) {
		const lc_call *a = &f->calls.ptr[i], *b = &s->facts[0]->calls.ptr[i];
		cr_assert_eq(a->macro == NULL, b->macro == NULL);
		cr_assert_eq(a->callee == NULL, b->callee == NULL);
		cr_assert_eq(a->result_to.kind, b->result_to.kind);
		cr_assert_eq(a->loop, b->loop);
		cr_assert_eq(a->loop_depth, b->loop_depth);
		cr_assert_eq(a->nargs, b->nargs);
		for (unsigned k = 0; k < a->nargs; k++) {
			cr_assert_eq(a->args[k].ival, b->args[k].ival);
			cr_assert_eq(a->args[k].param, b->args[k].param);
		}
	}
	free(d1);
	free(d2);
	free(b1);
	free(b2);
	free(dg);
	lc_summary_free(s);
	lc_facts_free(f);
}

Test(summary, without_digests_or_root)
{
	lc_facts *f = parse_project(tmp);
	size_t len1, len2;
	char *b1 = encode1(f, NULL, NULL, &len1);
	lc_summary *s = decode_ok(b1, len1, NULL);
	cr_assert_eq(s->digests[0][0].hash, 0);
	cr_assert_str_eq(s->facts[0]->main_file, f->main_file);
	char *b2 = encode1(s->facts[0], NULL, NULL, &len2);
	cr_assert(len1 == len2 && memcmp(b1, b2, len1) == 0);
	char *d1 = dump(f), *d2 = dump(s->facts[0]);
	cr_assert_str_eq(d1, d2);
	free(d1);
	free(d2);
	free(b1);
	free(b2);
	lc_summary_free(s);
	lc_facts_free(f);
}

Test(summary, paths_are_relative_to_the_root_and_relocate)
{
	lc_facts *f = parse_project(tmp);
	size_t len;
	char *b = encode1(f, NULL, tmp, &len);
	cr_assert(!contains(b, len, tmp), "the root must not appear in the summary");
	cr_assert(contains(b, len, "src/main.c"));
	cr_assert(contains(b, len, "/usr/include/"), "system headers stay absolute");

	/* Decoded under another root, every project path moves with it. */
	const char *other = "/elsewhere/proj";
	lc_summary *s = decode_ok(b, len, other);
	const lc_facts *g = s->facts[0];
	cr_assert_str_eq(g->main_file, "/elsewhere/proj/src/main.c");
	bool static_key_moved = false;
	for (size_t i = 0; i < g->functions.len; i++) {
		const lc_function *fn = &g->functions.ptr[i];
		if (fn->is_static) {
			cr_assert(strstr(fn->key, "|/elsewhere/proj/src/main.c"), "key %s", fn->key);
			static_key_moved = true;
		}
		cr_assert_null(strstr(fn->key, tmp));
		if (fn->loc.file)
			cr_assert(strncmp(fn->loc.file, other, strlen(other)) == 0, "%s", fn->loc.file);
	}
	cr_assert(static_key_moved);
	bool param_key = false;
	for (size_t i = 0; i < g->calls.len; i++) {
		const lc_call *c = &g->calls.ptr[i];
		if (c->kind == LC_CALL_PARAM) {
			cr_assert(strstr(c->callee, "#"), "%s", c->callee);
			param_key = true;
		}
	}
	cr_assert(param_key, "cb(h) is a call through a parameter");

	/* Re-encoded against the new root: the same bytes. */
	size_t len2;
	char *b2 = encode1(g, NULL, other, &len2);
	cr_assert(len == len2 && memcmp(b, b2, len) == 0, "a relocated summary must be identical");
	/* A trailing slash on the root changes nothing. */
	size_t len3;
	char *root_slash = lc_xasprintf("%s/", tmp);
	char *b3 = encode1(f, NULL, root_slash, &len3);
	cr_assert(len == len3 && memcmp(b, b3, len) == 0);
	free(root_slash);
	free(b);
	free(b2);
	free(b3);
	lc_summary_free(s);
	lc_facts_free(f);
}

Test(summary, the_same_project_anywhere_gives_the_same_bytes)
{
	lc_facts *f1 = parse_project(tmp);
	lc_facts *f2 = parse_project(tmp);
	char *other = lc_xasprintf("%s/copy", tmp);
	mkdir(other, 0700);
	lc_facts *f3 = parse_project(other);
	size_t l1, l2, l3;
	char *b1 = encode1(f1, NULL, tmp, &l1);
	char *b2 = encode1(f2, NULL, tmp, &l2);
	char *b3 = encode1(f3, NULL, other, &l3);
	cr_assert(l1 == l2 && memcmp(b1, b2, l1) == 0, "parsing twice must give the same bytes");
	cr_assert(l1 == l3 && memcmp(b1, b3, l1) == 0, "another checkout must give the same bytes");
	free(b1);
	free(b2);
	free(b3);
	free(other);
	lc_facts_free(f1);
	lc_facts_free(f2);
	lc_facts_free(f3);
}

Test(summary, several_units_in_one_summary)
{
	lc_facts *f1 = parse_project(tmp);
	lc_facts *f2 = lc_parse_one("/virtual/other.c", "static int g(void) { return 1; }\n"
				    "int k(void) { return g(); }\n", NULL, 0);
	const lc_facts *both[] = { f1, f2 };
	size_t len, len2;
	char *b = lc_summary_encode(both, NULL, 2, tmp, &len);
	lc_summary *s = decode_ok(b, len, tmp);
	cr_assert_eq(s->ntus, 2);
	char *d1 = dump(f2), *d2 = dump(s->facts[1]);
	cr_assert_str_eq(d1, d2);
	/* A unit taken out of the summary outlives it. */
	lc_facts *kept = s->facts[0];
	s->facts[0] = NULL;
	char *b2 = lc_summary_encode((const lc_facts *const *)s->facts + 1, NULL, 1, tmp, &len2);
	lc_summary_free(s);
	char *d3 = dump(f1), *d4 = dump(kept);
	cr_assert_str_eq(d3, d4);
	free(d1);
	free(d2);
	free(d3);
	free(d4);
	free(b);
	free(b2);
	lc_facts_free(kept);
	lc_facts_free(f1);
	lc_facts_free(f2);
}

Test(summary, failed_unit_round_trips)
{
	lc_facts *f = lc_parse_one("/nonexistent/dir/x.c", NULL, NULL, 0);
	cr_assert(f->failed);
	size_t len, len2;
	char *b = encode1(f, NULL, "/nonexistent", &len);
	lc_summary *s = decode_ok(b, len, "/nonexistent");
	cr_assert(s->facts[0]->failed);
	char *b2 = encode1(s->facts[0], NULL, "/nonexistent", &len2);
	cr_assert(len == len2 && memcmp(b, b2, len) == 0);
	free(b);
	free(b2);
	lc_summary_free(s);
	lc_facts_free(f);
}

/* ---- damaged input ------------------------------------------------------ */

static void expect_error(const char *buf, size_t len, const char *fragment)
{
	char *err = NULL;
	lc_summary *s = lc_summary_decode(buf, len, "/r", &err);
	cr_assert_null(s, "damaged input (%zu bytes) decoded", len);
	cr_assert_not_null(err);
	cr_assert_null(strchr(err, '\n'), "one line: %s", err);
	if (fragment)
		cr_assert(strstr(err, fragment), "'%s' not in '%s'", fragment, err);
	free(err);
}

/* Offset of the checksum field, from the layout in summary.h. */
static size_t checksum_offset(const char *b)
{
	return 16 + (unsigned char)b[7];
}

/* Recompute the checksum after editing the payload, as a writer would. */
static void reseal(char *b, size_t len)
{
	size_t off = checksum_offset(b);
	uint64_t seed = lc_xxh64(b, off, 0);
	uint64_t sum = lc_xxh64(b + off + 8, len - off - 8, seed);
	for (int i = 0; i < 8; i++)
		b[off + (size_t)i] = (char)(sum >> (8 * i));
}

static char *small_summary(size_t *len)
{
	lc_facts *f = lc_parse_one("/r/a.c",
				   "typedef void (*cb)(int);\n"
				   "struct s { cb f; };\n"
				   "static void h(int x) { for (int i = 0; i < x; i++) h(i); }\n"
				   "void reg(struct s *p) { p->f = h; p->f(1); }\n",
				   NULL, 0);
	char *b = encode1(f, NULL, "/r", len);
	lc_facts_free(f);
	return b;
}

Test(summary, truncated_at_every_offset_is_an_error)
{
	size_t len;
	char *b = small_summary(&len);
	cr_assert_lt(len, 2000, "the small summary is small (%zu bytes)", len);
	for (size_t n = 0; n < len; n++) {
		char *copy = lc_xmalloc(n ? n : 1); /* exact size: ASan sees any overread */
		memcpy(copy, b, n);
		expect_error(copy, n, NULL);
		free(copy);
	}
	free(b);
}

Test(summary, wrong_magic_version_and_checksum)
{
	size_t len;
	char *b = small_summary(&len);

	char *c = lc_xmalloc(len);
	memcpy(c, b, len);
	c[0] = 'X';
	expect_error(c, len, "bad magic");

	memcpy(c, b, len);
	c[5] = LC_SUMMARY_FORMAT + 1;
	char other[32];
	snprintf(other, sizeof(other), "format %d", LC_SUMMARY_FORMAT + 1);
	expect_error(c, len, other);
	memcpy(c, b, len);
	c[5] = 0;
	c[6] = 1;
	expect_error(c, len, "format 256");

	memcpy(c, b, len);
	c[len - 1] ^= 0x40;
	expect_error(c, len, "checksum");
	memcpy(c, b, len);
	c[checksum_offset(b)] ^= 1;
	expect_error(c, len, "checksum");
	memcpy(c, b, len);
	c[8] ^= 1; /* the tool version is covered too */
	expect_error(c, len, "checksum");

	/* Trailing garbage and a foreign file. */
	char *longer = lc_xmalloc(len + 3);
	memcpy(longer, b, len);
	memcpy(longer + len, "xyz", 3);
	expect_error(longer, len + 3, "after the payload");
	expect_error("\x7f" "ELF\x02\x01\x01", 7, "bad magic");
	expect_error("", 0, "bad magic");
	free(longer);
	free(c);
	free(b);
}

/* Resealed damage: the checksum passes, so the decoder's own checks must
 * catch (or safely accept) every change. Whatever decodes must also dump and
 * link without crashing. */
Test(summary, resealed_damage_never_crashes)
{
	size_t len;
	char *b = small_summary(&len);
	size_t start = checksum_offset(b) + 8;
	FILE *null = fopen("/dev/null", "w");
	size_t accepted = 0, refused = 0;
	static const unsigned char flips[] = { 0x01, 0x02, 0x80, 0xff, 0x7f, 0x40 };
	for (size_t off = start; off < len; off++) {
		for (size_t k = 0; k < sizeof(flips); k++) {
			char *c = lc_xmalloc(len);
			memcpy(c, b, len);
			c[off] ^= (char)flips[k];
			reseal(c, len);
			char *err = NULL;
			lc_summary *s = lc_summary_decode(c, len, "/r", &err);
			if (s) {
				accepted++;
				for (size_t t = 0; t < s->ntus; t++)
					lc_facts_dump(s->facts[t], null);
				lc_program *p = lc_link(s->facts, s->ntus);
				lc_program_free(p);
				lc_summary_free(s);
			} else {
				refused++;
				cr_assert_not_null(err);
				free(err);
			}
			free(c);
		}
	}
	fclose(null);
	cr_assert_gt(refused, 0);
	cr_log_info("resealed damage: %zu accepted, %zu refused", accepted, refused);
	free(b);
}

Test(summary, hand_made_bad_references_are_refused)
{
	/* A summary whose TU names string 9 of a 1-string table. */
	lc_bw p = { 0 };
	lc_bw_u8(&p, 1);             /* STRINGS */
	lc_bw_varint(&p, 4);
	lc_bw_varint(&p, 1);         /* one string */
	lc_bw_varint(&p, 0);         /* literal */
	lc_bw_varint(&p, 1);
	lc_bw_u8(&p, 'a');
	lc_bw_u8(&p, 2);             /* TU */
	lc_bw_varint(&p, 1);
	lc_bw_varint(&p, 9);         /* main file: string 9 */
	lc_bw hdr = { 0 };
	lc_bw_bytes(&hdr, "LCSUM", 5);
	lc_bw_u8(&hdr, LC_SUMMARY_FORMAT);
	lc_bw_u8(&hdr, 0);
	lc_bw_u8(&hdr, 1);
	lc_bw_u8(&hdr, 'v');
	lc_bw_u64le(&hdr, p.len);
	lc_bw_u64le(&hdr, 0);
	lc_bw_bytes(&hdr, p.buf, p.len);
	reseal((char *)hdr.buf, hdr.len);
	expect_error((char *)hdr.buf, hdr.len, "out of range");

	/* A key string referring to a later string. */
	p.len = 0;
	lc_bw_u8(&p, 1);
	lc_bw_varint(&p, 5);
	lc_bw_varint(&p, 1);
	lc_bw_varint(&p, 2);         /* key */
	lc_bw_varint(&p, 0);
	lc_bw_varint(&p, 1);         /* itself */
	lc_bw_varint(&p, 0);
	hdr.len = 0;
	lc_bw_bytes(&hdr, "LCSUM", 5);
	lc_bw_u8(&hdr, LC_SUMMARY_FORMAT);
	lc_bw_u8(&hdr, 0);
	lc_bw_u8(&hdr, 0);
	lc_bw_u64le(&hdr, p.len);
	lc_bw_u64le(&hdr, 0);
	lc_bw_bytes(&hdr, p.buf, p.len);
	reseal((char *)hdr.buf, hdr.len);
	expect_error((char *)hdr.buf, hdr.len, "later string");
	free(p.buf);
	free(hdr.buf);
}
