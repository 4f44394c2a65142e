/* test_config.c - the configuration file (config.h) and the changed-files
 * filter (filter.h): parsing, every kind of error with its position and key,
 * discovery, command-line overrides, rule settings, exclusions. */
#define _GNU_SOURCE /* mkdtemp */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "filter.h"
#include "rules.h"

/* ---- helpers ----------------------------------------------------------- */

static lc_config *parse(const char *text, char **err)
{
	*err = NULL;
	lc_config *c = lc_config_parse("proj/.loopcheck.json", text, strlen(text), "/src", err);
	cr_assert_eq(c == NULL, *err != NULL, "config %p but err %s", (void *)c,
		     *err ? *err : "NULL");
	return c;
}

static lc_config *parse_ok(const char *text)
{
	char *err;
	lc_config *c = parse(text, &err);
	cr_assert_not_null(c, "unexpected error: %s", err);
	return c;
}

/* Parse and load the rules; returns the first error or NULL. */
static char *full_load(const char *text)
{
	char *err;
	lc_config *c = parse(text, &err);
	if (c) {
		lc_ruleset *rs = lc_ruleset_new();
		if (lc_config_load_rules(c, rs, &err) == 0)
			err = NULL;
		lc_ruleset_free(rs);
		lc_config_free(c);
	}
	return err;
}

/* The error must be one line and start with "proj/.loopcheck.json:LINE:COL: ",
 * and contain `want`. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *want)
{
	char *err = full_load(text);
	cr_assert_not_null(err, "expected an error containing \"%s\"", want);
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "proj/.loopcheck.json:%u:%u: ", line, col);
	cr_expect(strncmp(err, prefix, strlen(prefix)) == 0, "error \"%s\" does not start with \"%s\"",
		  err, prefix);
	cr_expect(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
	cr_expect(strchr(err, '\n') == NULL, "error is not one line: %s", err);
	free(err);
}

static const lc_rule_info *rule(const lc_ruleset *rs, const char *id)
{
	const lc_rule_info *r = lc_ruleset_rule(rs, id);
	cr_assert_not_null(r, "no rule %s", id);
	return r;
}

static bool has_profile(const lc_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->profiles.len; i++)
		if (strcmp(rs->profiles.ptr[i].name, name) == 0)
			return true;
	return false;
}

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/lc-config-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	cr_assert_not_null(d);
	char *real = realpath(d, NULL);
	cr_assert_not_null(real);
	return real;
}

static void mkdirs(const char *base, const char *rel)
{
	char *path = lc_xasprintf("%s/%s", base, rel);
	for (char *p = path + strlen(base) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
	free(path);
}

static char *write_file(const char *base, const char *rel, const char *text)
{
	char *path = lc_xasprintf("%s/%s", base, rel);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

static void rm_rf(const char *dir)
{
	char *cmd = lc_xasprintf("rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

/* ---- a valid file --------------------------------------------------------- */

static const char valid[] =
	"{\n"
	"  \"$schema\": \"https://example.invalid/loopcheck-config.json\",\n"
	"  \"$comment\": \"our settings\",\n"
	"  \"profiles\": [\"libuv\"],\n"
	"  \"rules\": {\"blocking/*\": \"error\", \"blocking/lock\": \"off\",\n"
	"            \"cpu/hotspot\": \"note\", \"$comment\": \"ignored\"},\n"
	"  \"nesting_limit\": 3,\n"
	"  \"hotspot_loop_depth\": 4,\n"
	"  \"allow\": [\"log_*\", \"trace\"],\n"
	"  \"exclude\": [\"third_party/**\", \"gen/*.c\", \"vendor/\"],\n"
	"  \"loops\": [\n"
	"    {\"profile\": \"evq\", \"description\": \"our reactor\",\n"
	"     \"registrars\": [{\"function\": \"evq_timer_add\",\n"
	"                     \"callbacks\": [{\"arg\": 2, \"kind\": \"timer callback\"}]}]}\n"
	"  ],\n"
	"  \"blocking\": [{\"function\": \"store_get_sync\", \"rule\": \"blocking/database\",\n"
	"                \"reason\": \"waits for the storage server\"}],\n"
	"  \"descriptors\": [{\"function\": \"my_socket\", \"produces\": \"socket\"}],\n"
	"  \"nonblocking_setters\": [{\"function\": \"my_nonblock\", \"fd_arg\": 0}],\n"
	"  \"fail_on\": \"error\"\n"
	"}\n";

