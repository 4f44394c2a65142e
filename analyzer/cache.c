/* cache.c - the per-TU summary cache (see cache.h).
 *
 * Entry file layout (little-endian, varints as in summary.h):
 *
 *   4 bytes "LCCE", u16 entry version, u16 zero
 *   u64 checksum: lc_xxh64 of everything after this field
 *   16 bytes      the key (a copy of the file name, checked on reading)
 *   string        the root the summary was encoded with
 *   varint        cost: total bytes of the TU's inputs
 *   varint        number of files N (equal to the summary's)
 *   N times       u8 flags (1 = racy), svarint mtime seconds, varint ns
 *   the rest      the summary
 */
#define _GNU_SOURCE
#include "cache.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LC_VERSION
#define LC_VERSION "0.0.0"
#endif

enum {
	ENTRY_VERSION = 1,
	ENTRY_HEADER = 16,       /* magic, version, zero, checksum */
	KEY_BYTES = 16,
	KEEP_GENERATIONS = 4,
	RACY_SECONDS = 2,
	FLAG_RACY = 1,
};

/* What one run knows about one file: its stat and, when needed, its
 * content hash. Shared by all TUs, so each header is stat'ed once. */
typedef struct file_state {
	char *path;
	int stat_errno;        /* 0 when the stat worked */
	uint64_t size;
	int64_t mtime_sec;
	long mtime_nsec;
	bool hashed, hash_ok;
	uint64_t hash;
} file_state;

struct lc_cache {
	char *dir;
	char *gen_dir;           /* dir/<fingerprint> */
	char *root;
	unsigned char fingerprint[KEY_BYTES];
	time_t run_start;
	pthread_mutex_t lock;    /* guards the file table */
	file_state **table;      /* open addressing by path hash */
	size_t table_cap, table_len;
	atomic_size_t hits, misses, stale, corrupt, stored, refreshed, uncacheable,
		write_errors, files_stat, files_hashed;
};

/* ---- small helpers --------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char *p = lc_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, 0777);
	int e = errno;
	free(p);
	if (r != 0 && e != EEXIST) {
		errno = e;
		return -1;
	}
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static void hex(char *out, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool is_hex_name(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void hash128(const void *data, size_t len, unsigned char out[KEY_BYTES])
{
	uint64_t a = lc_xxh64(data, len, 0x6c6f6f70ULL), b = lc_xxh64(data, len, 0x63686b31ULL);
	for (int i = 0; i < 8; i++) {
		out[i] = (unsigned char)(a >> (8 * i));
		out[8 + i] = (unsigned char)(b >> (8 * i));
	}
}

/* The GNU build id of the running executable: changes with every build, so
 * a rebuilt loopcheck never trusts facts its predecessor extracted. Found
 * through the auxiliary vector's program headers (analyzer/link.h shadows
 * the system <link.h>, so no dl_iterate_phdr here). */
#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Phdr phdr_t;
typedef Elf64_Nhdr nhdr_t;
#else
typedef Elf32_Phdr phdr_t;
typedef Elf32_Nhdr nhdr_t;
#endif

typedef struct build_id {
	unsigned char bytes[64];
	size_t len;
} build_id;

static void find_build_id(build_id *id)
{
	const phdr_t *ph = (const phdr_t *)getauxval(AT_PHDR);
	size_t n = (size_t)getauxval(AT_PHNUM);
	uintptr_t base = 0;
	bool have_base = false;
	for (size_t i = 0; ph && i < n; i++) {
		if (ph[i].p_type == PT_PHDR) {
			base = (uintptr_t)ph - ph[i].p_vaddr;
			have_base = true;
		}
	}
	if (!have_base)
		return;
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		const unsigned char *p = (const unsigned char *)(base + ph[i].p_vaddr);
		const unsigned char *end = p + ph[i].p_memsz;
		while ((size_t)(end - p) >= sizeof(nhdr_t)) {
			nhdr_t nh;
			memcpy(&nh, p, sizeof(nh));
			size_t name = (nh.n_namesz + 3) & ~(size_t)3, desc = (nh.n_descsz + 3) & ~(size_t)3;
			if (name + desc > (size_t)(end - p) - sizeof(nh))
				break;
			const unsigned char *d = p + sizeof(nh) + name;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp(p + sizeof(nh), "GNU", 4) == 0 && nh.n_descsz <= sizeof(id->bytes)) {
				memcpy(id->bytes, d, nh.n_descsz);
				id->len = nh.n_descsz;
				return;
			}
			p = d + desc;
		}
	}
}

