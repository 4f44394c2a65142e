/* fuzz_rules.c - the rules reader (rules.h): a profile, catalogue or
 * rules.json document from hostile bytes, into an empty rule set and into
 * one holding the built-in rules (for one input in eight, so that references
 * to known rules and profiles are exercised too). A failure must leave a one-line message and
 * the rule set as it was; lookups after a success must not crash. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules.h"

static void load_into(lc_ruleset *rs, const uint8_t *data, size_t size)
{
	char *err = NULL;
	size_t nblocking = rs->blocking.len, nregs = rs->registrars.len;
	if (lc_ruleset_load_json(rs, "fuzz.json", (const char *)data, size, &err) != 0) {
		lc_fuzz_check_message(err);
		if (rs->blocking.len != nblocking || rs->registrars.len != nregs)
			abort(); /* a failed load keeps nothing */
		free(err);
		return;
	}
	free(err);
	size_t from = 0;
	lc_ruleset_blocking(rs, "sleep", &from);
	lc_ruleset_rule(rs, "blocking/sleep");
	lc_ruleset_fd_source(rs, "open");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lc_ruleset *rs = lc_ruleset_new();
	load_into(rs, data, size);
	lc_ruleset_free(rs);

	/* Loading the built-in rules costs milliseconds: one input in eight. */
	if (size % 8 != 0)
		return 0;
	rs = lc_ruleset_new();
	char *err = NULL;
	if (lc_ruleset_load_builtin(rs, NULL, 0, &err) != 0)
		abort(); /* the embedded rules always load */
	load_into(rs, data, size);
	lc_ruleset_free(rs);
	return 0;
}
