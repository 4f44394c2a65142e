/* parse.c - parse translation units with libclang on worker threads (see parse.h). */
#define _GNU_SOURCE
#include "parse.h"

#include <clang-c/Index.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"
#include "isolate.h"
#include "summary.h"

/* clang's parser recurses once per nesting level of an expression; 512 MB of
 * (lazily committed) stack survives inputs that kill a default thread. */
enum { PARSE_STACK = 512u << 20 };

static unsigned parse_options(void)
{
	/* No DetailedPreprocessingRecord: it costs 5% of the parse, and the one
	 * thing it gave (macro names) is read from the source text. */
	return CXTranslationUnit_KeepGoing;
}

enum CXErrorCode lc_parse_tu(CXIndex index, const char *path, const char *contents,
			     const char *const *args, size_t nargs, CXTranslationUnit *tu)
{
	/* Only errors are used (a TU with errors is partial); computing the
	 * project's warnings costs about 3% of the parse. */
	const char **all = lc_xcalloc(nargs + 1, sizeof(char *));
	if (nargs)
		memcpy(all, args, nargs * sizeof(char *));
	all[nargs] = "-w";
	struct CXUnsavedFile unsaved = { path, contents, contents ? strlen(contents) : 0 };
	enum CXErrorCode e = clang_parseTranslationUnit2(index, path, all, (int)nargs + 1,
							 contents ? &unsaved : NULL,
							 contents ? 1 : 0, parse_options(), tu);
	free(all);
	return e;
}

static const char *error_code_text(enum CXErrorCode e)
{
	switch (e) {
	case CXError_Failure:
		return "libclang could not parse the file (does it exist?)";
	case CXError_Crashed:
		return "libclang crashed while parsing this file";
	case CXError_InvalidArguments:
		return "invalid arguments for libclang";
	case CXError_ASTReadError:
		return "libclang rejected the arguments (an unsupported flag, or the "
		       "source file given twice)";
	default:
		return "libclang failed";
	}
}

/* Per-worker timings, summed after the join (no shared counters). */
typedef struct worker_stats {
	double parse, extract, digest, lookup, store;
	size_t parsed;
} worker_stats;

static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The path of a file as extract.c records it in facts->files. */
static const char *file_name(CXFile file, CXString *s)
{
	*s = clang_File_tryGetRealPathName(file);
	const char *c = clang_getCString(*s);
	if (!c || !*c) {
		clang_disposeString(*s);
		*s = clang_getFileName(file);
		c = clang_getCString(*s);
	}
	return c ? c : "";
}

typedef struct digest_walk {
	CXTranslationUnit tu;
	const lc_facts *f;
	lc_file_digest *out;
	size_t n;
	bool ok;
} digest_walk;

static void digest_visitor(CXFile included, CXSourceLocation *stack, unsigned depth,
			   CXClientData data)
{
	(void)stack;
	(void)depth;
	digest_walk *w = data;
	if (!w->ok || !included)
		return;
	CXString s;
	const char *path = file_name(included, &s);
	size_t size = 0;
	const char *buf = clang_getFileContents(w->tu, included, &size);
	if (w->n >= w->f->files.len || strcmp(path, w->f->files.ptr[w->n]) != 0 || !buf) {
		w->ok = false;
	} else {
		w->out[w->n].size = size;
		w->out[w->n].hash = lc_xxh64(buf, size, 0);
		w->n++;
	}
	clang_disposeString(s);
}

/* Size and hash of exactly the bytes libclang parsed for each of f->files,
 * so a file edited during the parse cannot be recorded with stale facts.
 * NULL when the inclusions do not line up with f->files. */
static lc_file_digest *digest_inputs(CXTranslationUnit tu, lc_facts *f)
{
	digest_walk w = { tu, f, NULL, 0, true };
	w.out = lc_arena_alloc(f->arena, sizeof(lc_file_digest) * (f->files.len ? f->files.len : 1));
	clang_getInclusions(tu, digest_visitor, &w);
	return w.ok && w.n == f->files.len ? w.out : NULL;
}

/* The TU's compile arguments, which tell two builds of one source apart
 * when the database holds several programs (programs.h). */
static void keep_args(lc_facts *f, const char *const *args, size_t nargs)
{
	for (size_t i = 0; i < nargs; i++)
		lc_vec_push(&f->args, lc_arena_strdup(f->arena, args[i]));
}