static void tool_fingerprint(const char *extractor_id, unsigned char out[KEY_BYTES])
{
	build_id id = { 0 };
	find_build_id(&id);
	lc_bw w = { 0 };
	lc_bw_str(&w, "loopcheck cache");
	lc_bw_str(&w, LC_VERSION);
	lc_bw_varint(&w, LC_SUMMARY_FORMAT);
	lc_bw_varint(&w, ENTRY_VERSION);
	lc_bw_str(&w, extractor_id ? extractor_id : "");
	if (id.len) {
		lc_bw_varint(&w, id.len);
		lc_bw_bytes(&w, id.bytes, id.len);
	} else {
		/* No build id: hash the executable itself. */
		size_t n = 0;
		char *exe = lc_read_file("/proc/self/exe", &n);
		lc_bw_u64le(&w, exe ? lc_xxh64(exe, n, 0) : 0);
		free(exe);
	}
	hash128(w.buf, w.len, out);
	free(w.buf);
}

/* ---- the directory ------------------------------------------------------------ */

char *lc_cache_default_dir(const char *compdb_path)
{
	if (compdb_path) {
		struct stat st;
		if (stat(compdb_path, &st) == 0 && S_ISDIR(st.st_mode))
			return lc_xasprintf("%s/.loopcheck-cache", compdb_path);
		const char *slash = strrchr(compdb_path, '/');
		if (!slash)
			return lc_xstrdup(".loopcheck-cache");
		return lc_xasprintf("%.*s/.loopcheck-cache", (int)(slash - compdb_path + (slash == compdb_path)),
				    compdb_path);
	}
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && xdg[0] == '/')
		return lc_xasprintf("%s/loopcheck", xdg);
	const char *home = getenv("HOME");
	if (home && home[0])
		return lc_xasprintf("%s/.cache/loopcheck", home);
	return NULL;
}

static void write_if_missing(const char *dir, const char *name, const char *text)
{
	char *path = lc_xasprintf("%s/%s", dir, name);
	if (access(path, F_OK) != 0)
		lc_write_file_atomic(path, text, strlen(text)); /* best effort */
	free(path);
}

/* Remove DIR/gen/xx/entry files and the directories, never following links
 * and touching only names the cache itself creates. */
static void remove_generation(int dirfd, const char *gen)
{
	int gfd = openat(dirfd, gen, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0)
		return;
	DIR *g = fdopendir(gfd);
	if (!g) {
		close(gfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(g))) {
		if (!is_hex_name(de->d_name, 2))
			continue;
		int sfd = openat(gfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0)
			continue;
		DIR *s = fdopendir(sfd);
		if (!s) {
			close(sfd);
			continue;
		}
		struct dirent *e;
		while ((e = readdir(s)))
			if (e->d_name[0] != '.')
				unlinkat(sfd, e->d_name, 0);
		closedir(s);
		unlinkat(gfd, de->d_name, AT_REMOVEDIR);
	}
	closedir(g);
	unlinkat(dirfd, gen, AT_REMOVEDIR);
}

typedef struct generation {
	char name[2 * 8 + 1];
	struct timespec mtime;
} generation;

