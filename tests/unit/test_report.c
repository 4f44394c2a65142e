/* test_report.c - the text, JSON and SARIF writers and path printing.
 *
 * Each test builds an lc_result by hand (strings in its arena) over a fresh
 * mkdtemp source root holding the files whose lines the SARIF writer reads
 * for column conversion. The ruleset is lc_ruleset_new() with two rules
 * pushed directly, so nothing here depends on the rules/ data.
 */
#define _GNU_SOURCE
#include "report.h"
#include "report_impl.h"
#include "result.h"
#include "rules.h"
#include "util.h"

#include <cJSON.h>
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static char *at(const char *rel)
{
	return lc_xasprintf("%s/%s", root, rel);
}

static void write_file(const char *rel, const char *text)
{
	char *p = at(rel);
	FILE *f = fopen(p, "wb");
	cr_assert_not_null(f, "cannot create %s", p);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void mkdir_at(const char *rel)
{
	char *p = at(rel);
	cr_assert_eq(mkdir(p, 0700), 0, "mkdir %s", p);
	free(p);
}

/* Line 3 has, before fopen: a tab (1 byte, 1 UTF-16 unit), a comment
 * opener and a space (3, 3), U+00E9 (2 bytes, 1 unit), a space (1, 1),
 * U+1F600 (4 bytes, 2 units), space, comment closer, space (4, 4) and
 * "FILE *f = " (10, 10): fopen is at byte column 26, UTF-16 column 23; its
 * exclusive end, byte column 31, is UTF-16 28. */
static const char server_c[] =
	"#include <stdio.h>\n"
	"static void load_config(void) {\n"
	"\t/* \xc3\xa9 \xf0\x9f\x98\x80 */ FILE *f = fopen(\"c\", \"r\");\n"
	"}\n"
	"static void on_tick(uv_timer_t *t) {\n"
	"\tload_config();\n"
	"}\n";

static void setup(void)
{
	strcpy(root, "/tmp/lc-report-XXXXXX");
	cr_assert_not_null(mkdtemp(root), "mkdtemp failed");
	mkdir_at("src");
	mkdir_at("src/my dir");
	write_file("src/server.c", server_c);
	write_file("src/my dir/util.c", "void nap(void)\n{\n\tsleep(1);\n}\n");
	/* src/main.c and src/broken.c deliberately do not exist: their
	 * columns must stay in bytes. */
}

static void teardown(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(report, .init = setup, .fini = teardown);

/* --- building results ------------------------------------------------------ */

static const char *S(lc_result *r, const char *s)
{
	return lc_arena_strdup(r->arena, s);
}

static lc_loc L(lc_result *r, const char *rel, unsigned line, unsigned col)
{
	char *p = at(rel);
	lc_loc loc = {S(r, p), line, col};
	free(p);
	return loc;
}

static lc_ruleset *make_rules(void)
{
	lc_ruleset *rs = lc_ruleset_new();
	const char **tags1 = lc_arena_alloc(rs->arena, 3 * sizeof(char *));
	const char **tags2 = lc_arena_alloc(rs->arena, 2 * sizeof(char *));
	tags1[0] = "reliability";
	tags1[1] = "performance";
	tags1[2] = "reliability"; /* duplicate: SARIF tags must be unique */
	tags2[0] = "reliability";
	tags2[1] = "libuv";
	lc_rule_info sleep_rule = {
		.id = "blocking/sleep", .name = "BlockingSleep",
		.short_desc = "Sleep on the event loop thread",
		.full_desc = "Sleeping stops the event loop from serving anything else.",
		.category = "sleep", .severity = LC_SEV_WARNING, .precision = "very-high",
		.tags = tags2, .ntags = 2, .help_markdown = NULL};
	lc_rule_info file_rule = {
		.id = "blocking/file-io", .name = "BlockingFileIO",
		.short_desc = "Blocking file I/O on the event loop thread",
		.full_desc = "Blocking file I/O stalls every other callback of the loop.",
		.category = "file I/O", .severity = LC_SEV_WARNING, .precision = "high",
		.tags = tags1, .ntags = 3,
		.help_markdown = "# blocking/file-io\n\nUse `uv_fs_open` with a callback.\n"};
	/* Order matters: ruleIndex must point at the second entry for file-io. */
	lc_vec_push(&rs->rules, sleep_rule);
	lc_vec_push(&rs->rules, file_rule);
	return rs;
}

/* Two findings (sorted by file: "src/my dir/util.c" < "src/server.c"), one
 * with a four-step chain; a partial TU and a notice. */
static lc_result *make_result(void)
{
	lc_result *r = lc_result_new();
	lc_step *c1 = lc_arena_alloc(r->arena, 2 * sizeof(lc_step));
	lc_step *c2 = lc_arena_alloc(r->arena, 4 * sizeof(lc_step));
	lc_finding f1 = {0}, f2 = {0};
	lc_error e1 = {0}, e2 = {0};

	c1[0] = (lc_step){LC_STEP_CALLBACK, L(r, "src/my dir/util.c", 1, 6), S(r, "nap"),
			  NULL, S(r, "nap runs on the libuv loop thread")};
	c1[1] = (lc_step){LC_STEP_BLOCKING, L(r, "src/my dir/util.c", 3, 2), S(r, "nap"),
			  S(r, "sleep"), S(r, "nap calls sleep")};
	f1.rule = S(r, "blocking/sleep");
	f1.severity = LC_SEV_WARNING;
	f1.message = S(r, "Blocking sleep sleep() runs on the libuv loop thread, "
			  "reached from idle callback nap.");
	f1.summary = S(r, "blocking sleep 'sleep' on the libuv loop thread");
	f1.category = S(r, "sleep");
	f1.loc = L(r, "src/my dir/util.c", 3, 2);
	f1.end_column = 7;
	f1.function = S(r, "nap");
	f1.callee = S(r, "sleep");
	f1.entry = (lc_entry_info){S(r, "nap"), S(r, "uv_idle_start"), NULL,
				   S(r, "idle callback"), S(r, "libuv"), S(r, "libuv"),
				   LC_CTX_LOOP, {0}, L(r, "src/my dir/util.c", 1, 6)};
	f1.chain = c1;
	f1.nchain = 2;
	f1.entries_reaching = 1;
	f1.fingerprint = S(r, "00112233445566ff");

	c2[0] = (lc_step){LC_STEP_REGISTRATION, L(r, "src/main.c", 10, 3), S(r, "main"),
			  S(r, "uv_timer_start"),
			  S(r, "on_tick registered with uv_timer_start as timer callback")};
	c2[1] = (lc_step){LC_STEP_CALLBACK, L(r, "src/server.c", 5, 13), S(r, "on_tick"),
			  NULL, S(r, "on_tick runs on the libuv loop thread")};
	c2[2] = (lc_step){LC_STEP_CALL, L(r, "src/server.c", 6, 2), S(r, "on_tick"),
			  S(r, "load_config"), S(r, "on_tick calls load_config")};
	c2[3] = (lc_step){LC_STEP_BLOCKING, L(r, "src/server.c", 3, 26), S(r, "load_config"),
			  S(r, "fopen"), S(r, "load_config calls fopen")};
	f2.rule = S(r, "blocking/file-io");
	f2.severity = LC_SEV_WARNING;
	f2.message = S(r, "Blocking file I/O fopen() runs on the libuv loop thread, "
			  "reached from timer callback on_tick.");
	f2.summary = S(r, "blocking file I/O 'fopen' on the libuv loop thread");
	f2.category = S(r, "file I/O");
	f2.reason = S(r, "fopen waits for the disk");
	f2.alternative = S(r, "uv_fs_open with a callback");
	f2.loc = L(r, "src/server.c", 3, 26);
	f2.end_column = 31;
	f2.function = S(r, "load_config");
	f2.callee = S(r, "fopen");
	f2.entry = (lc_entry_info){S(r, "on_tick"), S(r, "uv_timer_start"), NULL,
				   S(r, "timer callback"), S(r, "libuv"), S(r, "libuv"),
				   LC_CTX_LOOP, L(r, "src/main.c", 10, 3),
				   L(r, "src/server.c", 5, 13)};
	f2.chain = c2;
	f2.nchain = 4;
	f2.entries_reaching = 2;
	f2.fingerprint = S(r, "a1b2c3d4e5f60718");
	lc_vec_push(&r->findings, f1);
	lc_vec_push(&r->findings, f2);

	e1.kind = LC_ERR_PARTIAL;
	e1.loc = L(r, "src/broken.c", 4, 1);
	e1.file = e1.loc.file;
	e1.message = S(r, "expected ';' after expression");
	e2.kind = LC_ERR_NOTICE;
	e2.message = S(r, "removed unsupported flag '-fplugin=foo'");
	lc_vec_push(&r->errors, e1);
	lc_vec_push(&r->errors, e2);

	r->stats = (lc_stats){.tus = 3, .tus_partial = 1, .functions = 12,
			      .call_edges = 20, .entries_loop = 2, .entries_worker = 1,
			      .seconds_parse = 0.25, .seconds_link = 0.0125,
			      .seconds_solve = 0.001, .seconds_total = 0.3};
	return r;
}

static lc_report_opts opts_for(lc_format fmt)
{
	return (lc_report_opts){.format = fmt, .srcroot = root};
}

static cJSON *parse(const char *text)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
	cr_assert_not_null(j, "invalid JSON near offset %td",
			   end ? end - text : (ptrdiff_t)-1);
	return j;
}

/* Walk "a.0.b": object keys (case-sensitive) and array indexes. */
static cJSON *jp(const cJSON *j, const char *path)
{
	char *copy = lc_xstrdup(path), *save = NULL;
	const cJSON *cur = j;
	for (char *tok = strtok_r(copy, ".", &save); tok && cur;
	     tok = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(cur) && tok[0] >= '0' && tok[0] <= '9')
			cur = cJSON_GetArrayItem(cur, atoi(tok));
		else
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
	}
	free(copy);
	cr_assert_not_null(cur, "no %s in the document", path);
	return (cJSON *)cur;
}

