/* fuzz_baseline.c - the baseline reader (baseline.h): a JSON or SARIF report
 * of an earlier run, which CI reads from the (untrusted) tree. */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	lc_baseline *b = lc_baseline_parse("baseline.json", (const char *)data, size, &err);
	if (!b) {
		lc_fuzz_check_message(err);
		free(err);
		return 0;
	}
	lc_baseline_count(b);
	lc_baseline_has(b, "0123456789abcdef");
	lc_baseline_free(b);
	return 0;
}
