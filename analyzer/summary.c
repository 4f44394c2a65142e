/* summary.c - encode and decode per-TU facts (see summary.h for the layout).
 *
 * The encoder writes each TU's fields into one buffer while interning every
 * string it meets into the string table, so the table lists strings in
 * order of first use: a pure function of the facts, hence deterministic.
 * The decoder first checks the header and checksum, then materializes the
 * string table (joining relative paths to its root) and reads the TUs with
 * a bounds-checked reader, validating every index and enum.
 */
#define _GNU_SOURCE
#include "summary.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#ifndef LC_VERSION
#define LC_VERSION "0.0.0"
#endif

enum {
	SEC_STRINGS = 1,
	SEC_TU = 2,
	STR_LITERAL = 0,
	STR_PATH = 1,
	STR_KEY = 2,
	HEADER_FIXED = 8,  /* magic, format, tool version length */
	TOOL_VERSION_MAX = 63,
};

/* ---- XXH64 ------------------------------------------------------------------ */

static const uint64_t P1 = 11400714785074694791ULL, P2 = 14029467366897019727ULL,
		      P3 = 1609587929392839161ULL, P4 = 9650029242287828579ULL,
		      P5 = 2870177450012600261ULL;

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t read64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint32_t read32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t xxh_round(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t v)
{
	acc ^= xxh_round(0, v);
	return acc * P1 + P4;
}

uint64_t lc_xxh64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data, *end = p + len;
	uint64_t h;
	if (len >= 32) {
		const unsigned char *limit = end - 32;
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
		do {
			v1 = xxh_round(v1, read64(p));
			v2 = xxh_round(v2, read64(p + 8));
			v3 = xxh_round(v3, read64(p + 16));
			v4 = xxh_round(v4, read64(p + 24));
			p += 32;
		} while (p <= limit);
		h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
		h = xxh_merge(h, v1);
		h = xxh_merge(h, v2);
		h = xxh_merge(h, v3);
		h = xxh_merge(h, v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)len;
	while (end - p >= 8) {
		h ^= xxh_round(0, read64(p));
		h = rotl64(h, 27) * P1 + P4;
		p += 8;
	}
	if (end - p >= 4) {
		h ^= (uint64_t)read32(p) * P1;
		h = rotl64(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		h ^= (uint64_t)*p * P5;
		h = rotl64(h, 11) * P1;
		p++;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

/* ---- byte writer and reader ------------------------------------------------- */

void lc_bw_bytes(lc_bw *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n)
			cap *= 2;
		w->buf = lc_xrealloc(w->buf, cap);
		w->cap = cap;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void lc_bw_u8(lc_bw *w, unsigned v)
{
	unsigned char c = (unsigned char)v;
	lc_bw_bytes(w, &c, 1);
}

void lc_bw_u64le(lc_bw *w, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	lc_bw_bytes(w, b, 8);
}

void lc_bw_varint(lc_bw *w, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		unsigned char c = v & 0x7f;
		v >>= 7;
		b[n++] = c | (v ? 0x80 : 0);
	} while (v);
	lc_bw_bytes(w, b, n);
}

void lc_bw_svarint(lc_bw *w, int64_t v)
{
	lc_bw_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void lc_bw_str(lc_bw *w, const char *s)
{
	size_t n = strlen(s);
	lc_bw_varint(w, n);
	lc_bw_bytes(w, s, n);
}

void lc_br_init(lc_br *r, const void *data, size_t len)
{
	r->start = r->p = data;
	r->end = r->p + len;
	r->err = NULL;
}

const unsigned char *lc_br_bytes(lc_br *r, size_t n)
{
	if (r->err)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->err = "truncated";
		r->p = r->end;
		return NULL;
	}
	const unsigned char *q = r->p;
	r->p += n;
	return q;
}

unsigned lc_br_u8(lc_br *r)
{
	const unsigned char *q = lc_br_bytes(r, 1);
	return q ? *q : 0;
}

uint64_t lc_br_u64le(lc_br *r)
{
	const unsigned char *q = lc_br_bytes(r, 8);
	uint64_t v = 0;
	if (q)
		for (int i = 7; i >= 0; i--)
			v = (v << 8) | q[i];
	return v;
}

uint64_t lc_br_varint(lc_br *r)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		const unsigned char *q = lc_br_bytes(r, 1);
		if (!q)
			return 0;
		if (shift == 63 && (*q & 0x7e)) {
			r->err = "integer too large";
			return 0;
		}
		v |= (uint64_t)(*q & 0x7f) << shift;
		if (!(*q & 0x80))
			return v;
	}
	r->err = "integer too long";
	return 0;
}

