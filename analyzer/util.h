/* util.h - memory, growable arrays, string buffers, arenas and errors.
 *
 * One choice made once (as mandoc does): allocation failure is fatal, so no
 * caller checks for NULL after lc_xmalloc and friends.
 *
 * Error tiers (after git): lc_die() prints "loopcheck: error: ..." and exits
 * with LC_EXIT_ERROR (2); lc_bug() is for our own broken invariants.
 */
#ifndef LC_UTIL_H
#define LC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	LC_EXIT_CLEAN = 0,    /* analysis ran, nothing to report */
	LC_EXIT_FINDINGS = 1, /* analysis ran, findings at or above --fail-on */
	LC_EXIT_ERROR = 2,    /* usage, configuration, input or internal error */
};

void *lc_xmalloc(size_t n);
void *lc_xcalloc(size_t count, size_t size);
void *lc_xrealloc(void *p, size_t n);
char *lc_xstrdup(const char *s);
char *lc_xstrndup(const char *s, size_t n);
/* printf into a new heap string; caller frees. */
char *lc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

_Noreturn void lc_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void lc_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "loopcheck: warning: ..." on stderr; returns nothing. */
void lc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable array: a struct with ptr, len, cap of any element type.
 *   LC_VEC(int) v = {0}; lc_vec_push(&v, 3); free(v.ptr);
 */
#define LC_VEC(T)                                                              \
	struct {                                                               \
		T *ptr;                                                        \
		size_t len, cap;                                               \
	}
#define lc_vec_grow(v, extra)                                                  \
	do {                                                                   \
		if ((v)->len + (extra) > (v)->cap) {                           \
			size_t lc_ncap_ = (v)->cap ? (v)->cap * 2 : 8;         \
			while (lc_ncap_ < (v)->len + (extra))                  \
				lc_ncap_ *= 2;                                 \
			(v)->ptr = lc_xrealloc((v)->ptr,                       \
					       lc_ncap_ * sizeof(*(v)->ptr));  \
			(v)->cap = lc_ncap_;                                   \
		}                                                              \
	} while (0)
#define lc_vec_push(v, x)                                                      \
	do {                                                                   \
		lc_vec_grow(v, 1);                                             \
		(v)->ptr[(v)->len++] = (x);                                    \
	} while (0)
#define lc_vec_free(v)                                                         \
	do {                                                                   \
		free((v)->ptr);                                                \
		(v)->ptr = NULL;                                               \
		(v)->len = (v)->cap = 0;                                       \
	} while (0)

/* String buffer. Invariant: buf is never NULL after lc_sb_init and always
 * NUL-terminated. lc_sb_detach hands the storage to the caller. */
typedef struct lc_sb {
	char *buf;
	size_t len, cap;
} lc_sb;
void lc_sb_init(lc_sb *sb);
void lc_sb_add(lc_sb *sb, const char *s);
void lc_sb_addn(lc_sb *sb, const char *s, size_t n);
void lc_sb_addc(lc_sb *sb, char c);
void lc_sb_addf(lc_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lc_sb_release(lc_sb *sb);
char *lc_sb_detach(lc_sb *sb);

/* Arena: many small allocations freed together by lc_arena_free. Used for
 * data that lives exactly as long as one translation unit's facts or one
 * whole-program graph. */
typedef struct lc_arena lc_arena;
lc_arena *lc_arena_new(void);
void *lc_arena_alloc(lc_arena *a, size_t n); /* zeroed, 16-byte aligned */
char *lc_arena_strdup(lc_arena *a, const char *s);
char *lc_arena_strndup(lc_arena *a, const char *s, size_t n);
void lc_arena_free(lc_arena *a);

/* Read a whole file into a NUL-terminated heap buffer. Returns NULL and sets
 * errno on failure; *len gets the size without the terminator. */
char *lc_read_file(const char *path, size_t *len);

/* Write data to path atomically: a temporary file in the same directory,
 * then rename. Returns 0, or -1 with errno set (no partial file is left).
 * A path naming something other than a regular file (/dev/stdout, a FIFO)
 * is written in place instead. */
int lc_write_file_atomic(const char *path, const char *data, size_t len);

/* Remove temporary files of lc_write_file_atomic when SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT arrives, then die of the signal as usual. */
void lc_install_signal_cleanup(void);

/* 64-bit FNV-1a, for fingerprints and hash tables. */
unsigned long long lc_hash64(const void *data, size_t len, unsigned long long seed);

/* A set of 64-bit keys (open addressing); zero-initialise, lc_u64set_free. */
typedef struct lc_u64set {
	uint64_t *slots;
	size_t cap, len;
} lc_u64set;

/* Returns true if `key` was not there yet. */
bool lc_u64set_insert(lc_u64set *set, uint64_t key);
bool lc_u64set_has(const lc_u64set *set, uint64_t key);
void lc_u64set_free(lc_u64set *set);

/* A copy of `s` safe to print on one line of a terminal: control
 * characters (newlines, escapes) become \xNN; invalid UTF-8 bytes too.
 * Untrusted text (file contents, a compile database, a baseline) quoted in
 * a message must go through this. Heap result. */
char *lc_escape_controls(const char *s);

/* Length of the valid UTF-8 sequence starting at p (1..4), or 0 if the
 * bytes there are not valid UTF-8 (p must be NUL-terminated). */
size_t lc_utf8_len(const unsigned char *p);

/* Arguments after a "--" are the compiler's (or link's), not ours: returns
 * the index of the first "--" (argc if none) and points *rest at what
 * follows it. */
int lc_split_dashdash(int argc, char **argv, char ***rest, size_t *nrest);

/* Glob match supporting '*' (any run) and '?' (one char). */
bool lc_glob_match(const char *pattern, const char *text);

#endif