Test(config, valid_file)
{
	lc_config *c = parse_ok(valid);
	cr_expect_str_eq(lc_config_path(c), "proj/.loopcheck.json");
	const lc_solve_opts *so = lc_config_solve_opts(c);
	cr_expect_eq(so->nesting_limit, 3);
	cr_expect_eq(so->hotspot_loop_depth, 4);
	cr_assert_eq(so->nallow, 2);
	cr_expect_str_eq(so->allow[0], "log_*");
	cr_expect_str_eq(so->allow[1], "trace");
	cr_expect_eq(lc_config_fail_on(c), LC_SEV_ERROR);

	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_assert_eq(lc_config_load_rules(c, rs, &err), 0, "%s", err);
	cr_expect(has_profile(rs, "libuv"));
	cr_expect(has_profile(rs, "evq"));
	cr_expect(!has_profile(rs, "napi"), "\"profiles\" should restrict the built-ins");
	cr_expect(!has_profile(rs, "pthread"));

	bool reg = false;
	for (size_t i = 0; i < rs->registrars.len; i++)
		if (strcmp(rs->registrars.ptr[i].function, "evq_timer_add") == 0 &&
		    rs->registrars.ptr[i].arg == 2)
			reg = true;
	cr_expect(reg, "the config's loop was not loaded");
	size_t from = 0;
	const lc_blocking *b = lc_ruleset_blocking(rs, "store_get_sync", &from);
	cr_assert_not_null(b, "the config's blocking entry was not loaded");
	cr_expect_str_eq(b->rule, "blocking/database");
	cr_expect_not_null(lc_ruleset_fd_source(rs, "my_socket"));
	cr_expect_not_null(lc_ruleset_fd_setter(rs, "my_nonblock", NULL));

	/* An exact id wins over a glob; rule infos carry the new severity. */
	cr_expect_str_eq(lc_config_rule_level(c, rs, "blocking/lock"), "off");
	cr_expect_str_eq(lc_config_rule_level(c, rs, "blocking/file-io"), "error");
	cr_expect_eq(rule(rs, "blocking/file-io")->severity, LC_SEV_ERROR);
	cr_expect_str_eq(lc_config_rule_level(c, rs, "cpu/hotspot"), "note");
	cr_expect_eq(rule(rs, "cpu/hotspot")->severity, LC_SEV_NOTE);
	cr_expect_str_eq(lc_config_rule_level(c, rs, "callback/nesting"), "warning");

	lc_ruleset_free(rs);
	lc_config_free(c);
}

Test(config, empty_object_is_the_defaults)
{
	lc_config *c = parse_ok("{}");
	cr_expect_eq(lc_config_solve_opts(c)->nesting_limit, 5);
	cr_expect_eq(lc_config_solve_opts(c)->hotspot_loop_depth, 2);
	cr_expect_eq(lc_config_solve_opts(c)->nallow, 0);
	cr_expect_eq(lc_config_fail_on(c), LC_SEV_WARNING);
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_assert_eq(lc_config_load_rules(c, rs, &err), 0, "%s", err);
	cr_expect(has_profile(rs, "libuv") && has_profile(rs, "napi") && has_profile(rs, "pthread"));
	lc_ruleset_free(rs);
	lc_config_free(c);
}

Test(config, later_glob_wins_and_on_restores_default)
{
	lc_config *c = parse_ok("{\"rules\": {\"*\": \"off\", \"blocking/*\": \"on\"}}");
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_assert_eq(lc_config_load_rules(c, rs, &err), 0, "%s", err);
	cr_expect_str_eq(lc_config_rule_level(c, rs, "cpu/hotspot"), "off");
	cr_expect_str_eq(lc_config_rule_level(c, rs, "blocking/sleep"), "warning");
	lc_ruleset_free(rs);
	lc_config_free(c);
}