static const char *js(const cJSON *j, const char *path)
{
	cJSON *v = jp(j, path);
	cr_assert(cJSON_IsString(v), "%s is not a string", path);
	return v->valuestring;
}

static double jn(const cJSON *j, const char *path)
{
	cJSON *v = jp(j, path);
	cr_assert(cJSON_IsNumber(v), "%s is not a number", path);
	return v->valuedouble;
}

static bool has(const cJSON *j, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(j, key) != NULL;
}

/* --- text ------------------------------------------------------------------ */

Test(report, text_exact_lines)
{
	lc_result *r = make_result();
	lc_ruleset *rs = make_rules();
	lc_report_opts o = opts_for(LC_FORMAT_TEXT);
	char *out = lc_report_render(r, rs, &o);
	const char *want =
		"src/broken.c:4:1: error: expected ';' after expression\n"
		"loopcheck: note: removed unsupported flag '-fplugin=foo'\n"
		"src/my dir/util.c:3:2: warning: blocking sleep 'sleep' on the libuv loop "
		"thread [blocking/sleep]\n"
		"src/my dir/util.c:1:6: note: nap runs on the libuv loop thread\n"
		"src/server.c:3:26: warning: blocking file I/O 'fopen' on the libuv loop "
		"thread [blocking/file-io]\n"
		"src/main.c:10:3: note: on_tick registered with uv_timer_start as timer "
		"callback\n"
		"src/server.c:5:13: note: on_tick runs on the libuv loop thread\n"
		"src/server.c:6:2: note: on_tick calls load_config\n"
		"2 findings in 2 files; 3 TUs analysed, 1 partial\n";
	cr_assert_str_eq(out, want);
	cr_assert_null(strchr(out, '\033'), "colour without opts->color");
	free(out);
	lc_ruleset_free(rs);
	lc_result_free(r);
}

Test(report, text_colour_only_when_asked)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_TEXT);
	o.color = true;
	char *out = lc_report_render(r, NULL, &o);
	cr_assert_not_null(strstr(out, "\033[1;35mwarning:\033[0m"));
	cr_assert_not_null(strstr(out, "\033[1;36mnote:\033[0m"));
	cr_assert_not_null(strstr(out, "\033[1;31merror:\033[0m"));
	cr_assert_not_null(strstr(out, "\033[1msrc/server.c:3:26:\033[0m"));
	free(out);
	lc_result_free(r);
}