static int by_mtime_desc(const void *a, const void *b)
{
	const generation *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Keep the KEEP_GENERATIONS most recently opened fingerprint directories. */
static void prune_generations(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	LC_VEC(generation) gens = { 0 };
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (!is_hex_name(de->d_name, 16) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
			continue;
		generation g;
		memcpy(g.name, de->d_name, sizeof(g.name));
		g.mtime = st.st_mtim;
		lc_vec_push(&gens, g);
	}
	if (gens.len > KEEP_GENERATIONS) {
		qsort(gens.ptr, gens.len, sizeof(generation), by_mtime_desc);
		for (size_t i = KEEP_GENERATIONS; i < gens.len; i++)
			remove_generation(dfd, gens.ptr[i].name);
	}
	lc_vec_free(&gens);
	closedir(d);
}

lc_cache *lc_cache_open(const char *dir, const char *root, const char *extractor_id, char **err)
{
	*err = NULL;
	if (mkdir_p(dir) != 0) {
		*err = lc_xasprintf("%s: cannot create the cache directory: %s", dir, strerror(errno));
		return NULL;
	}
	lc_cache *c = lc_xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->dir = lc_xstrdup(dir);
	c->root = root ? lc_xstrdup(root) : NULL;
	c->run_start = time(NULL);
	tool_fingerprint(extractor_id, c->fingerprint);
	char fp[2 * 8 + 1];
	hex(fp, c->fingerprint, 8);
	c->gen_dir = lc_xasprintf("%s/%s", dir, fp);
	if (mkdir(c->gen_dir, 0777) != 0 && errno != EEXIST) {
		*err = lc_xasprintf("%s: cannot create the cache directory: %s", c->gen_dir,
				    strerror(errno));
		lc_cache_close(c);
		return NULL;
	}
	utimensat(AT_FDCWD, c->gen_dir, NULL, 0); /* most recently used */
	write_if_missing(dir, "CACHEDIR.TAG",
			 "Signature: 8a477f597d28d172789f06886806bc55\n"
			 "# This file is a cache directory tag created by loopcheck.\n"
			 "# For information about cache directory tags see https://bford.info/cachedir/\n");
	write_if_missing(dir, ".gitignore", "# Created by loopcheck: the summary cache.\n*\n");
	prune_generations(dir);
	return c;
}

void lc_cache_close(lc_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->table_cap; i++) {
		if (c->table[i]) {
			free(c->table[i]->path);
			free(c->table[i]);
		}
	}
	free(c->table);
	pthread_mutex_destroy(&c->lock);
	free(c->gen_dir);
	free(c->dir);
	free(c->root);
	free(c);
}

const char *lc_cache_dir(const lc_cache *c)
{
	return c->dir;
}

void lc_cache_get_stats(const lc_cache *c, lc_cache_stats *out)
{
	lc_cache *m = (lc_cache *)c;
	out->hits = atomic_load(&m->hits);
	out->misses = atomic_load(&m->misses);
	out->stale = atomic_load(&m->stale);
	out->corrupt = atomic_load(&m->corrupt);
	out->stored = atomic_load(&m->stored);
	out->refreshed = atomic_load(&m->refreshed);
	out->uncacheable = atomic_load(&m->uncacheable);
	out->write_errors = atomic_load(&m->write_errors);
	out->files_stat = atomic_load(&m->files_stat);
	out->files_hashed = atomic_load(&m->files_hashed);
}

/* ---- keys ------------------------------------------------------------------------ */

static void tu_key(const lc_cache *c, const lc_tu_cmd *tu, unsigned char key[KEY_BYTES])
{
	static const char *const env[] = { "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
					   "OBJC_INCLUDE_PATH" };
	lc_bw w = { 0 };
	lc_bw_bytes(&w, c->fingerprint, KEY_BYTES);
	lc_bw_str(&w, tu->file);
	lc_bw_str(&w, tu->directory ? tu->directory : "");
	lc_bw_varint(&w, tu->nargs);
	for (size_t i = 0; i < tu->nargs; i++)
		lc_bw_str(&w, tu->args[i]);
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		const char *v = getenv(env[i]);
		lc_bw_u8(&w, v != NULL);
		lc_bw_str(&w, v ? v : "");
	}
	hash128(w.buf, w.len, key);
	free(w.buf);
}

static char *key_path(const lc_cache *c, const unsigned char key[KEY_BYTES])
{
	char h[2 * KEY_BYTES + 1];
	hex(h, key, KEY_BYTES);
	return lc_xasprintf("%s/%.2s/%s", c->gen_dir, h, h);
}