/* ---- errors: file, line, column and key ------------------------------------ */

Test(config_errors, unknown_key_with_suggestion)
{
	expect_error("{\n  \"nesting_limt\": 3\n}\n", 2, 3,
		     "unknown key \"nesting_limt\" (did you mean \"nesting_limit\"?)");
	expect_error("{\"rules\": {}, \"Exclude\": []}", 1, 15,
		     "unknown key \"Exclude\" (did you mean \"exclude\"?)");
	expect_error("{\"frobnicate\": 1}", 1, 2, "unknown key \"frobnicate\" (known: profiles,");
}

Test(config_errors, duplicate_key)
{
	expect_error("{\n  \"allow\": [],\n  \"allow\": [\"x\"]\n}", 3, 3, "duplicate key \"allow\"");
	expect_error("{\"rules\": {\"blocking/lock\": \"off\",\n \"blocking/lock\": \"note\"}}", 2, 2,
		     "duplicate key \"blocking/lock\" in \"rules\"");
}

Test(config_errors, wrong_types)
{
	expect_error("{\"nesting_limit\": \"5\"}", 1, 19, "\"nesting_limit\" must be an integer");
	expect_error("{\"nesting_limit\": 2.5}", 1, 19, "\"nesting_limit\" must be an integer");
	expect_error("{\"allow\": \"log_*\"}", 1, 11, "\"allow\" must be an array");
	expect_error("{\"allow\": [\"a\", 7]}", 1, 17, "allow[1] must be a non-empty string");
	expect_error("{\"exclude\": [\"\"]}", 1, 14, "exclude[0] must be a non-empty string");
	expect_error("{\"profiles\": \"libuv\"}", 1, 14, "\"profiles\" must be an array");
	expect_error("{\"rules\": [\"blocking/lock\"]}", 1, 11, "\"rules\" must be an object");
	expect_error("{\"rules\": {\"blocking/lock\": false}}", 1, 29,
		     "rule \"blocking/lock\" must be \"off\", \"on\", \"note\", \"warning\" or "
		     "\"error\" (a string)");
	expect_error("{\"rules\": {\"blocking/lock\": \"warn\"}}", 1, 29, "not \"warn\"");
	expect_error("{\"fail_on\": \"never\"}", 1, 13,
		     "\"fail_on\" must be \"note\", \"warning\" or \"error\", not \"never\"");
	expect_error("{\"loops\": {}}", 1, 11, "\"loops\" must be an array of profile documents");
	expect_error("{\"loops\": [{\"catalogue\": \"x\"}]}", 1, 12,
		     "loops[0] must be a profile document");
	expect_error("{\"blocking\": {}}", 1, 14, "\"blocking\" must be an array");
	expect_error("{\"$schema\": 1}", 1, 13, "\"$schema\" must be a string");
	expect_error("[1, 2]", 1, 1, "the configuration must be a JSON object");
}

Test(config_errors, ranges)
{
	expect_error("{\"nesting_limit\": 0}", 1, 19, "\"nesting_limit\" must be an integer from 1 to 1000");
	expect_error("{\"nesting_limit\": 1001}", 1, 19, "from 1 to 1000");
	expect_error("{\"hotspot_loop_depth\": 1}", 1, 24,
		     "\"hotspot_loop_depth\" must be an integer from 2 to 100");
	expect_error("{\"hotspot_loop_depth\": 101}", 1, 24, "from 2 to 100");
	expect_error("{\"exclude\": [\"/usr/include/**\"]}", 1, 14, "relative to the directory");
	char *err = full_load("{\"nesting_limit\": 1, \"hotspot_loop_depth\": 100}");
	cr_expect_null(err, "%s", err);
	free(err);
}

Test(config_errors, unknown_rule)
{
	expect_error("{\"rules\": {\n  \"blocking/lok\": \"off\"}}", 2, 3,
		     "unknown rule \"blocking/lok\" in \"rules\" (did you mean \"blocking/lock\"?)");
	expect_error("{\"rules\": {\"Blocking/Sleep\": \"off\"}}", 1, 12,
		     "(did you mean \"blocking/sleep\"?)");
	expect_error("{\"rules\": {\"net/*\": \"off\"}}", 1, 12,
		     "rule pattern \"net/*\" in \"rules\" matches no rule (known: blocking/file-io");
}

