/* fuzz_suppress.c - the suppression-comment lexer (suppress.h) on hostile
 * source text: strings, character literals, comments, line continuations and
 * loopcheck-ignore directives, then every rule pattern it found matched
 * against each rule id. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "suppress.h"

static const char *const rules[] = {
	"blocking/file-io", "blocking/sleep", "cpu/hotspot", "callback/nesting", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lc_suppress_stats st;
	lc_suppress_stats_init(&st);
	lc_suppress_scan(&st, "/src/a.c", (const char *)data, size);
	for (size_t i = 0; i < st.suppressions.len; i++) {
		const lc_suppression *s = &st.suppressions.ptr[i];
		if (!s->file || !s->directive || s->line == 0)
			abort();
		for (size_t r = 0; r < s->nrules; r++)
			for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++)
				lc_suppress_rule_matches(s->rules[r], rules[k]);
	}
	for (size_t i = 0; i < st.problems.len; i++)
		lc_fuzz_check_message(st.problems.ptr[i].message);
	lc_suppress_unused_count(&st);
	lc_suppress_stats_release(&st);
	return 0;
}