int64_t lc_br_svarint(lc_br *r)
{
	uint64_t u = lc_br_varint(r);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

size_t lc_br_count(lc_br *r, size_t min_size)
{
	uint64_t n = lc_br_varint(r);
	if (r->err)
		return 0;
	if (min_size == 0)
		min_size = 1;
	if (n > (uint64_t)(r->end - r->p) / min_size) {
		r->err = "count larger than the data";
		return 0;
	}
	return (size_t)n;
}

/* ---- encoding ----------------------------------------------------------------- */

typedef struct encoder {
	const char *root;      /* normalized (no trailing '/'), NULL: none */
	size_t root_len;
	lc_bw strings;         /* body of the STRINGS section, without the count */
	uint32_t nstrings;
	lc_strmap lit, path, key; /* content -> local id, per kind */
	LC_VEC(uint32_t) lit_ids, path_ids, key_ids; /* local id -> string id */
	lc_arena *tmp;         /* substrings of keys, which the maps point to */
} encoder;

/* The path relative to the root, or NULL when it is not below it. */
static const char *below_root(const encoder *e, const char *path)
{
	if (!e->root || path[0] != '/')
		return NULL;
	if (e->root_len == 0)
		return path + 1; /* root "/" */
	if (strncmp(path, e->root, e->root_len) != 0)
		return NULL;
	if (path[e->root_len] == '\0')
		return "";
	if (path[e->root_len] == '/')
		return path + e->root_len + 1;
	return NULL;
}

/* Intern `s` in `map`; returns its string id, or 0 with *fresh set when it
 * is new (the caller then writes the entry and calls add_id). */
static uint32_t lookup_id(lc_strmap *map, void *ids_vec, const char *s, bool *fresh)
{
	LC_VEC(uint32_t) *ids = ids_vec;
	int added = 0;
	uint32_t local = lc_strmap_intern(map, s, &added);
	*fresh = added != 0;
	return added ? 0 : ids->ptr[local];
}

static uint32_t add_id(encoder *e, void *ids_vec)
{
	LC_VEC(uint32_t) *ids = ids_vec;
	uint32_t id = ++e->nstrings;
	lc_vec_push(ids, id);
	return id;
}

static uint32_t intern_literal(encoder *e, const char *s)
{
	bool fresh;
	uint32_t id = lookup_id(&e->lit, &e->lit_ids, s, &fresh);
	if (!fresh)
		return id;
	lc_bw_varint(&e->strings, STR_LITERAL);
	lc_bw_str(&e->strings, s);
	return add_id(e, &e->lit_ids);
}

static uint32_t intern_path(encoder *e, const char *s)
{
	const char *rel = below_root(e, s);
	if (!rel)
		return intern_literal(e, s);
	bool fresh;
	uint32_t id = lookup_id(&e->path, &e->path_ids, s, &fresh);
	if (!fresh)
		return id;
	lc_bw_varint(&e->strings, STR_PATH);
	lc_bw_str(&e->strings, rel);
	return add_id(e, &e->path_ids);
}

static uint32_t intern_composite(encoder *e, const char *s, const char *path,
				 const char *path_end);

/* Keys of internal-linkage entities embed the defining file:
 * "c:util.c@F@helper|/abs/util.c" and, for a parameter, "...|/abs/util.c#2". */
static uint32_t intern_key(encoder *e, const char *s)
{
	const char *bar = e->root ? strstr(s, "|/") : NULL;
	if (!bar)
		return intern_literal(e, s);
	const char *path = bar + 1, *path_end = path + strlen(path);
	const char *hash = strrchr(path, '#');
	if (hash && hash[1] && strspn(hash + 1, "0123456789") == strlen(hash + 1))
		path_end = hash;
	return intern_composite(e, s, path, path_end);
}

/* `s` holds a path at [path, path_end): below the root, it is stored as
 * (text before, relative path, text after), else as a literal. */
static uint32_t intern_composite(encoder *e, const char *s, const char *path,
				 const char *path_end)
{
	char *p = lc_arena_strndup(e->tmp, path, (size_t)(path_end - path));
	if (!below_root(e, p))
		return intern_literal(e, s);
	bool fresh;
	uint32_t id = lookup_id(&e->key, &e->key_ids, s, &fresh);
	if (!fresh)
		return id;
	/* Parts first, so the entry refers to earlier ids only. */
	uint32_t pre = intern_literal(e, lc_arena_strndup(e->tmp, s, (size_t)(path - s)));
	uint32_t mid = intern_path(e, p);
	uint32_t post = *path_end ? intern_literal(e, path_end) : 0;
	lc_bw_varint(&e->strings, STR_KEY);
	lc_bw_varint(&e->strings, pre);
	lc_bw_varint(&e->strings, mid);
	lc_bw_varint(&e->strings, post);
	return add_id(e, &e->key_ids);
}

/* Compile arguments name paths ("/src/inc", "-I/src/inc", "-DF=/src/x"):
 * stored like other paths, so a summary moves with its tree. */
static uint32_t intern_arg(encoder *e, const char *s)
{
	if (s[0] == '/')
		return intern_path(e, s);
	const char *slash = s[0] == '-' ? strchr(s, '/') : NULL;
	if (!e->root || !slash)
		return intern_literal(e, s);
	return intern_composite(e, s, slash, slash + strlen(slash));
}

static void put_lit(encoder *e, lc_bw *w, const char *s)
{
	lc_bw_varint(w, s ? intern_literal(e, s) : 0);
}

static void put_path(encoder *e, lc_bw *w, const char *s)
{
	lc_bw_varint(w, s ? intern_path(e, s) : 0);
}

static void put_key(encoder *e, lc_bw *w, const char *s)
{
	lc_bw_varint(w, s ? intern_key(e, s) : 0);
}

static void put_loc(encoder *e, lc_bw *w, const lc_loc *l)
{
	put_path(e, w, l->file);
	lc_bw_varint(w, l->line);
	lc_bw_varint(w, l->column);
}

enum {
	V_KEY = 1,
	V_NAME = 2,
	V_TEXT = 4,
	V_HAS_IVAL = 8,
	V_IVAL = 16,
	V_PARAM = 32,
	V_HOLDS = 64,
};

static void put_value(encoder *e, lc_bw *w, const lc_value *v)
{
	unsigned bits = (v->key ? V_KEY : 0) | (v->name ? V_NAME : 0) | (v->text ? V_TEXT : 0) |
			(v->has_ival ? V_HAS_IVAL : 0) | (v->ival ? V_IVAL : 0) |
			(v->param ? V_PARAM : 0) | (v->holds ? V_HOLDS : 0);
	lc_bw_varint(w, (uint64_t)v->kind);
	lc_bw_u8(w, bits);
	if (v->key)
		put_key(e, w, v->key);
	if (v->name)
		put_lit(e, w, v->name);
	if (v->text)
		put_lit(e, w, v->text);
	if (v->ival)
		lc_bw_svarint(w, v->ival);
	if (v->param)
		lc_bw_svarint(w, v->param);
	if (v->holds)
		put_lit(e, w, v->holds);
}

static void put_tu(encoder *e, lc_bw *w, const lc_facts *f, const lc_file_digest *digests)
{
	put_path(e, w, f->main_file);
	lc_bw_u8(w, f->failed ? 1 : 0);

	lc_bw_varint(w, f->files.len);
	for (size_t i = 0; i < f->files.len; i++) {
		put_path(e, w, f->files.ptr[i]);
		lc_bw_varint(w, digests ? digests[i].size : 0);
		lc_bw_u64le(w, digests ? digests[i].hash : 0);
	}

	lc_bw_varint(w, f->functions.len);
	for (size_t i = 0; i < f->functions.len; i++) {
		const lc_function *fn = &f->functions.ptr[i];
		put_key(e, w, fn->key);
		put_lit(e, w, fn->name);
		put_loc(e, w, &fn->loc);
		lc_bw_varint(w, fn->nparams);
		lc_bw_u8(w, (fn->is_static ? 1 : 0) | (fn->is_main ? 2 : 0) |
				    (fn->is_noreturn ? 4 : 0));
	}

	lc_bw_varint(w, f->calls.len);
	for (size_t i = 0; i < f->calls.len; i++) {
		const lc_call *c = &f->calls.ptr[i];
		lc_bw_svarint(w, c->caller);
		lc_bw_varint(w, (uint64_t)c->kind);
		put_key(e, w, c->callee);
		put_lit(e, w, c->name);
		put_lit(e, w, c->macro);
		put_loc(e, w, &c->loc);
		lc_bw_varint(w, c->nargs);
		for (unsigned a = 0; a < c->nargs; a++)
			put_value(e, w, &c->args[a]);
		put_value(e, w, &c->result_to);
		lc_bw_varint(w, (uint64_t)c->loop_depth << 1 | (c->off_loop ? 1 : 0));
		lc_bw_svarint(w, c->loop);
		lc_bw_svarint(w, c->guard);
	}

	lc_bw_varint(w, f->stores.len);
	for (size_t i = 0; i < f->stores.len; i++) {
		const lc_store *s = &f->stores.ptr[i];
		lc_bw_svarint(w, s->function);
		lc_bw_varint(w, (uint64_t)s->slot_kind);
		put_key(e, w, s->slot);
		put_lit(e, w, s->slot_name);
		put_value(e, w, &s->value);
		put_loc(e, w, &s->loc);
	}

	lc_bw_varint(w, f->loops.len);
	for (size_t i = 0; i < f->loops.len; i++) {
		const lc_loop *l = &f->loops.ptr[i];
		lc_bw_svarint(w, l->function);
		put_loc(e, w, &l->loc);
		lc_bw_svarint(w, l->parent);
		lc_bw_u8(w, l->bound_is_data ? 1 : 0);
		put_lit(e, w, l->bound_text);
	}

	lc_bw_varint(w, f->diags.len);
	for (size_t i = 0; i < f->diags.len; i++) {
		const lc_diag *d = &f->diags.ptr[i];
		put_loc(e, w, &d->loc);
		put_lit(e, w, d->message);
		lc_bw_u8(w, d->fatal ? 1 : 0);
	}

	lc_bw_varint(w, f->args.len);
	for (size_t i = 0; i < f->args.len; i++)
		lc_bw_varint(w, intern_arg(e, f->args.ptr[i]));
	lc_bw_varint(w, f->globals.len);
	for (size_t i = 0; i < f->globals.len; i++)
		put_key(e, w, f->globals.ptr[i]);
	lc_bw_varint(w, f->uses.len);
	for (size_t i = 0; i < f->uses.len; i++)
		put_key(e, w, f->uses.ptr[i]);
}

static void put_section(lc_bw *out, unsigned tag, const lc_bw *body, const lc_bw *prefix)
{
	lc_bw_u8(out, tag);
	lc_bw_varint(out, body->len + (prefix ? prefix->len : 0));
	if (prefix)
		lc_bw_bytes(out, prefix->buf, prefix->len);
	lc_bw_bytes(out, body->buf, body->len);
}

static size_t header_len(size_t version_len)
{
	return HEADER_FIXED + version_len + 16;
}

static uint64_t header_seed(const unsigned char *hdr, size_t version_len)
{
	return lc_xxh64(hdr, HEADER_FIXED + version_len + 8, 0);
}

char *lc_summary_encode(const lc_facts *const *facts, const lc_file_digest *const *digests,
			size_t n, const char *root, size_t *len)
{
	encoder e = { 0 };
	e.tmp = lc_arena_new();
	if (root) {
		size_t rl = strlen(root);
		while (rl > 0 && root[rl - 1] == '/')
			rl--;
		e.root = lc_arena_strndup(e.tmp, root, rl);
		e.root_len = rl;
	}
	lc_bw tus = { 0 }, one = { 0 };
	for (size_t i = 0; i < n; i++) {
		one.len = 0;
		put_tu(&e, &one, facts[i], digests ? digests[i] : NULL);
		put_section(&tus, SEC_TU, &one, NULL);
	}
	lc_bw count = { 0 }, payload = { 0 };
	lc_bw_varint(&count, e.nstrings);
	put_section(&payload, SEC_STRINGS, &e.strings, &count);
	lc_bw_bytes(&payload, tus.buf, tus.len);

	const char *version = LC_VERSION;
	size_t vl = strlen(version);
	if (vl > TOOL_VERSION_MAX)
		vl = TOOL_VERSION_MAX;
	lc_bw out = { 0 };
	lc_bw_bytes(&out, LC_SUMMARY_MAGIC, 5);
	lc_bw_u8(&out, LC_SUMMARY_FORMAT & 0xff);
	lc_bw_u8(&out, (LC_SUMMARY_FORMAT >> 8) & 0xff);
	lc_bw_u8(&out, (unsigned)vl);
	lc_bw_bytes(&out, version, vl);
	lc_bw_u64le(&out, payload.len);
	uint64_t sum = lc_xxh64(payload.buf, payload.len, header_seed(out.buf, vl));
	lc_bw_u64le(&out, sum);
	lc_bw_bytes(&out, payload.buf, payload.len);

	free(one.buf);
	free(tus.buf);
	free(count.buf);
	free(payload.buf);
	free(e.strings.buf);
	lc_strmap_free(&e.lit);
	lc_strmap_free(&e.path);
	lc_strmap_free(&e.key);
	lc_vec_free(&e.lit_ids);
	lc_vec_free(&e.path_ids);
	lc_vec_free(&e.key_ids);
	lc_arena_free(e.tmp);
	*len = out.len;
	return (char *)out.buf;
}

/* ---- decoding ------------------------------------------------------------------ */

typedef struct decoder {
	lc_br r;
	const char **strs;     /* id -> materialized string (temporary arena) */
	size_t nstrs;
	lc_arena *tmp;
	const char *root;      /* normalized, NULL: keep relative */
	size_t root_len;
	/* Per TU: the string copied into its arena, by id. */
	const char **local;
	lc_facts *f;
	char *err;             /* heap, set once */
	/* A TU is read twice: once to count the bytes its strings and arrays
	 * need, then into one chunk of exactly that size in its arena (an
	 * arena's first small allocation would take a 64 KB block, which for a
	 * thousand TUs is most of the memory their facts hold). */
	bool counting;
	size_t need;
	unsigned char *chunk;
	size_t chunk_left;
} decoder;

enum { CHUNK_MIN = 16 * 1024 + 16 }; /* above util.c's own-block threshold */

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* Memory for the TU being read: counted in the first pass, cut from the
 * chunk in the second. Zeroed. */
static void *tu_alloc(decoder *d, size_t n)
{
	n = align16(n ? n : 1);
	if (d->counting) {
		d->need += n;
		return lc_arena_alloc(d->f->arena, n);
	}
	if (n > d->chunk_left)
		return lc_arena_alloc(d->f->arena, n); /* not expected: the count is exact */
	void *p = d->chunk;
	d->chunk += n;
	d->chunk_left -= n;
	return p;
}

static void fail(decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(decoder *d, const char *fmt, ...)
{
	if (d->err)
		return;
	va_list ap;
	va_start(ap, fmt);
	char buf[256];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->err = lc_xasprintf("malformed summary: %s", buf);
	if (!d->r.err)
		d->r.err = "invalid";
}

static bool broken(decoder *d)
{
	return d->err || d->r.err;
}

static const char *join_root(decoder *d, const char *rel, size_t n)
{
	if (!d->root)
		return n ? lc_arena_strndup(d->tmp, rel, n) : ".";
	if (n == 0)
		return d->root_len ? d->root : "/";
	char *s = lc_arena_alloc(d->tmp, d->root_len + n + 2);
	memcpy(s, d->root, d->root_len);
	s[d->root_len] = '/';
	memcpy(s + d->root_len + 1, rel, n);
	return s;
}

static void read_strings(decoder *d)
{
	lc_br *r = &d->r;
	d->nstrs = lc_br_count(r, 2);
	d->strs = lc_xcalloc(d->nstrs + 1, sizeof(char *));
	d->strs[0] = "";
	for (size_t id = 1; id <= d->nstrs && !broken(d); id++) {
		uint64_t kind = lc_br_varint(r);
		if (kind == STR_LITERAL || kind == STR_PATH) {
			size_t n = lc_br_count(r, 1);
			const unsigned char *b = lc_br_bytes(r, n);
			if (!b)
				break;
			if (memchr(b, '\0', n)) {
				fail(d, "string %zu holds a NUL byte", id);
				break;
			}
			d->strs[id] = kind == STR_LITERAL ? lc_arena_strndup(d->tmp, (const char *)b, n)
							  : join_root(d, (const char *)b, n);
		} else if (kind == STR_KEY) {
			uint64_t part[3];
			for (int k = 0; k < 3; k++) {
				part[k] = lc_br_varint(r);
				if (part[k] >= id) {
					fail(d, "string %zu refers to a later string", id);
					break;
				}
			}
			if (broken(d))
				break;
			const char *a = d->strs[part[0]], *b = d->strs[part[1]], *c = d->strs[part[2]];
			size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
			char *s = lc_arena_alloc(d->tmp, la + lb + lc + 1);
			memcpy(s, a, la);
			memcpy(s + la, b, lb);
			memcpy(s + la + lb, c, lc);
			d->strs[id] = s;
		} else if (!r->err) {
			fail(d, "string %zu has unknown kind %llu", id, (unsigned long long)kind);
		}
	}
	if (!broken(d) && r->p != r->end)
		fail(d, "%zu stray bytes after the string table", (size_t)(r->end - r->p));
}

static const char *get_str(decoder *d, lc_br *r)
{
	uint64_t id = lc_br_varint(r);
	if (id == 0 || broken(d))
		return NULL;
	if (id > d->nstrs) {
		fail(d, "string reference %llu out of range", (unsigned long long)id);
		return NULL;
	}
	if (!d->local[id]) {
		size_t n = strlen(d->strs[id]) + 1;
		char *c = tu_alloc(d, n);
		memcpy(c, d->strs[id], n);
		d->local[id] = c;
	}
	return d->local[id];
}

static unsigned get_uint(decoder *d, lc_br *r, const char *what)
{
	uint64_t v = lc_br_varint(r);
	if (v > UINT_MAX) {
		fail(d, "%s %llu out of range", what, (unsigned long long)v);
		return 0;
	}
	return (unsigned)v;
}

static int get_index(decoder *d, lc_br *r, size_t limit, const char *what, size_t item)
{
	int64_t v = lc_br_svarint(r);
	if (v < -1 || (v >= 0 && (uint64_t)v >= limit)) {
		fail(d, "%s %zu: index %lld out of range", what, item, (long long)v);
		return -1;
	}
	return (int)v;
}

static void get_loc(decoder *d, lc_br *r, lc_loc *l)
{
	l->file = get_str(d, r);
	l->line = get_uint(d, r, "line");
	l->column = get_uint(d, r, "column");
}

static void get_value(decoder *d, lc_br *r, lc_value *v)
{
	uint64_t kind = lc_br_varint(r);
	if (kind > LC_VAL_STRING) {
		fail(d, "value kind %llu unknown", (unsigned long long)kind);
		return;
	}
	v->kind = (lc_value_kind)kind;
	unsigned bits = lc_br_u8(r);
	if (bits & ~127u) {
		fail(d, "value flags %#x unknown", bits);
		return;
	}
	if (bits & V_KEY)
		v->key = get_str(d, r);
	if (bits & V_NAME)
		v->name = get_str(d, r);
	if (bits & V_TEXT)
		v->text = get_str(d, r);
	v->has_ival = (bits & V_HAS_IVAL) != 0;
	if (bits & V_IVAL)
		v->ival = lc_br_svarint(r);
	if (bits & V_PARAM) {
		int64_t p = lc_br_svarint(r);
		if (p < INT_MIN || p > INT_MAX)
			fail(d, "parameter index %lld out of range", (long long)p);
		else
			v->param = (int)p;
	}
	if (bits & V_HOLDS)
		v->holds = get_str(d, r);
}

#define ALLOC_VEC(vec, n)                                                        \
	do {                                                                     \
		(vec).ptr = (n) ? lc_xcalloc((n), sizeof(*(vec).ptr)) : NULL;    \
		(vec).len = (vec).cap = (n);                                     \
	} while (0)

/* A count, then that many string references, none of them NULL: the
 * arguments, globals and uses of a TU. */
static void read_strings_into(decoder *d, lc_br *r, void *vec, const char *what)
{
	LC_VEC(const char *) *v = vec;
	size_t n = lc_br_count(r, 1);
	ALLOC_VEC(*v, n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		v->ptr[i] = get_str(d, r);
		if (!v->ptr[i] && !broken(d))
			fail(d, "%s %zu is empty", what, i);
	}
}

static void read_tu(decoder *d, lc_file_digest **digests_out)
{
	lc_br *r = &d->r;
	lc_facts *f = d->f;
	f->main_file = get_str(d, r);
	if (!f->main_file)
		fail(d, "translation unit without a main file");
	unsigned flags = lc_br_u8(r);
	if (flags > 1)
		fail(d, "translation unit flags %#x unknown", flags);
	f->failed = flags & 1;

	size_t n = lc_br_count(r, 10);
	ALLOC_VEC(f->files, n);
	lc_file_digest *dg = tu_alloc(d, sizeof(*dg) * n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		f->files.ptr[i] = get_str(d, r);
		dg[i].size = lc_br_varint(r);
		dg[i].hash = lc_br_u64le(r);
		if (!f->files.ptr[i] && !broken(d))
			fail(d, "file %zu has no name", i);
	}
	*digests_out = dg;

	n = lc_br_count(r, 6);
	ALLOC_VEC(f->functions, n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		lc_function *fn = &f->functions.ptr[i];
		fn->key = get_str(d, r);
		fn->name = get_str(d, r);
		get_loc(d, r, &fn->loc);
		fn->nparams = get_uint(d, r, "parameter count");
		unsigned fl = lc_br_u8(r);
		fn->is_static = fl & 1;
		fn->is_main = (fl & 2) != 0;
		fn->is_noreturn = (fl & 4) != 0;
		if (!broken(d) && (!fn->key || !fn->name || fl > 7))
			fail(d, "function %zu: missing key or name, or unknown flags", i);
	}

	size_t nfunctions = f->functions.len;
	n = lc_br_count(r, 12);
	ALLOC_VEC(f->calls, n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		lc_call *c = &f->calls.ptr[i];
		c->caller = get_index(d, r, nfunctions, "call", i);
		uint64_t kind = lc_br_varint(r);
		if (kind > LC_CALL_UNKNOWN)
			fail(d, "call %zu: kind %llu unknown", i, (unsigned long long)kind);
		c->kind = (lc_callee_kind)(kind > LC_CALL_UNKNOWN ? 0 : kind);
		c->callee = get_str(d, r);
		c->name = get_str(d, r);
		c->macro = get_str(d, r);
		get_loc(d, r, &c->loc);
		size_t nargs = lc_br_count(r, 2);
		if (nargs > UINT_MAX)
			fail(d, "call %zu: too many arguments", i);
		if (broken(d))
			break;
		c->nargs = (unsigned)nargs;
		c->args = nargs ? tu_alloc(d, sizeof(lc_value) * nargs) : NULL;
		for (size_t a = 0; a < nargs && !broken(d); a++)
			get_value(d, r, &c->args[a]);
		get_value(d, r, &c->result_to);
		unsigned depth_and_fork = get_uint(d, r, "loop depth");
		c->loop_depth = depth_and_fork >> 1;
		c->off_loop = depth_and_fork & 1;
		int64_t loop = lc_br_svarint(r);
		c->loop = loop < -1 || loop > INT_MAX ? -2 : (int)loop; /* checked with the loops */
		int64_t guard = lc_br_svarint(r);
		if (guard < -64 || guard > 64)
			fail(d, "call %zu: guard %lld out of range", i, (long long)guard);
		c->guard = (int)guard;
	}

	n = lc_br_count(r, 9);
	ALLOC_VEC(f->stores, n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		lc_store *s = &f->stores.ptr[i];
		s->function = get_index(d, r, nfunctions, "store", i);
		uint64_t kind = lc_br_varint(r);
		if (kind > LC_SLOT_PARAM)
			fail(d, "store %zu: slot kind %llu unknown", i, (unsigned long long)kind);
		s->slot_kind = (lc_slot_kind)(kind > LC_SLOT_PARAM ? 0 : kind);
		s->slot = get_str(d, r);
		s->slot_name = get_str(d, r);
		get_value(d, r, &s->value);
		get_loc(d, r, &s->loc);
		if (!broken(d) && !s->slot)
			fail(d, "store %zu has no slot", i);
	}

	n = lc_br_count(r, 7);
	ALLOC_VEC(f->loops, n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		lc_loop *l = &f->loops.ptr[i];
		l->function = get_index(d, r, nfunctions, "loop", i);
		get_loc(d, r, &l->loc);
		l->parent = get_index(d, r, f->loops.len, "loop parent", i);
		unsigned b = lc_br_u8(r);
		if (b > 1)
			fail(d, "loop %zu: flags %#x unknown", i, b);
		l->bound_is_data = b & 1;
		l->bound_text = get_str(d, r);
	}
	for (size_t i = 0; i < f->calls.len && !broken(d); i++)
		if (f->calls.ptr[i].loop < -1 || f->calls.ptr[i].loop >= (int)f->loops.len)
			fail(d, "call %zu: loop index out of range", i);

	n = lc_br_count(r, 5);
	ALLOC_VEC(f->diags, n);
	for (size_t i = 0; i < n && !broken(d); i++) {
		lc_diag *dg2 = &f->diags.ptr[i];
		get_loc(d, r, &dg2->loc);
		dg2->message = get_str(d, r);
		unsigned b = lc_br_u8(r);
		dg2->fatal = b & 1;
		if (!broken(d) && (b > 1 || !dg2->message))
			fail(d, "diagnostic %zu: no message or unknown flags", i);
	}

	read_strings_into(d, r, &f->args, "argument");
	read_strings_into(d, r, &f->globals, "global");
	read_strings_into(d, r, &f->uses, "use");
	if (!broken(d) && r->p != r->end)
		fail(d, "%zu stray bytes at the end of a translation unit",
		     (size_t)(r->end - r->p));
}

static char *reader_error(decoder *d, const char *where)
{
	if (d->err) {
		char *e = d->err;
		d->err = NULL;
		return e;
	}
	return lc_xasprintf("malformed summary: %s in %s at byte %zu", d->r.err, where,
			    (size_t)(d->r.p - d->r.start));
}

void lc_summary_free(lc_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ntus; i++)
		lc_facts_free(s->facts[i]);
	free(s->facts);
	free(s->digests);
	free(s);
}

lc_summary *lc_summary_decode(const void *data, size_t len, const char *root, char **err)
{
	const unsigned char *b = data;
	*err = NULL;
	if (len < 5 || memcmp(b, LC_SUMMARY_MAGIC, 5) != 0) {
		*err = lc_xstrdup("not a loopcheck summary (bad magic)");
		return NULL;
	}
	if (len < HEADER_FIXED) {
		*err = lc_xstrdup("truncated summary (header)");
		return NULL;
	}
	unsigned format = b[5] | (unsigned)b[6] << 8;
	if (format != LC_SUMMARY_FORMAT) {
		*err = lc_xasprintf("summary format %u, this loopcheck reads format %d", format,
				    LC_SUMMARY_FORMAT);
		return NULL;
	}
	size_t vl = b[7];
	if (vl > TOOL_VERSION_MAX) {
		*err = lc_xstrdup("malformed summary: tool version too long");
		return NULL;
	}
	if (len < header_len(vl)) {
		*err = lc_xstrdup("truncated summary (header)");
		return NULL;
	}
	decoder d = { 0 };
	lc_br outer;
	lc_br_init(&outer, b, len);
	lc_br_bytes(&outer, HEADER_FIXED + vl);
	uint64_t plen = lc_br_u64le(&outer);
	uint64_t sum = lc_br_u64le(&outer);
	size_t avail = len - header_len(vl);
	if (plen > avail) {
		*err = lc_xasprintf("truncated summary (%zu of %llu payload bytes)", avail,
				    (unsigned long long)plen);
		return NULL;
	}
	if (plen < avail) {
		*err = lc_xasprintf("malformed summary: %zu bytes after the payload",
				    avail - (size_t)plen);
		return NULL;
	}
	if (lc_xxh64(outer.p, (size_t)plen, header_seed(b, vl)) != sum) {
		*err = lc_xstrdup("summary checksum mismatch (corrupt file)");
		return NULL;
	}

	lc_summary *s = lc_xcalloc(1, sizeof(*s));
	s->format = format;
	memcpy(s->tool_version, b + HEADER_FIXED, vl);
	s->tool_version[vl] = '\0';
	d.tmp = lc_arena_new();
	if (root) {
		size_t rl = strlen(root);
		while (rl > 0 && root[rl - 1] == '/')
			rl--;
		d.root = lc_arena_strndup(d.tmp, root, rl);
		d.root_len = rl;
	}
	LC_VEC(lc_facts *) facts = { 0 };
	LC_VEC(lc_file_digest *) digests = { 0 };
	bool have_strings = false;
	while (outer.p < outer.end && !*err) {
		unsigned tag = lc_br_u8(&outer);
		size_t n = lc_br_count(&outer, 1);
		const unsigned char *body = lc_br_bytes(&outer, n);
		if (!body) {
			*err = lc_xasprintf("malformed summary: %s section header at byte %zu",
					    outer.err, (size_t)(outer.p - outer.start));
			break;
		}
		/* Each section is read with its own bounds. */
		lc_br_init(&d.r, body, n);
		d.r.start = outer.start;
		if (tag == SEC_STRINGS && !have_strings) {
			have_strings = true;
			read_strings(&d);
			if (broken(&d))
				*err = reader_error(&d, "the string table");
		} else if (tag == SEC_TU && have_strings) {
			/* First pass: validate and count into scratch facts. */
			d.counting = true;
			d.need = 0;
			d.f = lc_facts_new();
			d.local = lc_xcalloc(d.nstrs + 1, sizeof(char *));
			lc_file_digest *dg = NULL;
			read_tu(&d, &dg);
			lc_facts_free(d.f);
			/* Second pass: the same bytes into one exact chunk. */
			if (!broken(&d)) {
				d.counting = false;
				d.f = lc_facts_new();
				memset(d.local, 0, (d.nstrs + 1) * sizeof(char *));
				d.chunk_left = d.need > CHUNK_MIN ? d.need : CHUNK_MIN;
				d.chunk = lc_arena_alloc(d.f->arena, d.chunk_left);
				lc_br_init(&d.r, body, n);
				d.r.start = outer.start;
				read_tu(&d, &dg);
			} else {
				d.f = lc_facts_new(); /* freed with the summary */
			}
			free(d.local);
			d.local = NULL;
			lc_vec_push(&facts, d.f);
			lc_vec_push(&digests, dg);
			d.f = NULL;
			if (broken(&d)) {
				char where[48];
				snprintf(where, sizeof(where), "translation unit %zu", facts.len);
				*err = reader_error(&d, where);
			}
		} else {
			*err = lc_xasprintf("malformed summary: unexpected section %u", tag);
		}
	}
	if (!*err && !have_strings)
		*err = lc_xstrdup("malformed summary: no string table");
	s->ntus = facts.len;
	s->facts = facts.ptr;
	s->digests = digests.ptr;
	free(d.strs);
	free(d.err);
	lc_arena_free(d.tmp);
	if (*err) {
		lc_summary_free(s);
		return NULL;
	}
	return s;
}