char *lc_cache_entry_path(const lc_cache *c, const lc_tu_cmd *tu)
{
	unsigned char key[KEY_BYTES];
	tu_key(c, tu, key);
	return key_path(c, key);
}

/* ---- the file table ------------------------------------------------------------ */

/* The state of `path`, stat'ed on first use. The returned pointer stays
 * valid until lc_cache_close; its fields are read under the lock. */
static file_state *file_get(lc_cache *c, const char *path)
{
	uint64_t h = lc_xxh64(path, strlen(path), 0);
	pthread_mutex_lock(&c->lock);
	if ((c->table_len + 1) * 2 > c->table_cap) {
		size_t ncap = c->table_cap ? c->table_cap * 2 : 256;
		file_state **nt = lc_xcalloc(ncap, sizeof(*nt));
		for (size_t i = 0; i < c->table_cap; i++) {
			file_state *fs = c->table[i];
			if (!fs)
				continue;
			size_t j = lc_xxh64(fs->path, strlen(fs->path), 0) & (ncap - 1);
			while (nt[j])
				j = (j + 1) & (ncap - 1);
			nt[j] = fs;
		}
		free(c->table);
		c->table = nt;
		c->table_cap = ncap;
	}
	size_t i = h & (c->table_cap - 1);
	while (c->table[i] && strcmp(c->table[i]->path, path) != 0)
		i = (i + 1) & (c->table_cap - 1);
	file_state *fs = c->table[i];
	if (!fs) {
		fs = lc_xcalloc(1, sizeof(*fs));
		fs->path = lc_xstrdup(path);
		struct stat st;
		if (stat(path, &st) == 0) {
			fs->size = (uint64_t)st.st_size;
			fs->mtime_sec = st.st_mtim.tv_sec;
			fs->mtime_nsec = st.st_mtim.tv_nsec;
		} else {
			fs->stat_errno = errno ? errno : ENOENT;
		}
		c->table[i] = fs;
		c->table_len++;
		atomic_fetch_add(&c->files_stat, 1);
	}
	pthread_mutex_unlock(&c->lock);
	return fs;
}

/* The content hash of a file, read once per run; false if unreadable. */
static bool file_hash(lc_cache *c, file_state *fs, uint64_t *hash)
{
	pthread_mutex_lock(&c->lock);
	bool done = fs->hashed, ok = fs->hash_ok;
	*hash = fs->hash;
	pthread_mutex_unlock(&c->lock);
	if (done)
		return ok;
	size_t n = 0;
	char *data = lc_read_file(fs->path, &n);
	uint64_t h = data ? lc_xxh64(data, n, 0) : 0;
	free(data);
	atomic_fetch_add(&c->files_hashed, 1);
	pthread_mutex_lock(&c->lock);
	fs->hashed = true;
	fs->hash_ok = data != NULL;
	fs->hash = h;
	pthread_mutex_unlock(&c->lock);
	*hash = h;
	return data != NULL;
}

/* The stat info to record for a file whose parsed content has `digest`. */
typedef struct stat_rec {
	unsigned flags;
	int64_t mtime_sec;
	long mtime_nsec;
} stat_rec;

static stat_rec record_for(lc_cache *c, file_state *fs, const lc_file_digest *digest)
{
	stat_rec r = { 0 };
	pthread_mutex_lock(&c->lock);
	r.mtime_sec = fs->mtime_sec;
	r.mtime_nsec = fs->mtime_nsec;
	bool racy = fs->stat_errno != 0 || fs->size != digest->size ||
		    fs->mtime_sec >= (int64_t)c->run_start - RACY_SECONDS;
	pthread_mutex_unlock(&c->lock);
	r.flags = racy ? FLAG_RACY : 0;
	return r;
}

/* ---- entries ----------------------------------------------------------------------- */

