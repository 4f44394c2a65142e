/* fuzz_summary.c - the summary reader (summary.h), which the cache feeds
 * with whatever is on disk.
 *
 * Each input is decoded twice: as it is (magic, version, lengths, checksum),
 * and with its payload length and checksum fields recomputed, so that
 * mutations reach the payload decoder instead of dying at the checksum.
 * What decodes is dumped (every string printed) and must survive a round
 * trip: encoding the decoded facts, decoding and encoding again gives the
 * same bytes (summary.h: same facts and root, same bytes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "summary.h"

enum { FIXED = 8 }; /* magic, format, tool version length (summary.h) */

static FILE *sink(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

static void put_u64le(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static char *encode(const lc_summary *s, size_t *len)
{
	return lc_summary_encode((const lc_facts *const *)s->facts,
				 (const lc_file_digest *const *)s->digests, s->ntus, "/r", len);
}

static void decode(const unsigned char *data, size_t size)
{
	char *err = NULL;
	lc_summary *s = lc_summary_decode(data, size, "/r", &err);
	if (!s) {
		lc_fuzz_check_message(err);
		free(err);
		return;
	}
	for (size_t i = 0; i < s->ntus; i++)
		if (sink())
			lc_facts_dump(s->facts[i], sink());
	size_t l1, l2;
	char *e1 = encode(s, &l1);
	lc_summary *s2 = lc_summary_decode(e1, l1, "/r", &err);
	if (!s2)
		abort(); /* what we encode we must read back */
	char *e2 = encode(s2, &l2);
	if (l1 != l2 || memcmp(e1, e2, l1) != 0)
		abort();
	free(e1);
	free(e2);
	lc_summary_free(s2);
	lc_summary_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode(data, size);
	if (size < FIXED || memcmp(data, LC_SUMMARY_MAGIC, 5) != 0)
		return 0;
	size_t vl = data[7];
	size_t hdr = FIXED + vl + 16;
	if (size < hdr)
		return 0;
	unsigned char *fixed = malloc(size);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	put_u64le(fixed + FIXED + vl, size - hdr);
	uint64_t seed = lc_xxh64(fixed, FIXED + vl + 8, 0);
	put_u64le(fixed + FIXED + vl + 8, lc_xxh64(fixed + hdr, size - hdr, seed));
	decode(fixed, size);
	free(fixed);
	return 0;
}
