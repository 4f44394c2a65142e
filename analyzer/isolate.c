/* isolate.c - worker processes for jobs that may crash or hang (see isolate.h). */
#define _GNU_SOURCE
#include "isolate.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define NO_JOB SIZE_MAX

typedef struct worker {
	pid_t pid;      /* 0: no process */
	int req_fd;     /* parent -> child: job indexes */
	int resp_fd;    /* child -> parent: results */
	size_t job;     /* index into jobs[], or NO_JOB when idle */
	double started; /* when the job was handed over */
} worker;

/* Message from child to parent: u8 ok, u64 length, bytes (data or error). */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 1 read, 0 end of file before anything, -1 error or short read. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return got ? -1 : 0;
		got += (size_t)n;
	}
	return 1;
}

typedef struct child {
	int req_fd, resp_fd;
	lc_isolate_work work;
	void *ctx;
} child;

static void *child_loop(void *arg)
{
	const child *c = arg;
	int req_fd = c->req_fd, resp_fd = c->resp_fd;
	lc_isolate_work work = c->work;
	void *ctx = c->ctx;
	for (;;) {
		uint64_t index;
		if (read_all(req_fd, &index, sizeof(index)) != 1)
			_exit(0);
		size_t len = 0;
		char *err = NULL;
		char *data = work((size_t)index, ctx, &len, &err);
		unsigned char ok = data != NULL;
		const char *out = data ? data : err ? err : "failed";
		uint64_t n = data ? len : strlen(out);
		if (write_all(resp_fd, &ok, 1) || write_all(resp_fd, &n, sizeof(n)) ||
		    write_all(resp_fd, out, n))
			_exit(1);
		free(data);
		free(err);
	}
}

/* One long-lived thread serves every job of this worker: a thread per job
 * would map a fresh stack each time and fault its pages in again (for 512 MB
 * parse stacks that was 12 times the page faults of parsing in-process). */
static _Noreturn void child_main(child *c, size_t stack)
{
	/* Ctrl-C reaches the whole process group: let the parent clean up. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	if (pthread_create(&t, &attr, child_loop, c) == 0)
		pthread_join(t, NULL);
	else
		child_loop(c);
	_exit(0);
}

typedef struct run {
	worker *ws;
	unsigned nworkers;
	size_t stack;
	lc_isolate_work work;
	void *ctx;
} run;

static int spawn(worker *w, const run *r)
{
	int req[2], resp[2];
	if (pipe(req) != 0)
		return -1;
	if (pipe(resp) != 0) {
		close(req[0]);
		close(req[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(req[0]);
		close(req[1]);
		close(resp[0]);
		close(resp[1]);
		return -1;
	}
	if (pid == 0) {
		/* Keep only this worker's ends: a sibling's pipe held open here
		 * would hide that sibling's death from the parent. */
		for (unsigned i = 0; i < r->nworkers; i++) {
			if (r->ws[i].pid > 0 && &r->ws[i] != w) {
				close(r->ws[i].req_fd);
				close(r->ws[i].resp_fd);
			}
		}
		close(req[1]);
		close(resp[0]);
		child c = { req[0], resp[1], r->work, r->ctx };
		child_main(&c, r->stack);
	}
	close(req[0]);
	close(resp[1]);
	w->pid = pid;
	w->req_fd = req[1];
	w->resp_fd = resp[0];
	w->job = NO_JOB;
	return 0;
}

/* Collect a worker process and close its pipes. */
static int reap(worker *w, bool kill_it)
{
	int status = 0;
	if (kill_it)
		kill(w->pid, SIGKILL);
	close(w->req_fd);
	close(w->resp_fd);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	w->job = NO_JOB;
	return status;
}

