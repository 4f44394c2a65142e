/* strmap.c - see strmap.h. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t hash_str(const char *s)
{
	return (size_t)lc_hash64(s, strlen(s), 0);
}

static void grow(lc_strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uint32_t *ns = lc_xcalloc(ncap, sizeof(uint32_t));
	for (size_t id = 0; id < m->len; id++) {
		size_t h = hash_str(m->keys[id]) & (ncap - 1);
		while (ns[h])
			h = (h + 1) & (ncap - 1);
		ns[h] = (uint32_t)id + 1;
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
}

uint32_t lc_strmap_get(const lc_strmap *m, const char *key)
{
	if (!m->cap)
		return LC_NONE;
	size_t h = hash_str(key) & (m->cap - 1);
	while (m->slots[h]) {
		uint32_t id = m->slots[h] - 1;
		if (strcmp(m->keys[id], key) == 0)
			return id;
		h = (h + 1) & (m->cap - 1);
	}
	return LC_NONE;
}

uint32_t lc_strmap_intern(lc_strmap *m, const char *key, int *added)
{
	uint32_t id = lc_strmap_get(m, key);
	if (added)
		*added = id == LC_NONE;
	if (id != LC_NONE)
		return id;
	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	if (m->len == m->keys_cap) {
		m->keys_cap = m->keys_cap ? m->keys_cap * 2 : 64;
		m->keys = lc_xrealloc(m->keys, m->keys_cap * sizeof(char *));
	}
	id = (uint32_t)m->len++;
	m->keys[id] = key;
	size_t h = hash_str(key) & (m->cap - 1);
	while (m->slots[h])
		h = (h + 1) & (m->cap - 1);
	m->slots[h] = id + 1;
	return id;
}

void lc_strmap_free(lc_strmap *m)
{
	free(m->slots);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}