Test(config_errors, unknown_profile)
{
	expect_error("{\"profiles\": [\"libuv\", \"libuvv\"]}", 1, 24,
		     "unknown profile \"libuvv\" in \"profiles\" (did you mean \"libuv\"?)");
}

Test(config_errors, malformed_json)
{
	expect_error("{\n  \"nesting_limit\": 3,\n}\n", 2, 21, "malformed JSON: trailing comma");
	expect_error("{\"allow\": [\"a\", ]}", 1, 15, "malformed JSON: trailing comma");
	expect_error("{\"allow\": [", 1, 12, "malformed JSON: unexpected end of input");
	expect_error("{\"allow\": [\"a}\n", 1, 13, "malformed JSON: unexpected end of input");
	expect_error("{\n  // ours\n  \"allow\": []}", 2, 3, "malformed JSON: comments are not JSON");
	expect_error("{\"allow\": [] \"exclude\": []}", 1, 14, "malformed JSON");

	char *err = NULL;
	lc_config *c = lc_config_parse("x.json", "{\"a\": 1\0}", 9, "/", &err);
	cr_expect_null(c);
	cr_expect_str_eq(err, "x.json:1:8: NUL byte in JSON text");
	free(err);
}

/* The "loops" and "blocking" parts are checked by rules.c, with positions
 * in this file and key paths from its root. */
Test(config_errors, loops_and_blocking_through_rules_c)
{
	expect_error("{\"loops\": [\n"
		     "  {\"profile\": \"evq\",\n"
		     "   \"registrars\": [{\"function\": \"f\", \"callbacks\": [{\"arg\": 40}]}]}]}",
		     3, 59, "\"arg\" must be an argument index from 0 to 31 (0 is the first argument) "
			    "(loops[0].registrars[0].callbacks[0])");
	expect_error("{\"loops\": [{\"profile\": \"evq\", \"registrars\": [{\"function\": \"f\",\n"
		     "  \"cb_arg\": 1}]}]}",
		     2, 3, "unknown key \"cb_arg\" in loops[0].registrars[0]");
	expect_error("{\"loops\": [{\"profile\": \"evq\", \"fields\": [{\"field\": \"s.f\", "
		     "\"context\": \"main\"}]}]}",
		     1, 70, "\"context\" must be one of \"loop\", \"worker\", \"thread\", not \"main\" "
			    "(loops[0].fields[0])");
	expect_error("{\"loops\": [{\"profile\": \"libuv\"}]}", 1, 24,
		     "profile \"libuv\" is already loaded");
	expect_error("{\"nesting_limit\": 3,\n"
		     " \"blocking\": [{\"function\": \"f\", \"rule\": \"blocking/disk\", \"reason\": "
		     "\"r\"}]}",
		     2, 41, "unknown rule \"blocking/disk\"");
	expect_error("{\"blocking\": [{\"function\": \"f\", \"rule\": \"blocking/sleep\",\n"
		     "  \"reason\": \"r\", \"reason\": \"s\"}]}",
		     2, 18, "duplicate key \"reason\" in blocking[0]");
	expect_error("{\"descriptors\": [{\"function\": \"f\", \"produces\": \"pipe\"}]}", 1, 48,
		     "\"produces\" must be one of \"file\", \"socket\", not \"pipe\" (descriptors[0])");
	expect_error("{\"nonblocking_setters\": [{\"function\": \"f\"}]}", 1, 26,
		     "missing required key \"fd_arg\" (nonblocking_setters[0])");
}

