/* parse.c - parse translation units with libclang on worker threads (see parse.h). */
#define _GNU_SOURCE
#include "parse.h"

#include <clang-c/Index.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"

/* clang's parser recurses once per nesting level of an expression; 512 MB of
 * (lazily committed) stack survives inputs that kill a default thread. */
enum { PARSE_STACK = 512u << 20 };

static unsigned parse_options(void)
{
	return CXTranslationUnit_KeepGoing | CXTranslationUnit_DetailedPreprocessingRecord;
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

static lc_facts *parse_with_index(CXIndex index, const char *path, const char *contents,
				  const char *const *args, size_t nargs)
{
	lc_facts *f = lc_facts_new();
	f->main_file = lc_arena_strdup(f->arena, path);
	struct CXUnsavedFile unsaved = { path, contents, contents ? strlen(contents) : 0 };
	CXTranslationUnit tu = NULL;
	enum CXErrorCode e = clang_parseTranslationUnit2(index, path, args, (int)nargs,
							 contents ? &unsaved : NULL,
							 contents ? 1 : 0, parse_options(), &tu);
	if (e != CXError_Success || !tu) {
		f->failed = true;
		lc_diag d = { 0 };
		d.loc.file = f->main_file;
		d.message = lc_arena_strdup(f->arena, error_code_text(e));
		d.fatal = true;
		lc_vec_push(&f->diags, d);
		return f;
	}
	lc_extract(tu, f);
	clang_disposeTranslationUnit(tu);
	return f;
}

lc_facts *lc_parse_one(const char *path, const char *contents, const char *const *args,
		       size_t nargs)
{
	CXIndex index = clang_createIndex(0, 0);
	lc_facts *f = parse_with_index(index, path, contents, args, nargs);
	clang_disposeIndex(index);
	return f;
}

typedef struct pool {
	const lc_compdb *db;
	lc_facts **out;
	atomic_size_t next;
	atomic_size_t done;
	bool progress;
	pthread_mutex_t progress_lock;
} pool;

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

static void *worker(void *arg)
{
	pool *p = arg;
	CXIndex index = clang_createIndex(0, 0);
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->db->ntus)
			break;
		const lc_tu_cmd *tu = &p->db->tus[i];
		p->out[i] = parse_with_index(index, tu->file, NULL, (const char *const *)tu->args,
					     tu->nargs);
		size_t done = atomic_fetch_add(&p->done, 1) + 1;
		if (p->progress)
			show_progress(p, done, tu->file);
	}
	clang_disposeIndex(index);
	return NULL;
}

lc_facts **lc_parse_all(const lc_compdb *db, const lc_parse_opts *opts)
{
	/* Parse on our own threads: libclang must not add one per TU of its own. */
	setenv("LIBCLANG_NOTHREADS", "1", 0);
	pool p = { 0 };
	p.db = db;
	p.out = lc_xcalloc(db->ntus ? db->ntus : 1, sizeof(lc_facts *));
	p.progress = opts->progress;
	pthread_mutex_init(&p.progress_lock, NULL);
	unsigned jobs = opts->jobs;
	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)n : 1;
	}
	if (jobs > db->ntus)
		jobs = db->ntus ? (unsigned)db->ntus : 1;

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PARSE_STACK);
	pthread_t *threads = lc_xcalloc(jobs, sizeof(pthread_t));
	unsigned started = 0;
	for (unsigned i = 0; i < jobs; i++) {
		if (pthread_create(&threads[i], &attr, worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(&p); /* no thread could be made: parse here */
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_attr_destroy(&attr);
	pthread_mutex_destroy(&p.progress_lock);
	free(threads);
	return p.out;
}