Test(report, text_summary_quiet_and_suppressed)
{
	lc_result *r = lc_result_new();
	lc_report_opts o = opts_for(LC_FORMAT_TEXT);
	char *out;

	r->stats.tus = 1;
	out = lc_report_render(r, NULL, &o);
	cr_assert_str_eq(out, "no findings; 1 TU analysed\n");
	free(out);
	o.quiet = true;
	out = lc_report_render(r, NULL, &o);
	cr_assert_str_eq(out, "");
	free(out);
	lc_result_free(r);

	/* Quiet still prints the summary when there is something to say;
	 * suppressed findings are hidden but counted. */
	r = make_result();
	r->findings.ptr[1].suppressed = true;
	out = lc_report_render(r, NULL, &o);
	cr_assert_null(strstr(out, "fopen"));
	cr_assert_not_null(strstr(out,
		"\n1 finding in 1 file (1 suppressed); 3 TUs analysed, 1 partial\n"));
	free(out);
	lc_result_free(r);
}

/* --- JSON ------------------------------------------------------------------ */

Test(report, json_fields)
{
	lc_result *r = make_result();
	lc_ruleset *rs = make_rules();
	lc_report_opts o = opts_for(LC_FORMAT_JSON);
	char *out = lc_report_render(r, rs, &o);
	cJSON *j = parse(out);

	cr_assert_str_eq(js(j, "version"), LC_JSON_FORMAT_VERSION);
	cr_assert_str_eq(js(j, "tool.name"), "loopcheck");
	cr_assert_str_eq(js(j, "tool.version"), LC_VERSION);
	cr_assert_eq(cJSON_GetArraySize(jp(j, "findings")), 2);

	cJSON *f = jp(j, "findings.1");
	cr_assert_str_eq(js(f, "rule"), "blocking/file-io");
	cr_assert_str_eq(js(f, "severity"), "warning");
	cr_assert_str_eq(js(f, "category"), "file I/O");
	cr_assert_str_eq(js(f, "reason"), "fopen waits for the disk");
	cr_assert_str_eq(js(f, "location.file"), "src/server.c");
	cr_assert_eq(jn(f, "location.line"), 3);
	cr_assert_eq(jn(f, "location.column"), 26); /* bytes, as libclang */
	cr_assert_eq(jn(f, "location.end_column"), 31);
	cr_assert_str_eq(js(f, "function"), "load_config");
	cr_assert_str_eq(js(f, "callee"), "fopen");
	cr_assert_str_eq(js(f, "entry.callback"), "on_tick");
	cr_assert_str_eq(js(f, "entry.registrar"), "uv_timer_start");
	cr_assert(cJSON_IsNull(jp(f, "entry.via")));
	cr_assert_str_eq(js(f, "entry.context"), "loop");
	cr_assert_str_eq(js(f, "entry.registration.file"), "src/main.c");
	cr_assert_eq(jn(f, "entry.registration.line"), 10);
	cr_assert_str_eq(js(f, "entry.definition.file"), "src/server.c");
	cr_assert_eq(cJSON_GetArraySize(jp(f, "chain")), 4);
	cr_assert_str_eq(js(f, "chain.0.kind"), "registration");
	cr_assert_str_eq(js(f, "chain.1.kind"), "callback");
	cr_assert(cJSON_IsNull(jp(f, "chain.1.callee")));
	cr_assert_str_eq(js(f, "chain.2.kind"), "call");
	cr_assert_str_eq(js(f, "chain.3.kind"), "blocking");
	cr_assert_str_eq(js(f, "chain.3.location.file"), "src/server.c");
	cr_assert_eq(jn(f, "entries_reaching"), 2);
	cr_assert_str_eq(js(f, "fingerprint"), "a1b2c3d4e5f60718");
	cr_assert(cJSON_IsFalse(jp(f, "suppressed")));
	cr_assert(cJSON_IsNull(jp(f, "suppression_reason")));
	/* The first finding has no registration location: null, not absent. */
	cr_assert(cJSON_IsNull(jp(j, "findings.0.entry.registration")));
	cr_assert_str_eq(js(j, "findings.0.location.file"), "src/my dir/util.c");

	cr_assert_eq(cJSON_GetArraySize(jp(j, "errors")), 2);
	cr_assert_str_eq(js(j, "errors.0.kind"), "partial");
	cr_assert_str_eq(js(j, "errors.0.file"), "src/broken.c");
	cr_assert_eq(jn(j, "errors.0.line"), 4);
	cr_assert_str_eq(js(j, "errors.1.kind"), "notice");
	cr_assert(cJSON_IsNull(jp(j, "errors.1.file")));
	cr_assert(cJSON_IsNull(jp(j, "errors.1.line")));

	cr_assert_eq(jn(j, "statistics.tus"), 3);
	cr_assert_eq(jn(j, "statistics.tus_partial"), 1);
	cr_assert_eq(jn(j, "statistics.tus_failed"), 0);
	cr_assert_eq(jn(j, "statistics.functions"), 12);
	cr_assert_eq(jn(j, "statistics.call_edges"), 20);
	cr_assert_eq(jn(j, "statistics.entries_loop"), 2);
	cr_assert_eq(jn(j, "statistics.entries_worker"), 1);
	cr_assert_float_eq(jn(j, "statistics.seconds_link"), 0.013, 1e-9);
	cr_assert_float_eq(jn(j, "statistics.seconds_total"), 0.3, 1e-9);
	/* 2-space indentation, no tabs. */
	{
		char *head = lc_xasprintf("{\n  \"version\": \"%s\",\n  \"tool\": {\n    \"name\"",
					  LC_JSON_FORMAT_VERSION);
		cr_assert(strncmp(out, head, strlen(head)) == 0, "unexpected layout: %.60s", out);
		free(head);
	}
	cr_assert_null(strchr(out, '\t'));
	cJSON_Delete(j);
	free(out);
	lc_ruleset_free(rs);
	lc_result_free(r);
}