Test(config_errors, failed_load_leaves_no_half_ruleset)
{
	char *err;
	lc_config *c = parse("{\"blocking\": [{\"function\": \"a\", \"rule\": \"blocking/sleep\", "
			     "\"reason\": \"r\"}, {\"function\": \"b\", \"rule\": \"nope\", "
			     "\"reason\": \"r\"}]}",
			     &err);
	cr_assert_not_null(c);
	lc_ruleset *rs = lc_ruleset_new();
	cr_assert_neq(lc_config_load_rules(c, rs, &err), 0);
	free(err);
	cr_expect_null(lc_ruleset_blocking(rs, "a", NULL), "entries of a failed part were kept");
	lc_ruleset_free(rs);
	lc_config_free(c);
}

Test(config_errors, unreadable_file)
{
	char *err = NULL;
	lc_config *c = lc_config_load("/nonexistent/.loopcheck.json", "/", &err);
	cr_assert_null(c);
	cr_expect(strstr(err, "/nonexistent/.loopcheck.json: cannot read the configuration") == err,
		  "%s", err);
	free(err);
}

/* ---- discovery ---------------------------------------------------------------- */

Test(config_discovery, found_upwards_from_a_nested_directory)
{
	char *tmp = make_tmpdir();
	mkdirs(tmp, "proj/.git");
	mkdirs(tmp, "proj/src/net/deep");
	char *cfg = write_file(tmp, "proj/.loopcheck.json", "{}");
	char *start = lc_xasprintf("%s/proj/src/net/deep", tmp);
	char *found = lc_config_find(start);
	cr_assert_not_null(found);
	cr_expect_str_eq(found, cfg);
	free(found);

	/* The nearest one wins. */
	char *inner = write_file(tmp, "proj/src/.loopcheck.json", "{}");
	found = lc_config_find(start);
	cr_expect_str_eq(found, inner);
	free(found);

	/* A directory of that name is not a configuration. */
	mkdirs(tmp, "proj/src/net/deep/.loopcheck.json");
	found = lc_config_find(start);
	cr_expect_str_eq(found, inner);
	free(found);

	free(inner);
	free(start);
	free(cfg);
	rm_rf(tmp);
	free(tmp);
}

Test(config_discovery, stops_at_the_repository_root)
{
	char *tmp = make_tmpdir();
	mkdirs(tmp, "outer/repo/.git");
	mkdirs(tmp, "outer/repo/src");
	free(write_file(tmp, "outer/.loopcheck.json", "{\"nesting_limt\": 1}"));
	char *start = lc_xasprintf("%s/outer/repo/src", tmp);
	char *found = lc_config_find(start);
	cr_expect_null(found, "looked above the .git directory: %s", found);
	free(found);

	/* The repository root itself is checked. */
	char *cfg = write_file(tmp, "outer/repo/.loopcheck.json", "{}");
	found = lc_config_find(start);
	cr_expect_str_eq(found, cfg);
	free(found);
	free(cfg);

	/* A .git file (worktree, submodule) marks the root as well. */
	mkdirs(tmp, "outer/wt/src");
	free(write_file(tmp, "outer/wt/.git", "gitdir: /elsewhere\n"));
	char *wt = lc_xasprintf("%s/outer/wt/src", tmp);
	found = lc_config_find(wt);
	cr_expect_null(found, "looked above a .git file: %s", found);
	free(found);
	free(wt);

	/* Without a repository the search goes on upwards. */
	mkdirs(tmp, "outer/plain/src");
	char *plain = lc_xasprintf("%s/outer/plain/src", tmp);
	found = lc_config_find(plain);
	char *outer = lc_xasprintf("%s/outer/.loopcheck.json", tmp);
	cr_expect_str_eq(found, outer);
	free(found);
	free(outer);
	free(plain);

	free(start);
	rm_rf(tmp);
	free(tmp);
}

