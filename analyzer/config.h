/* config.h - the project configuration file, .loopcheck.json.
 *
 * In:  the file named by --config, or the first .loopcheck.json found from the
 *      current directory upwards (stopping at the repository root, a directory
 *      holding .git, or at /); the values the command line sets itself
 *      (--profile, --nesting-limit, --hotspot-loop-depth, --fail-on).
 * Out: the effective settings (defaults < file < command line), the ruleset
 *      (built-in rules and the selected profiles, the file's own loops and
 *      blocking functions in the rules/ schema, rule severities), and, after
 *      solving, the findings with the file's rule settings and exclusions
 *      applied. docs/configuration.md documents every key.
 *
 * Validation is strict, as for rules/ (a typo must not silently turn a check
 * off): unknown and duplicate keys, wrong types, out-of-range numbers,
 * unknown rule ids and profile names are errors. Every error is one line,
 * compiler-style, naming the file, the line and column, and the key:
 *   .loopcheck.json:3:3: unknown key "nesting_limt" (did you mean "nesting_limit"?)
 *
 * Stages: lc_config_open (or lc_config_parse) checks everything that needs no
 * ruleset; lc_config_load_rules fills a ruleset and checks the rest (rule ids,
 * profile names, the "loops" and "blocking" entries).
 *
 * Ownership: an lc_config owns all its strings and its parsed document;
 * lc_config_free releases them. Pointers returned by the accessors live as
 * long as the config.
 */
#ifndef LC_CONFIG_H
#define LC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "rules.h"
#include "solve.h"

#define LC_CONFIG_NAME ".loopcheck.json"

/* What the command line says; command-line values win over the file. */
typedef struct lc_config_cli {
	const char *path;            /* --config FILE, or NULL */
	bool no_config;              /* --no-config: do not look for a file */
	const char *const *profiles; /* --profile names, or NULL when not given */
	size_t nprofiles;
	unsigned nesting_limit;      /* --nesting-limit, 0: not given */
	unsigned hotspot_loop_depth; /* --hotspot-loop-depth, 0: not given */
	int fail_on;                 /* --fail-on as an lc_severity, -1: not given */
} lc_config_cli;

typedef struct lc_config lc_config;

/* The .loopcheck.json that applies in `start_dir` (absolute): the first found
 * in start_dir and its parents, not looking above a directory that holds
 * .git (that directory is still checked) nor above /. Heap path or NULL. */
char *lc_config_find(const char *start_dir);

/* The defaults, no file. Never NULL. */
lc_config *lc_config_default(void);

/* Parse and check a configuration's text. `path` names the file in messages
 * and exclusion patterns are relative to its directory (resolved against
 * `cwd`, or the current directory when NULL). NULL with a one-line heap
 * message in *err on error. */
lc_config *lc_config_parse(const char *path, const char *text, size_t len, const char *cwd,
			   char **err);

/* Read and parse a file (see lc_config_parse). */
lc_config *lc_config_load(const char *path, const char *cwd, char **err);

/* Apply the command-line values (cli->path and cli->no_config are not
 * looked at here). The profile names are copied. */
void lc_config_set_cli(lc_config *c, const lc_config_cli *cli);

/* All of the above as main() needs it: --config, else discovery from `cwd`
 * unless --no-config, else the defaults; then the command-line values. */
lc_config *lc_config_open(const lc_config_cli *cli, const char *cwd, char **err);

/* Fill `rs` (new and empty): the built-in rules with the selected profiles
 * (--profile, else "profiles", else all), the file's "loops" (all of them,
 * unless --profile leaves some out), its "blocking", "descriptors" and
 * "nonblocking_setters", then check the "rules" keys against the rules and
 * set the rules' severities (lc_rule_info.severity) as the file says, so
 * that --list-rules and SARIF's defaultConfiguration agree with it. Returns 0
 * or -1 with a one-line heap message in *err. */
int lc_config_load_rules(lc_config *c, lc_ruleset *rs, char **err);

/* The file used (as given or found), or NULL. */
const char *lc_config_path(const lc_config *c);
/* Effective solver options; `allow` points into the config. */
const lc_solve_opts *lc_config_solve_opts(const lc_config *c);
/* Effective --fail-on. */
lc_severity lc_config_fail_on(const lc_config *c);
/* "off", or the rule's effective severity name ("note", "warning", "error"),
 * for --list-rules. Call after lc_config_load_rules. */
const char *lc_config_rule_level(const lc_config *c, const lc_ruleset *rs, const char *id);

/* After solving: drop the findings of rules that are "off" and give the
 * others the severity the file sets for their rule. */
void lc_config_apply_rules(const lc_config *c, lc_result *r);
/* Drop the findings located in files matched by "exclude". The translation
 * units there are still parsed: their calls are part of the program graph. */
void lc_config_apply_exclude(const lc_config *c, lc_result *r);
/* Both, in that order. */
void lc_config_apply(const lc_config *c, lc_result *r);

/* Does `path` (absolute) match an "exclude" pattern? Exposed for tests. */
bool lc_config_excluded(const lc_config *c, const char *path);

/* The effective configuration as JSON (for --dump-config): "config_file"
 * (the path, or null) and every key of the file with its effective value;
 * without "config_file" it is itself a valid configuration. Heap string. */
char *lc_config_dump(const lc_config *c, const lc_ruleset *rs);

void lc_config_free(lc_config *c);

#endif