Test(report, json_golden_options_and_determinism)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_JSON);
	o.no_version = true;
	o.no_timing = true;
	char *a = lc_report_render(r, NULL, &o);
	char *b = lc_report_render(r, NULL, &o);
	cJSON *j = parse(a);

	cr_assert_str_eq(a, b);
	cr_assert_not(has(jp(j, "tool"), "version"));
	cr_assert_not(has(jp(j, "statistics"), "seconds_total"));
	cr_assert(has(jp(j, "statistics"), "tus"));
	cr_assert_null(strstr(a, root), "absolute path leaked");
	cJSON_Delete(j);
	free(a);
	free(b);
	lc_result_free(r);
}

Test(report, json_printer_layout)
{
	cJSON *o = cJSON_CreateObject();
	lc_sb sb;
	cJSON_AddItemToObject(o, "e", cJSON_CreateArray());
	cJSON_AddItemToObject(o, "o", cJSON_CreateObject());
	cJSON_AddNumberToObject(o, "n", 1.5);
	cJSON_AddNumberToObject(o, "i", 9000000000.0);
	cJSON_AddStringToObject(o, "s", "a\"b\\c\n\x01\xc3\xa9");
	cJSON *a = cJSON_AddArrayToObject(o, "a");
	cJSON_AddItemToArray(a, cJSON_CreateTrue());
	cJSON_AddItemToArray(a, cJSON_CreateNull());
	lc_sb_init(&sb);
	lc_json_print(&sb, o);
	cr_assert_str_eq(sb.buf,
		"{\n"
		"  \"e\": [],\n"
		"  \"o\": {},\n"
		"  \"n\": 1.5,\n"
		"  \"i\": 9000000000,\n"
		"  \"s\": \"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\n"
		"  \"a\": [\n"
		"    true,\n"
		"    null\n"
		"  ]\n"
		"}\n");
	lc_sb_release(&sb);
	cJSON_Delete(o);
}

/* --- SARIF ----------------------------------------------------------------- */

Test(report, sarif_structure)
{
	lc_result *r = make_result();
	lc_ruleset *rs = make_rules();
	lc_report_opts o = opts_for(LC_FORMAT_SARIF);
	o.automation_id = "loopcheck/nightly/";
	char *out = lc_report_render(r, rs, &o);
	cJSON *j = parse(out);
	cJSON *run = jp(j, "runs.0");

	cr_assert_str_eq(js(j, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
	cr_assert_str_eq(js(j, "version"), "2.1.0");
	cr_assert_str_eq(js(run, "columnKind"), "utf16CodeUnits");
	cr_assert_str_eq(js(run, "automationDetails.id"), "loopcheck/nightly/");
	cr_assert_not(has(run, "originalUriBaseIds"), "srcroot leaked without --absolute-paths");
	cr_assert_null(strstr(out, root), "absolute path leaked");

	/* Driver and rules. */
	cr_assert_str_eq(js(run, "tool.driver.name"), "loopcheck");
	cr_assert_str_eq(js(run, "tool.driver.version"), LC_VERSION);
	cr_assert_str_eq(js(run, "tool.driver.semanticVersion"), LC_VERSION);
	cr_assert_str_eq(js(run, "tool.driver.informationUri"), LC_INFORMATION_URI);
	cr_assert_eq(cJSON_GetArraySize(jp(run, "tool.driver.rules")), 2);
	cJSON *rule = jp(run, "tool.driver.rules.1");
	cr_assert_str_eq(js(rule, "id"), "blocking/file-io");
	cr_assert_str_eq(js(rule, "name"), "BlockingFileIO");
	cr_assert_str_eq(js(rule, "shortDescription.text"),
			 "Blocking file I/O on the event loop thread");
	cr_assert_str_eq(js(rule, "help.markdown"), rs->rules.ptr[1].help_markdown);
	cr_assert_str_eq(js(rule, "help.text"), rs->rules.ptr[1].help_markdown);
	cr_assert_str_eq(js(rule, "helpUri"),
			 LC_INFORMATION_URI "/blob/main/docs/rules/blocking-file-io.md");
	cr_assert_str_eq(js(rule, "defaultConfiguration.level"), "warning");
	cr_assert_str_eq(js(rule, "properties.precision"), "high");
	cr_assert_eq(cJSON_GetArraySize(jp(rule, "properties.tags")), 2, "tags deduplicated");
	cr_assert_str_eq(js(rule, "properties.tags.1"), "performance");
	/* Without markdown the help text falls back to the full description. */
	cr_assert_str_eq(js(run, "tool.driver.rules.0.help.text"),
			 "Sleeping stops the event loop from serving anything else.");
	cr_assert_not(has(jp(run, "tool.driver.rules.0.help"), "markdown"));

	/* Results: ruleIndex points at the rule with that id. */
	cJSON *results = jp(run, "results");
	cr_assert_eq(cJSON_GetArraySize(results), 2);
	for (int i = 0; i < 2; i++) {
		cJSON *res = cJSON_GetArrayItem(results, i);
		int idx = (int)jn(res, "ruleIndex");
		cr_assert_str_eq(js(res, "ruleId"), rs->rules.ptr[idx].id);
	}
	cJSON *res = jp(results, "1");
	cr_assert_str_eq(js(res, "ruleId"), "blocking/file-io");
	cr_assert_eq(jn(res, "ruleIndex"), 1);
	cr_assert_str_eq(js(res, "level"), "warning");
	cr_assert_str_eq(js(res, "message.text"),
		"Blocking file I/O fopen() runs on the libuv loop thread, reached from "
		"timer callback on_tick. Registered [here](1); callback [on_tick](2).");
	cr_assert_str_eq(js(res, "locations.0.physicalLocation.artifactLocation.uri"),
			 "src/server.c");
	cr_assert_str_eq(js(res, "locations.0.physicalLocation.artifactLocation.uriBaseId"),
			 "%SRCROOT%");
	cr_assert_eq(jn(res, "locations.0.physicalLocation.region.startLine"), 3);
	cr_assert_str_eq(js(res, "locations.0.logicalLocations.0.name"), "load_config");

	cr_assert_eq(cJSON_GetArraySize(jp(res, "relatedLocations")), 2);
	cr_assert_eq(jn(res, "relatedLocations.0.id"), 1);
	cr_assert_str_eq(js(res, "relatedLocations.0.physicalLocation.artifactLocation.uri"),
			 "src/main.c");
	cr_assert_eq(jn(res, "relatedLocations.1.id"), 2);
	cr_assert_eq(jn(res, "relatedLocations.1.physicalLocation.region.startLine"), 5);

	cr_assert_eq(cJSON_GetArraySize(jp(res, "codeFlows")), 1);
	cJSON *locs = jp(res, "codeFlows.0.threadFlows.0.locations");
	cr_assert_eq(cJSON_GetArraySize(locs), 4);
	const int nesting[] = {0, 1, 1, 2};
	for (int i = 0; i < 4; i++) {
		cJSON *tl = cJSON_GetArrayItem(locs, i);
		cr_assert_eq(jn(tl, "nestingLevel"), nesting[i], "step %d", i);
		cr_assert_eq(jn(tl, "executionOrder"), i + 1);
	}
	cr_assert_str_eq(js(locs, "0.location.message.text"),
			 "on_tick registered with uv_timer_start as timer callback");
	cr_assert_str_eq(js(locs, "3.location.message.text"), "load_config calls fopen");

	cJSON *fp = jp(res, "partialFingerprints");
	cr_assert_str_eq(js(fp, "loopcheck/v1"), "a1b2c3d4e5f60718");
	cr_assert_not(has(res, "suppressions"));

	/* The first finding: percent-encoded uri, only the callback cited. */
	res = jp(results, "0");
	cr_assert_str_eq(js(res, "locations.0.physicalLocation.artifactLocation.uri"),
			 "src/my%20dir/util.c");
	cr_assert_eq(jn(res, "ruleIndex"), 0);
	cr_assert_not_null(strstr(js(res, "message.text"), " Callback [nap](2)."));
	cr_assert_eq(cJSON_GetArraySize(jp(res, "relatedLocations")), 1);

	/* Notifications: the partial TU (with its location) and the notice. */
	cJSON *inv = jp(run, "invocations.0");
	cr_assert(cJSON_IsTrue(jp(inv, "executionSuccessful")));
	cJSON *notes = jp(inv, "toolExecutionNotifications");
	cr_assert_eq(cJSON_GetArraySize(notes), 2);
	cr_assert_str_eq(js(notes, "0.level"), "warning");
	cr_assert_str_eq(js(notes, "0.message.text"), "expected ';' after expression");
	cr_assert_str_eq(js(notes, "0.locations.0.physicalLocation.artifactLocation.uri"),
			 "src/broken.c");
	cr_assert_str_eq(js(notes, "1.level"), "note");
	cr_assert_not(has(jp(notes, "1"), "locations"));

	cJSON_Delete(j);
	free(out);
	lc_ruleset_free(rs);
	lc_result_free(r);
}

Test(report, sarif_columns_are_utf16)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_SARIF);
	char *out = lc_report_render(r, NULL, &o);
	cJSON *j = parse(out);
	cJSON *res = jp(j, "runs.0.results.1");

	/* fopen: byte column 26 -> UTF-16 column 23, end 31 -> 28. */
	cr_assert_eq(jn(res, "locations.0.physicalLocation.region.startColumn"), 23);
	cr_assert_eq(jn(res, "locations.0.physicalLocation.region.endColumn"), 28);
	cr_assert_eq(jn(res, "codeFlows.0.threadFlows.0.locations.3.location."
			     "physicalLocation.region.startColumn"), 23);
	/* ASCII line: unchanged. src/main.c cannot be read: bytes kept. */
	cr_assert_eq(jn(res, "relatedLocations.1.physicalLocation.region.startColumn"), 13);
	cr_assert_eq(jn(res, "relatedLocations.0.physicalLocation.region.startColumn"), 3);
	/* Without a SARIF consumer in the way, JSON keeps byte columns. */
	cJSON_Delete(j);
	free(out);
	lc_result_free(r);
}

