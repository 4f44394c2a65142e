/* test_isolate.c - worker processes: results, crashes, hangs, errors. */

#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "util.h"

typedef struct outcome {
	char *data[8];
	char *error[8];
	int calls[8];
} outcome;

static char *work(size_t index, void *ctx, size_t *len, char **err)
{
	(void)ctx;
	switch (index) {
	case 1:
		raise(SIGSEGV);
		break;
	case 2:
		sleep(30);
		break;
	case 3:
		*err = lc_xstrdup("no such file");
		return NULL;
	case 5:
		abort();
	default:
		break;
	}
	char *s = lc_xasprintf("job %zu in %d", index, (int)getpid());
	*len = strlen(s);
	return s;
}

static void done(size_t index, const char *data, size_t len, const char *error, void *ctx)
{
	outcome *o = ctx;
	o->calls[index]++;
	if (data)
		o->data[index] = lc_xstrndup(data, len);
	if (error)
		o->error[index] = lc_xstrdup(error);
}

Test(isolate, results_crashes_hangs_and_errors)
{
	outcome o = { 0 };
	size_t jobs[] = { 0, 1, 2, 3, 4, 5, 6 };
	cr_assert_eq(lc_isolate_run(jobs, 7, 2, 1.0, 0, work, done, &o), 0);
	for (int i = 0; i < 7; i++)
		cr_assert_eq(o.calls[i], 1, "job %d reported %d times", i, o.calls[i]);
	cr_assert(o.data[0] && strncmp(o.data[0], "job 0 in ", 9) == 0);
	cr_assert_null(o.data[1]);
	/* Under AddressSanitizer the SEGV handler reports and exits(1) instead
	 * of dying of the signal: either way the worker is gone and said so. */
	cr_assert((strstr(o.error[1], "crashed") && strstr(o.error[1], "signal 11")) ||
			  strstr(o.error[1], "exited with status"),
		  "%s", o.error[1]);
	cr_assert(strstr(o.error[2], "longer than 1 s"), "%s", o.error[2]);
	cr_assert_str_eq(o.error[3], "no such file");
	cr_assert(o.data[4] && strncmp(o.data[4], "job 4", 5) == 0);
	cr_assert(strstr(o.error[5], "signal 6"), "%s", o.error[5]);
	/* Work after a crash still gets done, by a replacement worker. */
	cr_assert(o.data[6] && strncmp(o.data[6], "job 6", 5) == 0);
	/* Jobs ran in other processes. */
	char self[32];
	snprintf(self, sizeof(self), " in %d", (int)getpid());
	cr_assert_null(strstr(o.data[0], self));
	for (int i = 0; i < 8; i++) {
		free(o.data[i]);
		free(o.error[i]);
	}
}

Test(isolate, no_jobs)
{
	outcome o = { 0 };
	cr_assert_eq(lc_isolate_run(NULL, 0, 2, 0, 0, work, done, &o), 0);
}

/* Every job of a worker runs on one thread with the requested stack. */
static char *stack_work(size_t index, void *ctx, size_t *len, char **err)
{
	(void)index;
	(void)ctx;
	(void)err;
	pthread_attr_t attr;
	size_t size = 0;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstacksize(&attr, &size);
		pthread_attr_destroy(&attr);
	}
	static __thread unsigned long jobs_on_this_thread;
	char *s = lc_xasprintf("%zu %lu", size, ++jobs_on_this_thread);
	*len = strlen(s);
	return s;
}

Test(isolate, jobs_run_on_one_thread_with_the_requested_stack)
{
	outcome o = { 0 };
	size_t jobs[] = { 0, 1, 2 };
	size_t stack = 64u << 20;
	cr_assert_eq(lc_isolate_run(jobs, 3, 1, 0, stack, stack_work, done, &o), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_not_null(o.data[i]);
		size_t got = 0;
		unsigned long nth = 0;
		cr_assert_eq(sscanf(o.data[i], "%zu %lu", &got, &nth), 2);
		cr_assert_geq(got, stack, "job %d ran with a %zu-byte stack", i, got);
		cr_assert_eq(nth, (unsigned long)i + 1, "job %d ran on a new thread", i);
		free(o.data[i]);
	}
}
