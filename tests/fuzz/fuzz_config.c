/* fuzz_config.c - the configuration reader (config.h): .loopcheck.json from
 * hostile bytes, then (when it parses) its rules loaded into a rule set and
 * the effective configuration dumped, which walks every value it holds. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = NULL;
	lc_config *c = lc_config_parse("proj/.loopcheck.json", (const char *)data, size, "/src", &err);
	if (!c) {
		lc_fuzz_check_message(err);
		free(err);
		return 0;
	}
	lc_ruleset *rs = lc_ruleset_new();
	if (lc_config_load_rules(c, rs, &err) == 0) {
		free(lc_config_dump(c, rs));
		lc_config_excluded(c, "/src/vendor/x.c");
	} else {
		lc_fuzz_check_message(err);
		free(err);
	}
	lc_ruleset_free(rs);
	lc_config_free(c);
	return 0;
}
