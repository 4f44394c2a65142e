/* isolate.h - run jobs in worker processes, so that a job that crashes or
 * hangs costs only its own result.
 *
 * A translation unit can kill libclang's parser (a stack overflow deep in
 * clang, an assertion in a release build); in-process, that would take
 * loopcheck down with it. Workers are fork()ed copies of loopcheck itself
 * (nothing is exec'd); each takes job indexes from a pipe, runs `work` and
 * sends the bytes it returns back. A worker that dies is reported for the
 * job it was running ("crashed: signal 11") and replaced; a job that runs
 * longer than the timeout has its worker killed ("timed out after 30 s").
 * Jobs are handed out one at a time as workers become free, in the order
 * given. In a worker, every job runs on one thread with `stack` bytes of
 * stack (0: the default).
 *
 * Call this before any thread exists in the process (fork copies only the
 * calling thread). `work` runs in the child; `done` runs in the parent, once
 * per job, in completion order.
 */
#ifndef LC_ISOLATE_H
#define LC_ISOLATE_H

#include <stddef.h>

/* In the child: do job `index`, return heap bytes (*len set) or NULL with
 * *err set to a heap message. */
typedef char *(*lc_isolate_work)(size_t index, void *ctx, size_t *len, char **err);

/* In the parent: the job's bytes (NULL on failure, with `error`). The bytes
 * are freed after the call returns. */
typedef void (*lc_isolate_done)(size_t index, const char *data, size_t len, const char *error,
				void *ctx);

/* Run jobs[0..n) on `workers` processes (at least 1). timeout_s <= 0: no
 * timeout. Returns 0, or -1 if no worker process could be started at all
 * (the caller may then run the jobs in-process). */
int lc_isolate_run(const size_t *jobs, size_t n, unsigned workers, double timeout_s,
		   size_t stack, lc_isolate_work work, lc_isolate_done done, void *ctx);

#endif