static lc_facts *parse_with_index(CXIndex index, const char *path, const char *contents,
				  const char *const *args, size_t nargs,
				  lc_file_digest **digests, worker_stats *ws)
{
	lc_facts *f = lc_facts_new();
	f->main_file = lc_arena_strdup(f->arena, path);
	keep_args(f, args, nargs);
	CXTranslationUnit tu = NULL;
	double t0 = thread_cpu();
	enum CXErrorCode e = lc_parse_tu(index, path, contents, args, nargs, &tu);
	double t1 = thread_cpu();
	if (ws) {
		ws->parse += t1 - t0;
		ws->parsed++;
	}
	if (e != CXError_Success || !tu) {
		f->failed = true;
		lc_diag d = { 0 };
		d.loc.file = f->main_file;
		struct stat st;
		/* Say what is wrong with the file itself when that is the cause. */
		if (!contents && stat(path, &st) != 0)
			d.message = lc_arena_strdup(f->arena, "no such file");
		else if (!contents && S_ISDIR(st.st_mode))
			d.message = lc_arena_strdup(f->arena, "is a directory, not a source file");
		else
			d.message = lc_arena_strdup(f->arena, error_code_text(e));
		d.fatal = true;
		lc_vec_push(&f->diags, d);
		return f;
	}
	lc_extract(tu, f);
	double t2 = thread_cpu();
	if (digests)
		*digests = digest_inputs(tu, f);
	double t3 = thread_cpu();
	clang_disposeTranslationUnit(tu);
	if (ws) {
		ws->extract += t2 - t1;
		ws->digest += t3 - t2;
	}
	return f;
}

lc_facts *lc_parse_one(const char *path, const char *contents, const char *const *args,
		       size_t nargs)
{
	CXIndex index = clang_createIndex(0, 0);
	lc_facts *f = parse_with_index(index, path, contents, args, nargs, NULL, NULL);
	clang_disposeIndex(index);
	return f;
}

static char extractor_id[256];

static void init_extractor_id(void)
{
	CXString v = clang_getClangVersion();
	const char *c = clang_getCString(v);
	snprintf(extractor_id, sizeof(extractor_id), "%s; parse options %#x", c ? c : "libclang",
		 parse_options());
	clang_disposeString(v);
}

const char *lc_parse_extractor_id(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, init_extractor_id);
	return extractor_id;
}

typedef struct pool {
	const lc_compdb *db;
	lc_facts **out;
	lc_cache *cache;
	uint64_t *cost;          /* per TU: input bytes from an old entry, 0 unknown */
	size_t *order;           /* phase 2: indices of the TUs to parse */
	size_t norder;
	atomic_size_t next;
	atomic_size_t done;
	bool progress;
	pthread_mutex_t progress_lock;
	worker_stats isolated;   /* summed over the TUs parsed in worker processes */
} pool;

typedef struct worker_arg {
	pool *p;
	worker_stats ws;
} worker_arg;

static void show_progress(pool *p, size_t done, const char *file)
{
	pthread_mutex_lock(&p->progress_lock);
	const char *base = strrchr(file, '/');
	fprintf(stderr, "\r\033[K[%zu/%zu] %s", done, p->db->ntus, base ? base + 1 : file);
	if (done == p->db->ntus)
		fputs("\r\033[K", stderr);
	fflush(stderr);
	pthread_mutex_unlock(&p->progress_lock);
}

static void finished(pool *p, const lc_tu_cmd *tu)
{
	size_t done = atomic_fetch_add(&p->done, 1) + 1;
	if (p->progress)
		show_progress(p, done, tu->file);
}

/* Phase 1: look every TU up in the cache. */
static void *lookup_worker(void *arg)
{
	worker_arg *wa = arg;
	pool *p = wa->p;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->db->ntus)
			break;
		double t0 = thread_cpu();
		p->out[i] = lc_cache_lookup(p->cache, &p->db->tus[i], &p->cost[i]);
		wa->ws.lookup += thread_cpu() - t0;
		if (p->out[i])
			finished(p, &p->db->tus[i]);
	}
	return NULL;
}

/* Encode fresh facts as a summary, store it in the cache, and keep the
 * decoded summary instead of the facts: it is more compact (strings
 * interned, arrays exact) and it is exactly what a warm run will load, so
 * cold and warm runs link the same facts by construction. */
static lc_facts *through_summary(pool *p, const lc_tu_cmd *tu, lc_facts *f,
				 const lc_file_digest *digests)
{
	const char *root = p->cache ? lc_cache_root(p->cache) : NULL;
	size_t len = 0;
	const lc_facts *cf = f;
	char *bytes = lc_summary_encode(&cf, digests ? &digests : NULL, 1, root, &len);
	if (p->cache)
		lc_cache_store_summary(p->cache, tu, f, digests, bytes, len);
	char *err = NULL;
	lc_summary *s = lc_summary_decode(bytes, len, root, &err);
	free(bytes);
	free(err);
	if (!s || s->ntus != 1) {
		/* Facts the decoder refuses (a NULL key): keep them as they are. */
		lc_summary_free(s);
		return f;
	}
	f = s->facts[0]; /* the caller frees the raw facts */
	s->facts[0] = NULL;
	lc_summary_free(s);
	return f;
}