static char *encode_entry(const lc_cache *c, const unsigned char key[KEY_BYTES], uint64_t cost,
			  const stat_rec *recs, size_t n, const void *summary, size_t summary_len,
			  size_t *len)
{
	lc_bw body = { 0 };
	lc_bw_bytes(&body, key, KEY_BYTES);
	lc_bw_str(&body, c->root ? c->root : "");
	lc_bw_varint(&body, cost);
	lc_bw_varint(&body, n);
	for (size_t i = 0; i < n; i++) {
		lc_bw_u8(&body, recs[i].flags);
		lc_bw_svarint(&body, recs[i].mtime_sec);
		lc_bw_varint(&body, (uint64_t)recs[i].mtime_nsec);
	}
	lc_bw_bytes(&body, summary, summary_len);
	lc_bw out = { 0 };
	lc_bw_bytes(&out, "LCCE", 4);
	lc_bw_u8(&out, ENTRY_VERSION & 0xff);
	lc_bw_u8(&out, ENTRY_VERSION >> 8);
	lc_bw_u8(&out, 0);
	lc_bw_u8(&out, 0);
	lc_bw_u64le(&out, lc_xxh64(body.buf, body.len, 0));
	lc_bw_bytes(&out, body.buf, body.len);
	free(body.buf);
	*len = out.len;
	return (char *)out.buf;
}

static bool write_entry(lc_cache *c, const char *path, const char *data, size_t len)
{
	if (lc_write_file_atomic(path, data, len) == 0)
		return true;
	if (errno == ENOENT) {
		/* First entry in this bucket: make FP/ab and retry. */
		char *d = lc_xstrndup(path, (size_t)(strrchr(path, '/') - path));
		int r = mkdir_p(d);
		free(d);
		if (r == 0 && lc_write_file_atomic(path, data, len) == 0)
			return true;
	}
	atomic_fetch_add(&c->write_errors, 1);
	return false;
}

/* A TU whose inputs may change without any recorded file changing. */
static bool uncacheable(const lc_facts *f)
{
	if (f->failed || f->files.len == 0)
		return true;
	for (size_t i = 0; i < f->diags.len; i++) {
		const char *m = f->diags.ptr[i].message;
		if (m && strstr(m, "file not found"))
			return true;
	}
	return false;
}

bool lc_cache_store(lc_cache *c, const lc_tu_cmd *tu, const lc_facts *f,
		    const lc_file_digest *digests)
{
	if (!digests || uncacheable(f))
		return lc_cache_store_summary(c, tu, f, digests, NULL, 0);
	size_t len = 0;
	char *summary = lc_summary_encode(&f, &digests, 1, c->root, &len);
	bool ok = lc_cache_store_summary(c, tu, f, digests, summary, len);
	free(summary);
	return ok;
}

bool lc_cache_store_summary(lc_cache *c, const lc_tu_cmd *tu, const lc_facts *f,
			    const lc_file_digest *digests, const void *summary, size_t len)
{
	if (!digests || !summary || uncacheable(f)) {
		atomic_fetch_add(&c->uncacheable, 1);
		return false;
	}
	unsigned char key[KEY_BYTES];
	tu_key(c, tu, key);
	size_t n = f->files.len;
	stat_rec *recs = lc_xcalloc(n ? n : 1, sizeof(*recs));
	uint64_t cost = 0;
	for (size_t i = 0; i < n; i++) {
		recs[i] = record_for(c, file_get(c, f->files.ptr[i]), &digests[i]);
		cost += digests[i].size;
	}
	size_t elen = 0;
	char *entry = encode_entry(c, key, cost, recs, n, summary, len, &elen);
	char *path = key_path(c, key);
	bool ok = write_entry(c, path, entry, elen);
	if (ok)
		atomic_fetch_add(&c->stored, 1);
	free(path);
	free(entry);
	free(recs);
	return ok;
}

const char *lc_cache_root(const lc_cache *c)
{
	return c->root;
}

