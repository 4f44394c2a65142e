/* util.c - see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Noreturn void out_of_memory(size_t n)
{
	fprintf(stderr, "loopcheck: error: out of memory allocating %zu bytes\n", n);
	exit(LC_EXIT_ERROR);
}

void *lc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *lc_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	return p;
}

void *lc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *lc_xstrdup(const char *s)
{
	return lc_xstrndup(s, strlen(s));
}

char *lc_xstrndup(const char *s, size_t n)
{
	char *p = lc_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lc_xasprintf(const char *fmt, ...)
{
	lc_sb sb;
	va_list ap;
	lc_sb_init(&sb);
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(tmp)) {
		lc_sb_addn(&sb, tmp, (size_t)n);
	} else if (n >= 0) {
		char *big = lc_xmalloc((size_t)n + 1);
		vsnprintf(big, (size_t)n + 1, fmt, ap2);
		lc_sb_addn(&sb, big, (size_t)n);
		free(big);
	}
	va_end(ap2);
	va_end(ap);
	return lc_sb_detach(&sb);
}

void lc_die(const char *fmt, ...)
{
	va_list ap;
	fputs("loopcheck: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(LC_EXIT_ERROR);
}

void lc_bug(const char *fmt, ...)
{
	va_list ap;
	fputs("loopcheck: internal error (please report): ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(LC_EXIT_ERROR);
}

void lc_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("loopcheck: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void lc_sb_init(lc_sb *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->buf = lc_xmalloc(sb->cap);
	sb->buf[0] = '\0';
}

void lc_sb_addn(lc_sb *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		while (sb->len + n + 1 > sb->cap)
			sb->cap *= 2;
		sb->buf = lc_xrealloc(sb->buf, sb->cap);
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void lc_sb_add(lc_sb *sb, const char *s)
{
	lc_sb_addn(sb, s, strlen(s));
}

void lc_sb_addc(lc_sb *sb, char c)
{
	lc_sb_addn(sb, &c, 1);
}

void lc_sb_addf(lc_sb *sb, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(tmp)) {
		lc_sb_addn(sb, tmp, (size_t)n);
	} else if (n >= 0) {
		char *big = lc_xmalloc((size_t)n + 1);
		vsnprintf(big, (size_t)n + 1, fmt, ap2);
		lc_sb_addn(sb, big, (size_t)n);
		free(big);
	}
	va_end(ap2);
	va_end(ap);
}

void lc_sb_release(lc_sb *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *lc_sb_detach(lc_sb *sb)
{
	char *p = sb->buf;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

/* Arena: a chain of blocks; big requests get their own block. */
struct lc_arena_block {
	struct lc_arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct lc_arena {
	struct lc_arena_block *head;
};

enum { ARENA_BLOCK = 64 * 1024 };

lc_arena *lc_arena_new(void)
{
	return lc_xcalloc(1, sizeof(lc_arena));
}

void *lc_arena_alloc(lc_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct lc_arena_block *b = a->head;
	if (!b || b->used + n > b->size) {
		size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		b = lc_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		if (a->head && size != ARENA_BLOCK) {
			/* Keep the partly used current block at the head. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *lc_arena_strndup(lc_arena *a, const char *s, size_t n)
{
	char *p = lc_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lc_arena_strdup(lc_arena *a, const char *s)
{
	return s ? lc_arena_strndup(a, s, strlen(s)) : NULL;
}

void lc_arena_free(lc_arena *a)
{
	if (!a)
		return;
	struct lc_arena_block *b = a->head;
	while (b) {
		struct lc_arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

char *lc_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	lc_sb sb;
	lc_sb_init(&sb);
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			lc_sb_release(&sb);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		lc_sb_addn(&sb, buf, (size_t)n);
	}
	close(fd);
	if (len)
		*len = sb.len;
	return lc_sb_detach(&sb);
}

/* Temporary files being written, so that an interrupting signal can remove
 * them: no partial file is ever left behind. A fixed table keeps the
 * handler async-signal-safe (it only reads it and calls unlink). */
enum { TMP_SLOTS = 64, TMP_PATH = 4096 };
static char tmp_paths[TMP_SLOTS][TMP_PATH];
static volatile sig_atomic_t tmp_used[TMP_SLOTS];
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;

static int tmp_register(const char *path)
{
	if (strlen(path) >= TMP_PATH)
		return -1;
	pthread_mutex_lock(&tmp_lock);
	int slot = -1;
	for (int i = 0; i < TMP_SLOTS && slot < 0; i++)
		if (!tmp_used[i])
			slot = i;
	if (slot >= 0) {
		strcpy(tmp_paths[slot], path);
		tmp_used[slot] = 1;
	}
	pthread_mutex_unlock(&tmp_lock);
	return slot;
}

static void tmp_unregister(int slot)
{
	if (slot >= 0)
		tmp_used[slot] = 0;
}

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < TMP_SLOTS; i++)
		if (tmp_used[i])
			unlink(tmp_paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void lc_install_signal_cleanup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Write to a file that is not a regular file (a terminal, /dev/null, a
 * FIFO) in place: renaming over it would replace the device node. */
static int write_in_place(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

int lc_write_file_atomic(const char *path, const char *data, size_t len)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		return write_in_place(path, data, len);
	}
	char *tmp = lc_xasprintf("%s.tmp.XXXXXX", path);
	/* Block the cleanup signals between creating and registering the file. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int fd = mkstemp(tmp);
	int slot = fd >= 0 ? tmp_register(tmp) : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	/* mkstemp creates 0600; a report should be readable like any output. */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	tmp_unregister(slot);
	free(tmp);
	return 0;
fail:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	tmp_unregister(slot);
	free(tmp);
	errno = e;
	return -1;
}

unsigned long long lc_hash64(const void *data, size_t len, unsigned long long seed)
{
	const unsigned char *p = data;
	unsigned long long h = 1469598103934665603ULL ^ seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

bool lc_glob_match(const char *pattern, const char *text)
{
	const char *star = NULL, *retry = NULL;
	while (*text) {
		if (*pattern == '*') {
			star = pattern++;
			retry = text;
		} else if (*pattern == '?' || *pattern == *text) {
			pattern++;
			text++;
		} else if (star) {
			pattern = star + 1;
			text = ++retry;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

size_t lc_utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || (n == 2 && p[0] < 0xc2) || (n == 4 && p[0] > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

char *lc_escape_controls(const char *s)
{
	lc_sb sb;
	lc_sb_init(&sb);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		size_t n = lc_utf8_len(p);
		if (n == 1 && (*p < 0x20 || *p == 0x7f))
			n = 0;
		if (n == 0) {
			lc_sb_addf(&sb, "\\x%02x", *p);
			p++;
		} else {
			lc_sb_addn(&sb, (const char *)p, n);
			p += n;
		}
	}
	return lc_sb_detach(&sb);
}

int lc_split_dashdash(int argc, char **argv, char ***rest, size_t *nrest)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			*rest = argv + i + 1;
			*nrest = (size_t)(argc - i - 1);
			return i;
		}
	}
	*rest = NULL;
	*nrest = 0;
	return argc;
}

bool lc_u64set_insert(lc_u64set *set, uint64_t key)
{
	key++; /* 0 marks an empty slot */
	if ((set->len + 1) * 2 > set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 1024;
		uint64_t *ns = lc_xcalloc(ncap, sizeof(uint64_t));
		for (size_t i = 0; i < set->cap; i++) {
			if (!set->slots[i])
				continue;
			size_t h = (size_t)lc_hash64(&set->slots[i], 8, 0) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = set->slots[i];
		}
		free(set->slots);
		set->slots = ns;
		set->cap = ncap;
	}
	size_t h = (size_t)lc_hash64(&key, 8, 0) & (set->cap - 1);
	while (set->slots[h]) {
		if (set->slots[h] == key)
			return false;
		h = (h + 1) & (set->cap - 1);
	}
	set->slots[h] = key;
	set->len++;
	return true;
}

bool lc_u64set_has(const lc_u64set *set, uint64_t key)
{
	if (!set->cap)
		return false;
	key++;
	size_t h = (size_t)lc_hash64(&key, 8, 0) & (set->cap - 1);
	while (set->slots[h]) {
		if (set->slots[h] == key)
			return true;
		h = (h + 1) & (set->cap - 1);
	}
	return false;
}

void lc_u64set_free(lc_u64set *set)
{
	free(set->slots);
	memset(set, 0, sizeof(*set));
}