Test(config_discovery, open_and_no_config)
{
	char *tmp = make_tmpdir();
	mkdirs(tmp, "p/.git");
	mkdirs(tmp, "p/sub");
	char *cfg = write_file(tmp, "p/.loopcheck.json", "{\"nesting_limit\": 7}");
	char *sub = lc_xasprintf("%s/p/sub", tmp);

	lc_config_cli cli = {.fail_on = -1};
	char *err = NULL;
	lc_config *c = lc_config_open(&cli, sub, &err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_str_eq(lc_config_path(c), cfg);
	cr_expect_eq(lc_config_solve_opts(c)->nesting_limit, 7);
	lc_config_free(c);

	cli.no_config = true;
	c = lc_config_open(&cli, sub, &err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_null(lc_config_path(c));
	cr_expect_eq(lc_config_solve_opts(c)->nesting_limit, 5);
	lc_config_free(c);

	/* --config FILE is read even with --no-config. */
	char *other = write_file(tmp, "other.json", "{\"nesting_limit\": 9}");
	cli.path = other;
	c = lc_config_open(&cli, sub, &err);
	cr_assert_not_null(c, "%s", err);
	cr_expect_str_eq(lc_config_path(c), other);
	cr_expect_eq(lc_config_solve_opts(c)->nesting_limit, 9);
	lc_config_free(c);

	/* A broken file found by discovery is an error. */
	free(write_file(tmp, "p/.loopcheck.json", "{\"nesting_limit\": true}"));
	cli.path = NULL;
	cli.no_config = false;
	c = lc_config_open(&cli, sub, &err);
	cr_assert_null(c);
	cr_expect(strstr(err, ".loopcheck.json:1:19: \"nesting_limit\"") != NULL, "%s", err);
	free(err);

	free(other);
	free(sub);
	free(cfg);
	rm_rf(tmp);
	free(tmp);
}

/* ---- command-line values win --------------------------------------------------- */

Test(config, command_line_overrides)
{
	lc_config *c = parse_ok("{\"nesting_limit\": 3, \"hotspot_loop_depth\": 4, "
				"\"fail_on\": \"error\", \"profiles\": [\"napi\"],"
				"\"loops\": [{\"profile\": \"evq\"}, {\"profile\": \"other\"}]}");
	const char *profiles[] = {"libuv", "evq"};
	lc_config_cli cli = {.nesting_limit = 8, .hotspot_loop_depth = 0,
			     .fail_on = LC_SEV_NOTE, .profiles = profiles, .nprofiles = 2};
	lc_config_set_cli(c, &cli);
	cr_expect_eq(lc_config_solve_opts(c)->nesting_limit, 8);
	cr_expect_eq(lc_config_solve_opts(c)->hotspot_loop_depth, 4);
	cr_expect_eq(lc_config_fail_on(c), LC_SEV_NOTE);

	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_assert_eq(lc_config_load_rules(c, rs, &err), 0, "%s", err);
	cr_expect(has_profile(rs, "libuv"), "--profile wins over \"profiles\"");
	cr_expect(!has_profile(rs, "napi"));
	cr_expect(has_profile(rs, "evq"));
	cr_expect(!has_profile(rs, "other"), "--profile leaves out a config loop it does not name");

	char *dump = lc_config_dump(c, rs);
	cr_expect(strstr(dump, "\"nesting_limit\": 8") != NULL, "%s", dump);
	cr_expect(strstr(dump, "\"profiles\": [\"libuv\"]") != NULL, "%s", dump);
	cr_expect(strstr(dump, "\"fail_on\": \"note\"") != NULL, "%s", dump);
	cr_expect(strstr(dump, "\"other\"") == NULL, "%s", dump);
	free(dump);
	lc_ruleset_free(rs);

	const char *bad[] = {"nope"};
	cli.profiles = bad;
	cli.nprofiles = 1;
	lc_config_set_cli(c, &cli);
	rs = lc_ruleset_new();
	cr_expect_neq(lc_config_load_rules(c, rs, &err), 0);
	cr_expect(strstr(err, "unknown profile 'nope' (known: ") == err, "%s", err);
	cr_expect(strstr(err, "evq") != NULL, "config loops are known profiles: %s", err);
	free(err);
	lc_ruleset_free(rs);
	lc_config_free(c);
}

Test(config, dump_is_a_valid_configuration)
{
	lc_config *c = parse_ok(valid);
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_assert_eq(lc_config_load_rules(c, rs, &err), 0, "%s", err);
	char *dump = lc_config_dump(c, rs);
	cr_expect(strstr(dump, "\"config_file\": \"/src/proj/.loopcheck.json\"") != NULL, "%s", dump);
	cr_expect(strstr(dump, "\"blocking/lock\": \"off\"") != NULL, "%s", dump);
	cr_expect(strstr(dump, "\"blocking/sleep\": \"error\"") != NULL, "%s", dump);

	/* Without "config_file" it loads again, to the same dump. */
	char *cut = strstr(dump, "\"config_file\"");
	cr_assert_not_null(cut);
	char *eol = strchr(cut, '\n');
	memmove(cut, eol + 1, strlen(eol + 1) + 1);
	lc_config *again = lc_config_parse("proj/.loopcheck.json", dump, strlen(dump), "/src", &err);
	cr_assert_not_null(again, "%s\n%s", err, dump);
	lc_ruleset *rs2 = lc_ruleset_new();
	cr_assert_eq(lc_config_load_rules(again, rs2, &err), 0, "%s", err);
	char *dump2 = lc_config_dump(again, rs2);
	char *cut2 = strstr(dump2, "\"config_file\"");
	memmove(cut2, strchr(cut2, '\n') + 1, strlen(strchr(cut2, '\n') + 1) + 1);
	cr_expect_str_eq(dump2, dump);
	free(dump2);
	lc_ruleset_free(rs2);
	lc_config_free(again);

	free(dump);
	lc_ruleset_free(rs);
	lc_config_free(c);

	lc_config *none = lc_config_default();
	rs = lc_ruleset_new();
	cr_assert_eq(lc_config_load_rules(none, rs, &err), 0, "%s", err);
	dump = lc_config_dump(none, rs);
	cr_expect(strstr(dump, "\"config_file\": null") != NULL, "%s", dump);
	free(dump);
	lc_ruleset_free(rs);
	lc_config_free(none);
}

/* ---- after solving ------------------------------------------------------------- */

static void add_finding(lc_result *r, const char *rule, lc_severity sev, const char *file)
{
	lc_finding f = {0};
	f.rule = rule;
	f.severity = sev;
	f.loc.file = file;
	f.loc.line = 1;
	lc_vec_push(&r->findings, f);
}

Test(config, apply_rules_and_exclude)
{
	lc_config *c = parse_ok("{\"rules\": {\"blocking/lock\": \"off\", \"blocking/*\": \"error\"},"
				" \"exclude\": [\"third_party/**\", \"gen/*.c\", \"vendor\"]}");
	lc_result *r = lc_result_new();
	add_finding(r, "blocking/lock", LC_SEV_WARNING, "/src/proj/a.c");
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, "/src/proj/a.c");
	add_finding(r, "cpu/hotspot", LC_SEV_NOTE, "/src/proj/a.c");
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, "/src/proj/third_party/z/lib.c");
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, "/src/proj/gen/out.c");
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, "/src/proj/gen/sub/out.c");
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, "/src/proj/vendor/x/y.h");
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, "/src/other/third_party/lib.c");
	lc_config_apply(c, r);
	cr_assert_eq(r->findings.len, 4);
	cr_expect_str_eq(r->findings.ptr[0].rule, "blocking/sleep");
	cr_expect_eq(r->findings.ptr[0].severity, LC_SEV_ERROR);
	cr_expect_str_eq(r->findings.ptr[1].rule, "cpu/hotspot");
	cr_expect_eq(r->findings.ptr[1].severity, LC_SEV_NOTE, "untouched rule keeps its severity");
	cr_expect_str_eq(r->findings.ptr[2].loc.file, "/src/proj/gen/sub/out.c",
			 "'*' does not cross '/'");
	cr_expect_str_eq(r->findings.ptr[3].loc.file, "/src/other/third_party/lib.c",
			 "patterns are relative to the config's directory");
	lc_result_free(r);
	lc_config_free(c);
}