lc_facts *lc_cache_lookup(lc_cache *c, const lc_tu_cmd *tu, uint64_t *cost)
{
	*cost = 0;
	unsigned char key[KEY_BYTES];
	tu_key(c, tu, key);
	char *path = key_path(c, key);
	size_t len = 0;
	char *data = lc_read_file(path, &len);
	lc_facts *result = NULL;
	lc_summary *s = NULL;
	stat_rec *recs = NULL;
	bool corrupt = true, refresh = false;
	if (!data) {
		corrupt = false; /* no entry yet */
		goto miss;
	}

	lc_br r;
	lc_br_init(&r, data, len);
	const unsigned char *hdr = lc_br_bytes(&r, 8);
	uint64_t sum = lc_br_u64le(&r);
	if (!hdr || memcmp(hdr, "LCCE", 4) != 0 || hdr[4] != ENTRY_VERSION || hdr[5] || hdr[6] ||
	    hdr[7] || lc_xxh64(r.p, (size_t)(r.end - r.p), 0) != sum)
		goto miss;
	const unsigned char *k = lc_br_bytes(&r, KEY_BYTES);
	if (!k || memcmp(k, key, KEY_BYTES) != 0)
		goto miss; /* foreign entry */
	size_t rootlen = lc_br_count(&r, 1);
	const unsigned char *rootb = lc_br_bytes(&r, rootlen);
	uint64_t recorded_cost = lc_br_varint(&r);
	size_t n = lc_br_count(&r, 3);
	if (r.err || !rootb || memchr(rootb, '\0', rootlen))
		goto miss;
	recs = lc_xcalloc(n ? n : 1, sizeof(*recs));
	for (size_t i = 0; i < n; i++) {
		recs[i].flags = lc_br_u8(&r);
		recs[i].mtime_sec = lc_br_svarint(&r);
		uint64_t ns = lc_br_varint(&r);
		recs[i].mtime_nsec = ns < 1000000000u ? (long)ns : 0;
	}
	if (r.err)
		goto miss;
	const unsigned char *summary = r.p;
	size_t summary_len = (size_t)(r.end - r.p);
	char *root = lc_xstrndup((const char *)rootb, rootlen);
	char *err = NULL;
	s = lc_summary_decode(summary, summary_len, rootlen ? root : NULL, &err);
	free(root);
	free(err);
	if (!s || s->ntus != 1 || s->facts[0]->files.len != n)
		goto miss;
	corrupt = false;
	*cost = recorded_cost;

	const lc_facts *f = s->facts[0];
	const lc_file_digest *dg = s->digests[0];
	for (size_t i = 0; i < n; i++) {
		file_state *fs = file_get(c, f->files.ptr[i]);
		pthread_mutex_lock(&c->lock);
		bool exists = fs->stat_errno == 0;
		bool same_size = exists && fs->size == dg[i].size;
		bool same_time = fs->mtime_sec == recs[i].mtime_sec &&
				 fs->mtime_nsec == recs[i].mtime_nsec;
		pthread_mutex_unlock(&c->lock);
		if (!same_size)
			goto stale;
		if (same_time && !(recs[i].flags & FLAG_RACY))
			continue;
		uint64_t h;
		if (!file_hash(c, fs, &h) || h != dg[i].hash)
			goto stale;
		stat_rec now = record_for(c, fs, &dg[i]);
		if (now.flags != recs[i].flags || now.mtime_sec != recs[i].mtime_sec ||
		    now.mtime_nsec != recs[i].mtime_nsec) {
			recs[i] = now;
			refresh = true;
		}
	}

	if (refresh) {
		size_t elen = 0;
		char *entry = encode_entry(c, key, recorded_cost, recs, n, summary, summary_len, &elen);
		if (write_entry(c, path, entry, elen))
			atomic_fetch_add(&c->refreshed, 1);
		free(entry);
	}
	result = s->facts[0];
	s->facts[0] = NULL;
	atomic_fetch_add(&c->hits, 1);
	goto out;

stale:
	atomic_fetch_add(&c->stale, 1);
miss:
	if (corrupt)
		atomic_fetch_add(&c->corrupt, 1);
	atomic_fetch_add(&c->misses, 1);
out:
	lc_summary_free(s);
	free(recs);
	free(data);
	free(path);
	return result;
}