static char *death_message(int status)
{
	if (WIFSIGNALED(status))
		return lc_xasprintf("the parser crashed (signal %d, %s); the file was not analysed",
				    WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (WIFEXITED(status))
		return lc_xasprintf("the parser process exited with status %d; the file was not analysed",
				    WEXITSTATUS(status));
	return lc_xstrdup("the parser process died; the file was not analysed");
}

static int hand_out(worker *w, const size_t *jobs, size_t *next, size_t n)
{
	if (*next >= n)
		return 0;
	uint64_t index = jobs[*next];
	if (write_all(w->req_fd, &index, sizeof(index)) != 0)
		return -1;
	w->job = (*next)++;
	w->started = now();
	return 1;
}

int lc_isolate_run(const size_t *jobs, size_t n, unsigned nworkers, double timeout_s,
		   size_t stack, lc_isolate_work work, lc_isolate_done done, void *ctx)
{
	if (n == 0)
		return 0;
	if (nworkers == 0)
		nworkers = 1;
	if (nworkers > n)
		nworkers = (unsigned)n;
	/* A worker that dies while we write its next job must not kill us. */
	struct sigaction ign, old_pipe;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);

	worker *ws = lc_xcalloc(nworkers, sizeof(worker));
	run rn = { ws, nworkers, stack, work, ctx };
	unsigned alive = 0;
	for (unsigned i = 0; i < nworkers; i++)
		if (spawn(&ws[i], &rn) == 0)
			alive++;
	if (!alive) {
		free(ws);
		sigaction(SIGPIPE, &old_pipe, NULL);
		return -1;
	}
	size_t next = 0, finished = 0;
	for (unsigned i = 0; i < nworkers; i++)
		if (ws[i].pid > 0)
			hand_out(&ws[i], jobs, &next, n);

	struct pollfd *pfd = lc_xcalloc(nworkers, sizeof(struct pollfd));
	unsigned *pw = lc_xcalloc(nworkers, sizeof(unsigned));
	while (finished < n) {
		unsigned np = 0;
		double wait = -1;
		for (unsigned i = 0; i < nworkers; i++) {
			if (ws[i].pid <= 0 || ws[i].job == NO_JOB)
				continue;
			pfd[np].fd = ws[i].resp_fd;
			pfd[np].events = POLLIN;
			pfd[np].revents = 0;
			pw[np++] = i;
			if (timeout_s > 0) {
				double left = ws[i].started + timeout_s - now();
				if (wait < 0 || left < wait)
					wait = left < 0 ? 0 : left;
			}
		}
		if (np == 0) {
			/* Every worker is gone and none could be restarted. */
			for (; next < n; next++, finished++)
				done(jobs[next], NULL, 0, "no parser process could be started", ctx);
			break;
		}
		int ms = wait < 0 ? -1 : (int)(wait * 1000) + 1;
		int r = poll(pfd, np, ms);
		if (r < 0 && errno != EINTR)
			break;
		for (unsigned k = 0; k < np; k++) {
			worker *w = &ws[pw[k]];
			size_t job = w->job;
			char *error = NULL, *data = NULL;
			uint64_t len = 0;
			if (pfd[k].revents) {
				unsigned char ok;
				if (read_all(w->resp_fd, &ok, 1) == 1 &&
				    read_all(w->resp_fd, &len, sizeof(len)) == 1 && len < (1ULL << 40)) {
					data = lc_xmalloc((size_t)len + 1);
					if (read_all(w->resp_fd, data, (size_t)len) == 1 || len == 0) {
						data[len] = '\0';
						if (!ok) {
							error = data;
							data = NULL;
						}
					} else {
						free(data);
						data = NULL;
					}
				}
				if (!data && !error)
					error = death_message(reap(w, true));
			} else if (timeout_s > 0 && now() - w->started >= timeout_s) {
				reap(w, true);
				error = lc_xasprintf("parsing took longer than %g s (--tu-timeout); the file was not analysed",
						     timeout_s);
			} else {
				continue;
			}
			done(jobs[job], data, (size_t)len, error, ctx);
			finished++;
			free(data);
			free(error);
			w->job = NO_JOB;
			if (w->pid <= 0 && next < n)
				spawn(w, &rn);
			if (w->pid > 0 && hand_out(w, jobs, &next, n) < 0) {
				/* It died between jobs: replace it and retry once. */
				reap(w, true);
				if (spawn(w, &rn) == 0)
					hand_out(w, jobs, &next, n);
			}
		}
	}
	for (unsigned i = 0; i < nworkers; i++)
		if (ws[i].pid > 0)
			reap(&ws[i], false);
	free(pfd);
	free(pw);
	free(ws);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return 0;
}