Test(config, exclude_patterns)
{
	lc_config *c = parse_ok("{\"exclude\": [\"**/*.pb.c\", \"build/\", \"a?c/x.c\", "
				"\"deep/**/leaf.c\"]}");
	cr_expect(lc_config_excluded(c, "/src/proj/x.pb.c"));
	cr_expect(lc_config_excluded(c, "/src/proj/p/q/x.pb.c"));
	cr_expect(lc_config_excluded(c, "/src/proj/build/gen/x.c"));
	cr_expect(lc_config_excluded(c, "/src/proj/abc/x.c"));
	cr_expect(!lc_config_excluded(c, "/src/proj/a/c/x.c"), "'?' does not match '/'");
	cr_expect(lc_config_excluded(c, "/src/proj/deep/leaf.c"), "'**/' matches no directory");
	cr_expect(lc_config_excluded(c, "/src/proj/deep/a/b/leaf.c"));
	cr_expect(!lc_config_excluded(c, "/src/proj/builder/x.c"));
	cr_expect(!lc_config_excluded(c, "/src/proj/../proj2/build/x.c"));
	cr_expect(lc_config_excluded(c, "/src/proj/src/../build/x.c"), "paths are normalized");
	lc_config_free(c);
}

/* ---- the changed-files filter (filter.h) --------------------------------------- */