Test(report, linecache_conversion)
{
	lc_linecache *c = lc_linecache_new();
	char *server = at("src/server.c");
	char *missing = at("src/main.c");
	char *odd = at("odd.c");

	write_file("odd.c", "a\xff" "b\r\n\xe2\x82\xac" "x\n");
	cr_assert_eq(lc_linecache_utf16_col(c, server, 3, 26), 23);
	cr_assert_eq(lc_linecache_utf16_col(c, server, 3, 1), 1);
	cr_assert_eq(lc_linecache_utf16_col(c, server, 3, 5), 5);   /* before U+00E9 */
	cr_assert_eq(lc_linecache_utf16_col(c, server, 3, 7), 6);   /* after it */
	cr_assert_eq(lc_linecache_utf16_col(c, server, 3, 12), 9);  /* after U+1F600 */
	cr_assert_eq(lc_linecache_utf16_col(c, server, 1, 5), 5);
	cr_assert_eq(lc_linecache_utf16_col(c, server, 99, 7), 7);  /* no such line */
	cr_assert_eq(lc_linecache_utf16_col(c, missing, 3, 26), 26);
	/* Invalid UTF-8 counts one unit per byte; past the end of the line each
	 * byte counts one; CR is an ordinary character. */
	cr_assert_eq(lc_linecache_utf16_col(c, odd, 1, 4), 4);
	cr_assert_eq(lc_linecache_utf16_col(c, odd, 1, 10), 10);
	cr_assert_eq(lc_linecache_utf16_col(c, odd, 2, 4), 2);      /* after U+20AC */
	cr_assert_eq(lc_linecache_utf16_col(c, odd, 2, 5), 3);
	/* Many files: the cache grows. */
	for (int i = 0; i < 40; i++) {
		char *p = lc_xasprintf("%s/none%d.c", root, i);
		cr_assert_eq(lc_linecache_utf16_col(c, p, 1, 9), 9);
		free(p);
	}
	cr_assert_eq(lc_linecache_utf16_col(c, server, 3, 31), 28);
	free(server);
	free(missing);
	free(odd);
	lc_linecache_free(c);
}