/* Phase 2: parse what the cache did not have, in p->order. */
static void *parse_worker(void *arg)
{
	worker_arg *wa = arg;
	pool *p = wa->p;
	CXIndex index = clang_createIndex(0, 0);
	for (;;) {
		size_t k = atomic_fetch_add(&p->next, 1);
		if (k >= p->norder)
			break;
		size_t i = p->order[k];
		const lc_tu_cmd *tu = &p->db->tus[i];
		lc_file_digest *digests = NULL;
		lc_facts *f = parse_with_index(index, tu->file, NULL, (const char *const *)tu->args,
					       tu->nargs, p->cache ? &digests : NULL, &wa->ws);
		double t0 = thread_cpu();
		p->out[i] = through_summary(p, tu, f, digests);
		if (p->out[i] != f)
			lc_facts_free(f);
		wa->ws.store += thread_cpu() - t0;
		finished(p, tu);
	}
	clang_disposeIndex(index);
	return NULL;
}

/* ---- phase 2 in worker processes ------------------------------------- */

static CXIndex child_index; /* one per worker process, made on first use */

/* In the worker process (on its big-stack thread): parse TU `index` and
 * return where its time went (a worker_stats) followed by its summary. */
static char *parse_in_child(size_t index, void *ctx, size_t *len, char **err)
{
	pool *p = ctx;
	const lc_tu_cmd *tu = &p->db->tus[index];
	if (!child_index)
		child_index = clang_createIndex(0, 0);
	lc_file_digest *digests = NULL;
	worker_stats ws = { 0 };
	lc_facts *f = parse_with_index(child_index, tu->file, NULL, (const char *const *)tu->args,
				       tu->nargs, p->cache ? &digests : NULL, &ws);
	double t0 = thread_cpu();
	const char *root = p->cache ? lc_cache_root(p->cache) : NULL;
	const lc_facts *cf = f;
	size_t n = 0;
	char *bytes = lc_summary_encode(&cf, digests ? (const lc_file_digest *const *)&digests : NULL,
					1, root, &n);
	lc_facts_free(f);
	if (!bytes) {
		*err = lc_xstrdup("no summary produced");
		return NULL;
	}
	ws.store += thread_cpu() - t0;
	char *out = lc_xmalloc(sizeof(ws) + n);
	memcpy(out, &ws, sizeof(ws));
	memcpy(out + sizeof(ws), bytes, n);
	free(bytes);
	*len = sizeof(ws) + n;
	return out;
}

static lc_facts *failed_facts(const lc_tu_cmd *tu, const char *message)
{
	lc_facts *f = lc_facts_new();
	f->main_file = lc_arena_strdup(f->arena, tu->file);
	keep_args(f, (const char *const *)tu->args, tu->nargs);
	f->failed = true;
	lc_diag d = { 0 };
	d.loc.file = f->main_file;
	d.message = lc_arena_strdup(f->arena, message);
	d.fatal = true;
	lc_vec_push(&f->diags, d);
	return f;
}

/* In the parent: the summary of TU `index`, or why there is none. */
static void parsed_in_child(size_t index, const char *data, size_t len, const char *error,
			    void *ctx)
{
	pool *p = ctx;
	const lc_tu_cmd *tu = &p->db->tus[index];
	const char *root = p->cache ? lc_cache_root(p->cache) : NULL;
	char *err = NULL;
	worker_stats ws;
	if (data && len < sizeof(ws))
		data = NULL;
	if (data) {
		memcpy(&ws, data, sizeof(ws));
		data += sizeof(ws);
		len -= sizeof(ws);
	}
	double t0 = thread_cpu();
	lc_summary *s = data ? lc_summary_decode(data, len, root, &err) : NULL;
	if (s && s->ntus == 1) {
		lc_facts *f = s->facts[0];
		if (p->cache && !f->failed)
			lc_cache_store_summary(p->cache, tu, f, s->digests[0], data, len);
		s->facts[0] = NULL;
		p->out[index] = f;
		worker_stats *sum = &p->isolated;
		sum->parse += ws.parse;
		sum->extract += ws.extract;
		sum->digest += ws.digest;
		sum->store += ws.store + thread_cpu() - t0;
		sum->parsed += ws.parsed;
	} else {
		p->out[index] = failed_facts(tu, error ? error : err ? err : "no summary");
	}
	lc_summary_free(s);
	free(err);
	finished(p, tu);
}

/* Run `fn` on `jobs` threads (with `stack` bytes of stack when non-zero);
 * on the calling thread if none can be made. */
