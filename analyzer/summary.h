/* summary.h - per-TU facts as a compact, deterministic, versioned file.
 *
 * A summary is the unit of caching (cache.h) and of distribution (`loopcheck
 * extract` / `link`): the lc_facts of one or more translation units, plus
 * the size and content hash of every file each TU read. Same facts and same
 * root give the same bytes, on any machine: strings are interned in a table
 * in order of first use, integers are varints, nothing holds a timestamp or
 * a pointer.
 *
 * Paths. Every path (locations, main file, inclusions, and the file part of
 * the keys of internal-linkage functions and variables, "USR|/abs/file.c")
 * is stored relative to the `root` given to lc_summary_encode when it lies
 * below the root, and absolute otherwise. Files outside the root are mostly
 * system headers (/usr/include/uv.h): they are the same on every machine
 * with the same packages, so keeping them absolute loses nothing, and a
 * summary made under /home/a/proj decodes under /build/proj with every
 * project path moved. lc_summary_decode joins relative paths to its own root.
 * Other strings (names, expression text, diagnostics) are kept verbatim.
 *
 * Layout (all integers little-endian; "varint" is LEB128, signed values
 * zigzag-encoded):
 *
 *   offset 0   5 bytes  magic "LCSUM"
 *          5   u16      format version (LC_SUMMARY_FORMAT)
 *          7   u8       length L of the tool version (at most 63)
 *          8   L bytes  tool version, e.g. "0.1.0" (informational: readers
 *                       check the format version, not the tool version)
 *          8+L u64      payload length P
 *         16+L u64      checksum: lc_xxh64 of bytes [0, 16+L) with seed 0,
 *                       used as the seed of lc_xxh64 over the payload
 *         24+L P bytes  payload: sections, each `u8 tag, varint length, body`
 *
 *   tag 1 STRINGS  varint count, then per string (ids 1..count in order):
 *                  varint kind: 0 literal (varint len, bytes),
 *                               1 path below the root (varint len, bytes of
 *                                 the relative path; "" is the root itself),
 *                               2 key with a path (varint id of the part
 *                                 before the path, varint id of the path,
 *                                 varint id of the part after it; earlier
 *                                 ids only, 0 = empty)
 *   tag 2 TU       one translation unit (any number of them, in order)
 *
 * A string reference is a varint: 0 for NULL, else the string's id. The TU
 * body is the lc_facts fields (see summary.c; format 4 added the compile
 * arguments, whose paths ("/src/inc", "-I/src/inc") are stored like other
 * paths, the globals and the uses at the end); every index (a call's
 * caller, a loop's parent) is checked against its array on decoding, and
 * every enum against its range.
 *
 * Errors: decoding never trusts its input. Truncated, corrupt, foreign or
 * other-version data gives NULL and a one-line message; nothing is read
 * outside the buffer.
 *
 * Ownership: lc_summary_encode returns a heap buffer the caller frees.
 * lc_summary_decode returns an lc_summary freed by lc_summary_free, which
 * frees every facts[i] still there (set it to NULL to keep it: it is then
 * yours to free with lc_facts_free; its digests live in its arena).
 */
#ifndef LC_SUMMARY_H
#define LC_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

#define LC_SUMMARY_MAGIC "LCSUM"
/* Bump when the layout or the meaning of any extracted fact changes. */
enum { LC_SUMMARY_FORMAT = 7 }; /* 4: compile arguments, globals and uses; 5: a call's loop;
				 * 6: a call's parameter guard; 7: what a local FILE * holds */

/* Size and content hash of one file a TU read (parallel to facts->files). */
typedef struct lc_file_digest {
	uint64_t size; /* bytes */
	uint64_t hash; /* lc_xxh64(contents, size, 0) */
} lc_file_digest;

typedef struct lc_summary {
	unsigned format;           /* LC_SUMMARY_FORMAT */
	char tool_version[64];     /* of the loopcheck that wrote it */
	size_t ntus;
	lc_facts **facts;          /* ntus entries */
	lc_file_digest **digests;  /* ntus arrays of facts[i]->files.len entries
				    * (all zero when the writer gave none),
				    * allocated in facts[i]->arena */
} lc_summary;

/* Encode `n` TUs. digests[i] may be NULL (and `digests` itself may be NULL)
 * when the content hashes are unknown: zeros are stored. `root` is an
 * absolute directory (a trailing '/' is ignored) or NULL to keep every path
 * as it is. Returns a heap buffer of *len bytes. */
char *lc_summary_encode(const lc_facts *const *facts, const lc_file_digest *const *digests,
			size_t n, const char *root, size_t *len);

/* Decode. `root` is joined to the relative paths (NULL: they stay
 * relative). On error returns NULL and a one-line heap message in *err (the
 * caller frees it and names the file), e.g. "not a loopcheck summary (bad
 * magic)", "summary format 2, this loopcheck reads format 1", "summary
 * checksum mismatch (corrupt file)", "malformed summary: call 3: caller 9
 * out of range". */
lc_summary *lc_summary_decode(const void *data, size_t len, const char *root, char **err);
void lc_summary_free(lc_summary *s);

/* 64-bit xxHash (XXH64): the checksum of summaries and the content hash of
 * cached inputs; several GB/s, so hashing every header a TU read costs far
 * less than parsing it. */
uint64_t lc_xxh64(const void *data, size_t len, uint64_t seed);

/* ---- byte encoding shared with cache.c --------------------------------- */

/* Growable output buffer. */
typedef struct lc_bw {
	unsigned char *buf;
	size_t len, cap;
} lc_bw;
void lc_bw_bytes(lc_bw *w, const void *p, size_t n);
void lc_bw_u8(lc_bw *w, unsigned v);
void lc_bw_u64le(lc_bw *w, uint64_t v);
void lc_bw_varint(lc_bw *w, uint64_t v);
void lc_bw_svarint(lc_bw *w, int64_t v); /* zigzag */
void lc_bw_str(lc_bw *w, const char *s); /* varint length, bytes */

/* Bounds-checked reader. The first failure sets `err` (a static string) and
 * makes every later read return zero, so a decoder can read a whole record
 * and check once. */
typedef struct lc_br {
	const unsigned char *p, *end, *start;
	const char *err;
} lc_br;
void lc_br_init(lc_br *r, const void *data, size_t len);
const unsigned char *lc_br_bytes(lc_br *r, size_t n); /* NULL on failure */
unsigned lc_br_u8(lc_br *r);
uint64_t lc_br_u64le(lc_br *r);
uint64_t lc_br_varint(lc_br *r);
int64_t lc_br_svarint(lc_br *r);
/* A count of items each at least `min_size` bytes long: fails when it
 * cannot fit in what is left, so no corrupt count allocates gigabytes. */
size_t lc_br_count(lc_br *r, size_t min_size);

#endif