Test(report, sarif_escapes_brackets_when_citing)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_SARIF);
	r->findings.ptr[1].message = S(r, "Blocking read of buf[0] in a\\b.");
	char *out = lc_report_render(r, NULL, &o);
	cJSON *j = parse(out);
	cr_assert_str_eq(js(j, "runs.0.results.1.message.text"),
			 "Blocking read of buf\\[0\\] in a\\\\b. Registered [here](1); "
			 "callback [on_tick](2).");
	cJSON_Delete(j);
	free(out);
	lc_result_free(r);
}

Test(report, sarif_suppressed_and_absolute)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_SARIF);
	o.absolute_paths = true;
	r->findings.ptr[0].suppressed = true;
	r->findings.ptr[0].suppression_reason = S(r, "startup only");
	r->findings.ptr[1].entry.registration.file = S(r, "/elsewhere/main.c");
	char *out = lc_report_render(r, NULL, &o);
	cJSON *j = parse(out);
	cJSON *run = jp(j, "runs.0");
	char *want = lc_xasprintf("file://%s/", root);

	cr_assert_str_eq(js(run, "originalUriBaseIds.%SRCROOT%.uri"), want);
	cr_assert_str_eq(js(run, "results.0.suppressions.0.kind"), "inSource");
	cr_assert_str_eq(js(run, "results.0.suppressions.0.justification"), "startup only");
	/* Inside srcroot still relative; outside it absolute, as a file URI. */
	cr_assert_str_eq(js(run, "results.1.locations.0.physicalLocation.artifactLocation.uri"),
			 "src/server.c");
	cJSON *al = jp(run, "results.1.relatedLocations.0.physicalLocation.artifactLocation");
	cr_assert_str_eq(js(al, "uri"), "file:///elsewhere/main.c");
	cr_assert_not(has(al, "uriBaseId"));
	free(want);
	cJSON_Delete(j);
	free(out);
	lc_result_free(r);
}

Test(report, sarif_no_version_and_deterministic)
{
	lc_result *r = make_result();
	lc_ruleset *rs = make_rules();
	lc_report_opts o = opts_for(LC_FORMAT_SARIF);
	o.no_version = true;
	char *a = lc_report_render(r, rs, &o);
	char *b = lc_report_render(r, rs, &o);
	cJSON *j = parse(a);
	cr_assert_str_eq(a, b);
	cr_assert_not(has(jp(j, "runs.0.tool.driver"), "version"));
	cr_assert_not(has(jp(j, "runs.0.tool.driver"), "semanticVersion"));
	cr_assert_not(has(jp(j, "runs.0"), "automationDetails"));
	cJSON_Delete(j);
	free(a);
	free(b);
	lc_ruleset_free(rs);
	lc_result_free(r);
}

Test(report, sarif_caps_results_and_flows)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_SARIF);
	lc_finding base = r->findings.ptr[1];
	lc_step *chain = lc_arena_alloc(r->arena, 1500 * sizeof(lc_step));

	for (size_t i = 0; i < 1500; i++) {
		chain[i] = base.chain[i == 0 ? 0 : i == 1 ? 1 : i == 1499 ? 3 : 2];
	}
	r->findings.ptr[0].chain = chain;
	r->findings.ptr[0].nchain = 1500;
	while (r->findings.len < 5001)
		lc_vec_push(&r->findings, base);
	char *out = lc_report_render(r, NULL, &o);
	cJSON *j = parse(out);
	cJSON *run = jp(j, "runs.0");

	cr_assert_eq(cJSON_GetArraySize(jp(run, "results")), 5000);
	cJSON *locs = jp(run, "results.0.codeFlows.0.threadFlows.0.locations");
	cr_assert_eq(cJSON_GetArraySize(locs), 1000);
	cr_assert_eq(jn(locs, "999.executionOrder"), 1500);
	cr_assert_eq(jn(locs, "999.nestingLevel"), 1498);
	cJSON *notes = jp(run, "invocations.0.toolExecutionNotifications");
	cr_assert_eq(cJSON_GetArraySize(notes), 4);
	cr_assert_str_eq(js(notes, "2.descriptor.id"), "loopcheck/results-truncated");
	cr_assert_not_null(strstr(js(notes, "2.message.text"), "5001 results"));
	cr_assert_str_eq(js(notes, "3.descriptor.id"), "loopcheck/flow-truncated");
	cJSON_Delete(j);
	free(out);
	lc_result_free(r);
}

/* --- paths ----------------------------------------------------------------- */

static void path_is(const char *file, const char *srcroot, bool absolute,
		    const char *want)
{
	lc_report_opts o = {.srcroot = srcroot, .absolute_paths = absolute};
	char *got = lc_report_path(file, &o);
	cr_assert_str_eq(got, want, "%s under %s", file, srcroot);
	free(got);
}

Test(report, path_relativization)
{
	path_is("/work/proj/src/a.c", "/work/proj", false, "src/a.c");
	path_is("/work/proj/src/a.c", "/work/proj/", false, "src/a.c");
	path_is("/work/proj/./src//a.c", "/work/proj", false, "src/a.c");
	path_is("/work/proj/build/../src/a.c", "/work/proj", false, "src/a.c");
	path_is("/work/proj", "/work/proj", false, ".");
	path_is("/a.c", "/", false, "a.c");
	/* A prefix that is not a directory boundary is not "under". */
	path_is("/work/projX/a.c", "/work/proj", false, "../projX/a.c");
	path_is("/work/other/lib/b.c", "/work/proj/sub", false, "../../other/lib/b.c");
	/* Nothing in common: no absolute path unless asked. */
	path_is("/usr/include/stdio.h", "/work/proj", false, "<external>/stdio.h");
	path_is("/usr/include/stdio.h", "/work/proj", true, "/usr/include/stdio.h");
	path_is("/work/other/b.c", "/work/proj", true, "/work/other/b.c");
	path_is("/work/proj/src/a.c", "/work/proj", true, "src/a.c");

	/* Relative paths and a NULL srcroot resolve against the current
	 * directory. */
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	char *abs = lc_xasprintf("%s/x/y.c", cwd);
	path_is(abs, NULL, false, "x/y.c");
	path_is("./x/y.c", cwd, false, "x/y.c");
	free(abs);

	char *p = lc_report_path(NULL, NULL);
	cr_assert_str_eq(p, "<unknown>");
	free(p);
}