static void run_workers(void *(*fn)(void *), worker_arg *args, unsigned jobs, size_t stack)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	pthread_t *threads = lc_xcalloc(jobs, sizeof(pthread_t));
	unsigned started = 0;
	for (unsigned i = 0; i < jobs; i++) {
		if (pthread_create(&threads[i], &attr, fn, &args[i]) != 0)
			break;
		started++;
	}
	if (started == 0)
		fn(&args[0]); /* no thread could be made: work here */
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_attr_destroy(&attr);
	free(threads);
}

static int by_cost_desc(const void *a, const void *b, void *data)
{
	const uint64_t *cost = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (cost[x] != cost[y])
		return cost[x] < cost[y] ? 1 : -1;
	return x < y ? -1 : x > y;
}

/* The TUs to parse, biggest first where an old cache entry told the size
 * (unknown sizes count as the mean of the known ones); ties keep database
 * order. */
static void plan(pool *p)
{
	p->order = lc_xcalloc(p->db->ntus ? p->db->ntus : 1, sizeof(size_t));
	uint64_t known = 0, sum = 0;
	for (size_t i = 0; i < p->db->ntus; i++) {
		if (p->out[i])
			continue;
		p->order[p->norder++] = i;
		if (p->cost[i]) {
			known++;
			sum += p->cost[i];
		}
	}
	if (!known)
		return;
	for (size_t k = 0; k < p->norder; k++)
		if (!p->cost[p->order[k]])
			p->cost[p->order[k]] = sum / known;
	qsort_r(p->order, p->norder, sizeof(size_t), by_cost_desc, p->cost);
}

/* CPU of this process and of the worker processes it has reaped. */
static double process_cpu(void)
{
	double sum = 0;
	int who[] = { RUSAGE_SELF, RUSAGE_CHILDREN };
	for (int i = 0; i < 2; i++) {
		struct rusage ru;
		getrusage(who[i], &ru);
		sum += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	}
	return sum;
}

lc_facts **lc_parse_all(const lc_compdb *db, const lc_parse_opts *opts)
{
	/* Parse on our own threads: libclang must not add one per TU of its own. */
	setenv("LIBCLANG_NOTHREADS", "1", 0);
	double cpu0 = process_cpu(), t0 = wall_now();
	pool p = { 0 };
	p.db = db;
	p.out = lc_xcalloc(db->ntus ? db->ntus : 1, sizeof(lc_facts *));
	p.cost = lc_xcalloc(db->ntus ? db->ntus : 1, sizeof(uint64_t));
	p.cache = opts->cache;
	p.progress = opts->progress;
	pthread_mutex_init(&p.progress_lock, NULL);
	unsigned jobs = opts->jobs;
	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)n : 1;
	}
	if (jobs > db->ntus)
		jobs = db->ntus ? (unsigned)db->ntus : 1;
	worker_arg *args = lc_xcalloc(jobs, sizeof(worker_arg));
	for (unsigned i = 0; i < jobs; i++)
		args[i].p = &p;

	if (p.cache)
		run_workers(lookup_worker, args, jobs, 0);
	double t1 = wall_now();
	plan(&p);
	atomic_store(&p.next, 0);
	unsigned parse_jobs = p.norder < jobs ? (unsigned)(p.norder ? p.norder : 1) : jobs;
	/* Worker processes are forked here, when no thread of ours is running
	 * (the lookup threads have been joined). */
	if (p.norder && (!opts->isolate ||
			 lc_isolate_run(p.order, p.norder, parse_jobs, opts->tu_timeout,
					PARSE_STACK, parse_in_child, parsed_in_child, &p) != 0))
		run_workers(parse_worker, args, parse_jobs, PARSE_STACK);
	double t2 = wall_now();

	if (opts->stats) {
		lc_parse_stats *st = opts->stats;
		memset(st, 0, sizeof(*st));
		st->jobs = jobs;
		st->tus = db->ntus;
		st->wall_lookup = t1 - t0;
		st->wall_parse = t2 - t1;
		st->cpu_process = process_cpu() - cpu0;
		for (unsigned i = 0; i <= jobs; i++) {
			const worker_stats *ws = i < jobs ? &args[i].ws : &p.isolated;
			st->parsed += ws->parsed;
			st->cpu_parse += ws->parse;
			st->cpu_extract += ws->extract;
			st->cpu_digest += ws->digest;
			st->cpu_lookup += ws->lookup;
			st->cpu_store += ws->store;
		}
		if (p.cache) {
			st->cache_used = true;
			lc_cache_get_stats(p.cache, &st->cache);
		}
	}
	pthread_mutex_destroy(&p.progress_lock);
	free(args);
	free(p.order);
	free(p.cost);
	return p.out;
}
