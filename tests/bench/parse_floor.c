/* parse_floor.c - the floor no libclang tool can beat: parse every TU of a
 * compile database with the options loopcheck uses, then dispose it.
 *
 *   parse-floor [-j N] BUILD_DIR|compile_commands.json
 *
 * Same as loopcheck's parse stage minus everything loopcheck adds: the
 * database is read and sanitized by the same compdb.c, each of N threads
 * (512 MB stacks, LIBCLANG_NOTHREADS=1) has its own CXIndex and takes the
 * next TU from a shared counter, and parses with lc_parse_tu (loopcheck's
 * own parse call). No AST walk, no cache. Prints one line:
 * "parse-floor: N TUs, J threads, W s wall, F failed".
 */
#define _GNU_SOURCE
#include <clang-c/Index.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compdb.h"
#include "parse.h"
#include "util.h"

enum { STACK = 512u << 20 };

typedef struct pool {
	const lc_compdb *db;
	atomic_size_t next, failed;
} pool;

static void *worker(void *arg)
{
	pool *p = arg;
	CXIndex index = clang_createIndex(0, 0);
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->db->ntus)
			break;
		const lc_tu_cmd *tu = &p->db->tus[i];
		CXTranslationUnit unit = NULL;
		enum CXErrorCode e = lc_parse_tu(index, tu->file, NULL,
						 (const char *const *)tu->args, tu->nargs, &unit);
		if (e != CXError_Success || !unit)
			atomic_fetch_add(&p->failed, 1);
		if (unit)
			clang_disposeTranslationUnit(unit);
	}
	clang_disposeIndex(index);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned jobs = 0;
	int opt;
	while ((opt = getopt(argc, argv, "j:h")) != -1) {
		if (opt == 'j') {
			jobs = (unsigned)atoi(optarg);
		} else {
			fprintf(stderr, "usage: parse-floor [-j N] BUILD_DIR|compile_commands.json\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: parse-floor [-j N] BUILD_DIR|compile_commands.json\n");
		return 2;
	}
	char *err = NULL;
	lc_compdb *db = lc_compdb_load(argv[optind], &err);
	if (!db) {
		fprintf(stderr, "parse-floor: %s\n", err);
		free(err);
		return 2;
	}
	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)n : 1;
	}
	setenv("LIBCLANG_NOTHREADS", "1", 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pool p = { 0 };
	p.db = db;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK);
	pthread_t *threads = lc_xcalloc(jobs, sizeof(pthread_t));
	unsigned started = 0;
	for (unsigned i = 0; i < jobs; i++)
		if (pthread_create(&threads[i], &attr, worker, &p) == 0)
			started++;
	if (!started)
		worker(&p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("parse-floor: %zu TUs, %u threads, %.3f s wall, %zu failed\n", db->ntus, jobs,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (size_t)atomic_load(&p.failed));
	pthread_attr_destroy(&attr);
	free(threads);
	lc_compdb_free(db);
	return 0;
}