Test(report, uri_encoding)
{
	lc_sb sb;
	lc_sb_init(&sb);
	lc_uri_encode_path(&sb, "src/my dir/a#b%c\xc3\xa9.c");
	cr_assert_str_eq(sb.buf, "src/my%20dir/a%23b%25c%C3%A9.c");
	lc_sb_release(&sb);
}

/* With LC_REPORT_DUMP_DIR set, write the sample reports there, so that
 * tests/harness/validate_sarif.py can check them against the schemas:
 *   LC_REPORT_DUMP_DIR=/tmp/d ./test_report --filter 'report/dump*'
 *   tests/harness/validate_sarif.py /tmp/d/sample.sarif --json /tmp/d/sample.json */
Test(report, dump_samples)
{
	const char *dir = getenv("LC_REPORT_DUMP_DIR");
	static const struct { lc_format fmt; const char *name; bool abs; } outs[] = {
		{LC_FORMAT_TEXT, "sample.txt", false},
		{LC_FORMAT_JSON, "sample.json", false},
		{LC_FORMAT_SARIF, "sample.sarif", false},
		{LC_FORMAT_SARIF, "sample-absolute.sarif", true},
	};
	if (!dir)
		return;
	mkdir(dir, 0777); /* may exist already */
	lc_result *r = make_result();
	lc_ruleset *rs = make_rules();
	r->findings.ptr[0].suppressed = true;
	r->findings.ptr[0].suppression_reason = S(r, "startup only");
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		lc_report_opts o = opts_for(outs[i].fmt);
		o.absolute_paths = outs[i].abs;
		o.automation_id = "loopcheck/unit/";
		char *out = lc_report_render(r, rs, &o);
		char *path = lc_xasprintf("%s/%s", dir, outs[i].name);
		cr_assert_eq(lc_write_file_atomic(path, out, strlen(out)), 0, "%s", path);
		free(path);
		free(out);
	}
	lc_ruleset_free(rs);
	lc_result_free(r);
}

/* --- DOT ------------------------------------------------------------------- */

static const char dot_want[] =
	"// loopcheck --format dot: entries, the paths to findings, the findings.\n"
	"// Render with: dot -Tsvg FILE.dot -o FILE.svg\n"
	"// 3 TUs analysed, 1 partial\n"
	"digraph loopcheck {\n"
	"  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, "
	"label=\"loopcheck: 2 findings\"];\n"
	"  node [fontname=\"Helvetica\", fontsize=11];\n"
	"  edge [fontname=\"Helvetica\", fontsize=9];\n"
	"\n"
	"  // registration sites\n"
	"  \"reg:src/main.c:10:3:uv_timer_start\" [shape=box, label=\"uv_timer_start()\"];\n"
	"\n"
	"  // callbacks and functions\n"
	"  \"fn:nap\" [shape=ellipse, style=filled, fillcolor=lightblue, tooltip=\"runs on the "
	"loop thread\", label=\"nap\\nidle callback\"];\n"
	"  \"fn:on_tick\" [shape=ellipse, style=filled, fillcolor=lightblue, tooltip=\"runs on "
	"the loop thread\", label=\"on_tick\\ntimer callback\"];\n"
	"  \"fn:load_config\" [shape=ellipse, label=\"load_config\"];\n"
	"  \"fn:main\" [shape=ellipse, label=\"main\"];\n"
	"\n"
	"  // findings\n"
	"  \"find:src/my dir/util.c:3:2:blocking/sleep:sleep\" [shape=octagon, style=filled, "
	"color=red, fillcolor=mistyrose, fontcolor=red3, tooltip=\"blocking sleep 'sleep' on the "
	"libuv loop thread\", label=\"sleep()\\n[blocking/sleep]\"];\n"
	"  \"find:src/server.c:3:26:blocking/file-io:fopen\" [shape=octagon, style=filled, "
	"color=red, fillcolor=mistyrose, fontcolor=red3, tooltip=\"blocking file I/O 'fopen' on "
	"the libuv loop thread\", label=\"fopen()\\n[blocking/file-io]\"];\n"
	"\n"
	"  // calls and registrations\n"
	"  \"fn:load_config\" -> \"find:src/server.c:3:26:blocking/file-io:fopen\" "
	"[label=\"src/server.c:3\"];\n"
	"  \"fn:main\" -> \"reg:src/main.c:10:3:uv_timer_start\" [label=\"src/main.c:10\"];\n"
	"  \"fn:nap\" -> \"find:src/my dir/util.c:3:2:blocking/sleep:sleep\" "
	"[label=\"src/my dir/util.c:3\"];\n"
	"  \"fn:on_tick\" -> \"fn:load_config\" [label=\"src/server.c:6\"];\n"
	"  \"reg:src/main.c:10:3:uv_timer_start\" -> \"fn:on_tick\" [style=dashed];\n"
	"}\n";

Test(report, dot_exact_graph)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_DOT);
	char *out = lc_report_render(r, NULL, &o);
	cr_assert_str_eq(out, dot_want);
	free(out);
	lc_result_free(r);
}

/* The graph depends on the set of findings, not their order; a path shared
 * by two findings is drawn once. */
Test(report, dot_deterministic_and_deduplicated)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_DOT);
	lc_finding tmp = r->findings.ptr[0];
	char *out;

	r->findings.ptr[0] = r->findings.ptr[1];
	r->findings.ptr[1] = tmp;
	lc_vec_push(&r->findings, r->findings.ptr[0]); /* the fopen finding twice */
	out = lc_report_render(r, NULL, &o);
	/* Only the title counts three findings; nodes and edges are the same. */
	cr_assert_not_null(strstr(out, "label=\"loopcheck: 3 findings\""));
	{
		char *a = strstr(out, "\n  node ["), *b = strstr(dot_want, "\n  node [");
		cr_assert_str_eq(a, b);
	}
	free(out);
	lc_result_free(r);
}

/* Findings that disagree about a callback (its kind, its context): the
 * smallest wins whatever their order. */
