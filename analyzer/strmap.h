/* strmap.h - an interning map from strings to dense ids 0..n-1.
 *
 * Keys are not copied: they must outlive the map (they live in the facts'
 * arenas). Open addressing with linear probing; ids are assigned in
 * insertion order, so iteration by id is deterministic.
 */
#ifndef LC_STRMAP_H
#define LC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#define LC_NONE UINT32_MAX

typedef struct lc_strmap {
	uint32_t *slots;   /* id + 1, 0 = empty */
	size_t cap;        /* power of two */
	const char **keys; /* by id */
	size_t len, keys_cap;
} lc_strmap;

/* The id of `key`, or LC_NONE. */
uint32_t lc_strmap_get(const lc_strmap *m, const char *key);
/* The id of `key`, adding it if absent; *added tells which (may be NULL). */
uint32_t lc_strmap_intern(lc_strmap *m, const char *key, int *added);
void lc_strmap_free(lc_strmap *m);

#endif