Test(filter, located_in_or_chain_through)
{
	char *tmp = make_tmpdir();
	free(write_file(tmp, "a.c", ""));
	free(write_file(tmp, "b.c", ""));
	free(write_file(tmp, "c.c", ""));
	mkdirs(tmp, "lib/sub");
	free(write_file(tmp, "lib/sub/x.h", ""));
	char *a = lc_xasprintf("%s/a.c", tmp), *b = lc_xasprintf("%s/b.c", tmp);
	char *x = lc_xasprintf("%s/lib/sub/x.h", tmp);

	lc_result *r = lc_result_new();
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, a);
	lc_step chain[2] = {{.loc = {b, 3, 1}}, {.loc = {a, 1, 1}}};
	r->findings.ptr[0].chain = chain;
	r->findings.ptr[0].nchain = 2;
	add_finding(r, "blocking/sleep", LC_SEV_WARNING, x);

	char *err = NULL;
	char *given_b[] = {"b.c"};
	lc_filter *f = lc_filter_new(given_b, 1, tmp, &err);
	cr_assert_not_null(f, "%s", err);
	cr_expect(lc_filter_keeps(f, &r->findings.ptr[0]), "the chain passes through b.c");
	cr_expect(!lc_filter_keeps(f, &r->findings.ptr[1]));
	lc_filter_free(f);

	char *given_c[] = {"./c.c"};
	f = lc_filter_new(given_c, 1, tmp, &err);
	cr_assert_not_null(f, "%s", err);
	cr_expect(!lc_filter_keeps(f, &r->findings.ptr[0]));
	lc_filter_free(f);

	char *given_dir[] = {"lib", "c.c"};
	f = lc_filter_new(given_dir, 2, tmp, &err);
	cr_assert_not_null(f, "%s", err);
	cr_expect(lc_filter_keeps(f, &r->findings.ptr[1]), "a directory stands for what is below it");
	lc_filter_apply(f, r);
	cr_expect_eq(r->findings.len, 1);
	lc_filter_free(f);

	char *given_bad[] = {"a.c", "nope.c"};
	f = lc_filter_new(given_bad, 2, tmp, &err);
	cr_expect_null(f);
	cr_expect_str_eq(err, "nope.c: No such file or directory");
	free(err);

	lc_result_free(r);
	free(a);
	free(b);
	free(x);
	rm_rf(tmp);
	free(tmp);
}

Test(config, project_entries_come_before_built_in_ones)
{
	lc_config *c = parse_ok("{\"blocking\": [{\"function\": \"sleep\", \"rule\": \"blocking/sleep\","
				" \"reason\": \"ours\", \"severity\": \"note\"}]}");
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_assert_eq(lc_config_load_rules(c, rs, &err), 0, "%s", err);
	size_t from = 0;
	const lc_blocking *b = lc_ruleset_blocking(rs, "sleep", &from);
	cr_assert_not_null(b);
	cr_expect_str_eq(b->reason, "ours");
	cr_expect_eq(b->severity, LC_SEV_NOTE);
	cr_expect_not_null(lc_ruleset_blocking(rs, "sleep", &from), "the built-in entry follows");
	lc_ruleset_free(rs);
	lc_config_free(c);
}