Test(report, dot_order_independent_when_findings_disagree)
{
	lc_report_opts o = opts_for(LC_FORMAT_DOT);
	char *out[2];

	for (int k = 0; k < 2; k++) {
		lc_result *r = make_result();
		lc_finding g = r->findings.ptr[1];
		g.entry.kind = S(r, "check callback");
		g.entry.context = LC_CTX_WORKER;
		if (k == 0) {
			lc_vec_push(&r->findings, g);
		} else {
			lc_vec_push(&r->findings, r->findings.ptr[1]);
			r->findings.ptr[1] = g;
		}
		out[k] = lc_report_render(r, NULL, &o);
		lc_result_free(r);
	}
	cr_assert_str_eq(out[0], out[1]);
	cr_assert_not_null(strstr(out[0], "\"fn:on_tick\" [shape=ellipse, style=filled, "
					  "fillcolor=lightblue, tooltip=\"runs on the loop thread\", "
					  "label=\"on_tick\\ncheck callback\"];\n"), "%s", out[0]);
	free(out[0]);
	free(out[1]);
}

/* Suppressed findings and those in the baseline are drawn dashed and grey
 * and counted apart; a node shared with a reported finding stays red. */
Test(report, dot_suppressed_and_baseline)
{
	lc_result *r = make_result();
	lc_report_opts o = opts_for(LC_FORMAT_DOT);
	char *out;

	r->findings.ptr[0].suppressed = true;
	r->findings.ptr[1].baseline_state = LC_BASELINE_UNCHANGED;
	out = lc_report_render(r, NULL, &o);
	cr_assert_not_null(strstr(out, "label=\"loopcheck: no findings (2 suppressed or in the "
				       "baseline)\""));
	cr_assert_not_null(strstr(out, "\"find:src/my dir/util.c:3:2:blocking/sleep:sleep\" "
				       "[shape=octagon, style=dashed, color=grey50"));
	cr_assert_not_null(strstr(out, "\"find:src/server.c:3:26:blocking/file-io:fopen\" "
				       "[shape=octagon, style=dashed, color=grey50"));
	free(out);

	lc_vec_push(&r->findings, r->findings.ptr[1]);
	r->findings.ptr[2].baseline_state = LC_BASELINE_NEW;
	out = lc_report_render(r, NULL, &o);
	cr_assert_not_null(strstr(out, "\"find:src/server.c:3:26:blocking/file-io:fopen\" "
				       "[shape=octagon, style=filled, color=red"));
	free(out);
	lc_result_free(r);
}

/* Quotes and backslashes in names and paths are escaped; a struct-field
 * registrar keeps its name without "()"; nesting chains (registration after
 * registration) mark every registered function as a callback; contexts
 * colour callbacks; a finding without a callee is labelled by category. */
Test(report, dot_quoting_fields_nesting_and_contexts)
{
	lc_result *r = lc_result_new();
	lc_report_opts o = opts_for(LC_FORMAT_DOT);
	lc_step *c = lc_arena_alloc(r->arena, 3 * sizeof(lc_step));
	lc_finding f = {0};
	char *out;

	c[0] = (lc_step){LC_STEP_REGISTRATION, L(r, "src/a\"b.c", 5, 3), S(r, "Init"),
			 S(r, "method"), S(r, "m stored in napi_property_descriptor.method")};
	c[1] = (lc_step){LC_STEP_REGISTRATION, L(r, "src/a\"b.c", 9, 2), S(r, "m"),
			 S(r, "uv_queue_work"), S(r, "w registered")};
	c[2] = (lc_step){LC_STEP_BLOCKING, L(r, "src/a\"b.c", 12, 4), S(r, "w\\x"),
			 NULL, S(r, "nested loops")};
	f.rule = S(r, "cpu/hotspot");
	f.severity = LC_SEV_NOTE;
	f.category = S(r, "nested loops");
	f.loc = c[2].loc;
	f.function = S(r, "w\\x");
	f.entry = (lc_entry_info){S(r, "m"), S(r, "napi_property_descriptor.method"), NULL,
				  S(r, "JavaScript method"), S(r, "napi"), S(r, "Node.js"),
				  LC_CTX_WORKER, c[0].loc, {0}};
	f.chain = c;
	f.nchain = 3;
	lc_vec_push(&r->findings, f);
	out = lc_report_render(r, NULL, &o);
	cr_assert_not_null(strstr(out, "\"reg:src/a\\\"b.c:5:3:napi_property_descriptor.method\" "
				       "[shape=box, label=\"napi_property_descriptor.method\"];\n"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "\"reg:src/a\\\"b.c:9:2:uv_queue_work\" [shape=box, "
				       "label=\"uv_queue_work()\"];\n"), "%s", out);
	cr_assert_not_null(strstr(out, "\"fn:m\" [shape=ellipse, style=filled, "
				       "fillcolor=palegreen, tooltip=\"runs on the worker thread\", "
				       "label=\"m\\nJavaScript method\"];\n"), "%s", out);
	cr_assert_not_null(strstr(out, "\"fn:w\\\\x\" [shape=ellipse, style=filled, "
				       "fillcolor=palegreen"), "%s", out);
	cr_assert_not_null(strstr(out, "label=\"nested loops\\n[cpu/hotspot]\"]"), "%s", out);
	cr_assert_not_null(strstr(out, "\"fn:m\" -> \"reg:src/a\\\"b.c:9:2:uv_queue_work\" "
				       "[label=\"src/a\\\"b.c:9\"];\n"), "%s", out);
	cr_assert_not_null(strstr(out, "\"reg:src/a\\\"b.c:9:2:uv_queue_work\" -> \"fn:w\\\\x\" "
				       "[style=dashed];\n"), "%s", out);
	free(out);
	lc_result_free(r);

	/* Nothing to draw: a valid, empty graph. */
	r = lc_result_new();
	r->stats.tus = 1;
	out = lc_report_render(r, NULL, &o);
	cr_assert_not_null(strstr(out, "// 1 TU analysed\ndigraph loopcheck {\n"));
	cr_assert_not_null(strstr(out, "label=\"loopcheck: no findings\"];\n"));
	cr_assert_null(strstr(out, " -> "));
	cr_assert_eq(out[strlen(out) - 2], '}');
	free(out);
	lc_result_free(r);
}
