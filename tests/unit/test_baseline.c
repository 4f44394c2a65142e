/* test_baseline.c - reading, applying and writing baselines (baseline.h),
 * and how the writers show baseline states: JSON "baseline", SARIF
 * baselineState, text and GitLab Code Quality leaving unchanged findings out.
 */
#define _GNU_SOURCE
#include "baseline.h"
#include "report.h"
#include "result.h"
#include "rules.h"
#include "util.h"

#include <cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *err;
static lc_baseline *b;

static void teardown(void)
{
	free(err);
	err = NULL;
	lc_baseline_free(b);
	b = NULL;
}

TestSuite(baseline, .fini = teardown);

static lc_baseline *parse(const char *text)
{
	free(err);
	err = NULL;
	lc_baseline_free(b);
	b = lc_baseline_parse("base.json", text, strlen(text), &err);
	return b;
}

/* Parsing fails with exactly `want` as the message. */
static void fails(const char *text, const char *want)
{
	cr_assert_null(parse(text), "parsed: %s", text);
	cr_assert_not_null(err);
	cr_assert_str_eq(err, want);
}

/* --- reading ----------------------------------------------------------------- */

Test(baseline, json_report)
{
	cr_assert_not_null(parse(
		"{\"version\": \"1.0\", \"tool\": {\"name\": \"loopcheck\"},\n"
		" \"findings\": [\n"
		"  {\"rule\": \"blocking/sleep\", \"fingerprint\": \"00000000000000a1\", \"suppressed\": false},\n"
		"  {\"fingerprint\": \"00000000000000a2\"},\n"
		"  {\"fingerprint\": \"00000000000000a1\"},\n"
		"  {\"fingerprint\": \"00000000000000a3\", \"suppressed\": true},\n"
		"  {\"fingerprint\": null}\n"
		" ], \"errors\": [], \"statistics\": {}}\n"),
		"%s", err);
	cr_assert_eq(lc_baseline_count(b), 2);
	cr_assert(lc_baseline_has(b, "00000000000000a1"));
	cr_assert(lc_baseline_has(b, "00000000000000a2"));
	cr_assert_not(lc_baseline_has(b, "00000000000000a3"), "suppressed ones are not taken");
	cr_assert_not(lc_baseline_has(b, NULL));
	cr_assert_not(lc_baseline_has(NULL, "00000000000000a1"));
}

Test(baseline, empty_report)
{
	cr_assert_not_null(parse("{\"findings\": []}"));
	cr_assert_eq(lc_baseline_count(b), 0);
}

Test(baseline, sarif)
{
	cr_assert_not_null(parse(
		"{\"version\": \"2.1.0\", \"runs\": [\n"
		" {\"tool\": {\"driver\": {\"name\": \"loopcheck\"}}, \"results\": [\n"
		"  {\"ruleId\": \"blocking/sleep\", \"partialFingerprints\": {\"loopcheck/v1\": \"b1\",\n"
		"   \"primaryLocationLineHash\": \"x:1\"}},\n"
		"  {\"partialFingerprints\": {\"loopcheck/v1\": \"b2\"}, \"suppressions\": [{\"kind\": \"inSource\"}]},\n"
		"  {\"partialFingerprints\": {\"loopcheck/v1\": \"b3\"}, \"baselineState\": \"absent\"},\n"
		"  {\"partialFingerprints\": {\"loopcheck/v1\": \"b4\"}, \"baselineState\": \"unchanged\",\n"
		"   \"suppressions\": []}\n"
		" ]},\n"
		" {\"tool\": {\"driver\": {\"name\": \"loopcheck\"}}},\n"
		" {\"results\": [{\"partialFingerprints\": {\"loopcheck/v1\": \"b5\"}}]}\n"
		"]}\n"),
		"%s", err);
	cr_assert_eq(lc_baseline_count(b), 3);
	cr_assert(lc_baseline_has(b, "b1"));
	cr_assert_not(lc_baseline_has(b, "b2"));
	cr_assert_not(lc_baseline_has(b, "b3"));
	cr_assert(lc_baseline_has(b, "b4"));
	cr_assert(lc_baseline_has(b, "b5"));
}

Test(baseline, malformed_json_is_located)
{
	fails("{\n  \"findings\": [\n    {\"fingerprint\": \"a\",}\n  ]\n}\n",
	      "base.json:3:26: invalid baseline: malformed JSON");
	fails("{\"findings\": [\n", "base.json:2:1: invalid baseline: malformed JSON: unexpected end of input");
	fails("", "base.json:1:1: invalid baseline: malformed JSON: unexpected end of input");
	fails("{} trailing", "base.json:1:4: invalid baseline: malformed JSON");
}

Test(baseline, wrong_shapes_are_located)
{
	fails("[1, 2]", "base.json:1:1: invalid baseline: expected a JSON object (a loopcheck "
		    "JSON report or SARIF file)");
	fails("{\"version\": \"1.0\"}", "base.json:1:1: invalid baseline: neither a loopcheck JSON "
		    "report (\"findings\") nor a SARIF file (\"runs\")");
	fails("{\"findings\": {}}", "base.json:1:14: invalid baseline: \"findings\" must be an array");
	fails("{\"findings\": [\n  3\n]}", "base.json:2:3: invalid baseline: each finding must be an object");
	fails("{\"findings\": [\n  {\"rule\": \"x\",\n   \"fingerprint\": 17}]}",
	      "base.json:3:19: invalid baseline: \"fingerprint\" must be a string");
	fails("{\"findings\": [{\"fingerprint\": \"a\", \"suppressed\": \"no\"}]}",
	      "base.json:1:50: invalid baseline: \"suppressed\" must be true or false");
	fails("{\"findings\": [{\"rule\": \"x\"}]}",
	      "base.json:1:15: invalid baseline: a finding has no \"fingerprint\"");
	fails("{\"tool\": {\"name\": \"eslint\"}, \"findings\": []}",
	      "base.json:1:19: invalid baseline: this report was written by 'eslint', not loopcheck");
}

Test(baseline, wrong_sarif_shapes_are_located)
{
	fails("{\"runs\": 1}", "base.json:1:10: invalid baseline: \"runs\" must be an array");
	fails("{\"runs\": [1]}", "base.json:1:11: invalid baseline: each run must be an object");
	fails("{\"runs\": [{\"results\": {}}]}",
	      "base.json:1:23: invalid baseline: \"results\" must be an array");
	fails("{\"runs\": [{\"results\": [\n  {\"ruleId\": \"x\"}]}]}",
	      "base.json:2:3: invalid baseline: a result has no partialFingerprints "
	      "\"loopcheck/v1\" (was the SARIF written by loopcheck?)");
	fails("{\"runs\": [{\"results\": [{\"partialFingerprints\": {\"loopcheck/v1\": 5}}]}]}",
	      "base.json:1:65: invalid baseline: \"loopcheck/v1\" must be a string");
	fails("{\"runs\": [{\"tool\": {\"driver\": {\"name\": \"CodeQL\"}}}]}",
	      "base.json:1:40: invalid baseline: this SARIF run was written by 'CodeQL', not loopcheck");
}

Test(baseline, unreadable_file)
{
	b = lc_baseline_load("/nonexistent/base.json", &err);
	cr_assert_null(b);
	cr_assert_str_eq(err, "/nonexistent/base.json: cannot read the baseline: No such file or directory");
}

/* --- results -------------------------------------------------------------- */

static lc_result *R;
static lc_ruleset *RS;
static char dir[64];

static lc_finding *add(const char *fp, unsigned line, bool suppressed)
{
	lc_finding f = { 0 };
	char *file = lc_xasprintf("%s/src/a.c", dir);
	f.rule = "blocking/sleep";
	f.severity = LC_SEV_WARNING;
	f.message = "Blocking sleep sleep() runs on the libuv loop thread.";
	f.summary = "blocking sleep 'sleep' on the libuv loop thread";
	f.loc = (lc_loc){ lc_arena_strdup(R->arena, file), line, 2 };
	f.function = "f";
	f.callee = "sleep";
	f.entry.callback = "cb";
	f.fingerprint = fp;
	f.suppressed = suppressed;
	f.suppression_reason = suppressed ? "ok" : NULL;
	lc_vec_push(&R->findings, f);
	free(file);
	return &R->findings.ptr[R->findings.len - 1];
}

static void results_setup(void)
{
	strcpy(dir, "/tmp/lc-baseline-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	R = lc_result_new();
	RS = lc_ruleset_new();
	add("00000000000000f1", 3, false);
	add("00000000000000f2", 5, false);
	add("00000000000000f3", 7, true);
	R->stats.tus = 4;
	R->stats.seconds_total = 1.5;
	lc_error e = { 0 };
	e.kind = LC_ERR_NOTICE;
	e.message = "a notice";
	lc_vec_push(&R->errors, e);
}

static void results_teardown(void)
{
	char *cmd = lc_xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	lc_result_free(R);
	lc_ruleset_free(RS);
	teardown();
}

TestSuite(results, .init = results_setup, .fini = results_teardown);

static lc_report_opts opts(lc_format fmt)
{
	lc_report_opts o = { 0 };
	o.format = fmt;
	o.srcroot = dir;
	return o;
}

Test(results, apply_sets_every_state)
{
	cr_assert_not_null(parse("{\"findings\": [{\"fingerprint\": \"00000000000000f2\"},"
				 " {\"fingerprint\": \"00000000000000f3\"}]}"));
	cr_assert_eq(lc_baseline_apply(b, R), 2);
	cr_assert_eq(R->findings.ptr[0].baseline_state, LC_BASELINE_NEW);
	cr_assert_eq(R->findings.ptr[1].baseline_state, LC_BASELINE_UNCHANGED);
	cr_assert_eq(R->findings.ptr[2].baseline_state, LC_BASELINE_UNCHANGED);
}

Test(results, written_baseline_reads_back)
{
	lc_report_opts o = opts(LC_FORMAT_TEXT);
	size_t n = 0;
	R->findings.ptr[0].baseline_state = LC_BASELINE_NEW;
	char *text = lc_baseline_render(R, RS, &o, &n);
	cr_assert_eq(n, 2, "the suppressed finding is left out");
	/* A JSON report, stable: no version, no timings, no errors, zero stats. */
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "tool"),
						      "version"));
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "errors")), 0);
	cJSON *stats = cJSON_GetObjectItemCaseSensitive(j, "statistics");
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(stats, "tus")->valueint, 0);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(stats, "seconds_total"));
	cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "findings"), 0);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f0, "baseline")));
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f0, "location")->child->valuestring,
			 "src/a.c");
	cJSON_Delete(j);

	cr_assert_not_null(parse(text), "%s", err);
	cr_assert_eq(lc_baseline_count(b), 2);
	cr_assert(lc_baseline_has(b, "00000000000000f1"));
	cr_assert(lc_baseline_has(b, "00000000000000f2"));
	free(text);

	/* Through a file, atomically. */
	char *path = lc_xasprintf("%s/base.json", dir);
	cr_assert_eq(lc_baseline_write(path, R, RS, &o, &n, &err), 0);
	lc_baseline_free(b);
	b = lc_baseline_load(path, &err);
	cr_assert_not_null(b, "%s", err);
	cr_assert_eq(lc_baseline_count(b), 2);
	free(path);

	path = lc_xasprintf("%s/no/such/dir/base.json", dir);
	cr_assert_eq(lc_baseline_write(path, R, RS, &o, &n, &err), -1);
	cr_assert(strstr(err, "cannot write the baseline"), "%s", err);
	free(path);
}

Test(results, sarif_report_is_a_baseline)
{
	/* The key the SARIF writer uses is the one the reader looks for. */
	lc_report_opts o = opts(LC_FORMAT_SARIF);
	char *text = lc_report_render(R, RS, &o);
	cr_assert_not_null(parse(text), "%s", err);
	cr_assert_eq(lc_baseline_count(b), 2);
	cr_assert(lc_baseline_has(b, "00000000000000f1"));
	cr_assert_not(lc_baseline_has(b, "00000000000000f3"));
	free(text);
}

/* --- writers ----------------------------------------------------------------- */

static cJSON *render_json(lc_format fmt)
{
	lc_report_opts o = opts(fmt);
	char *text = lc_report_render(R, RS, &o);
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "%s", text);
	free(text);
	return j;
}

Test(results, json_and_sarif_show_the_state)
{
	cJSON *j = render_json(LC_FORMAT_JSON);
	cJSON *fs = cJSON_GetObjectItemCaseSensitive(j, "findings");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(fs, 0), "baseline")),
		  "null without a baseline");
	cJSON_Delete(j);
	j = render_json(LC_FORMAT_SARIF);
	cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "runs"), 0), "results"), 0);
	cr_assert_null(cJSON_GetObjectItemCaseSensitive(res, "baselineState"));
	cJSON_Delete(j);

	R->findings.ptr[0].baseline_state = LC_BASELINE_NEW;
	R->findings.ptr[1].baseline_state = LC_BASELINE_UNCHANGED;
	R->findings.ptr[2].baseline_state = LC_BASELINE_NEW;
	j = render_json(LC_FORMAT_JSON);
	fs = cJSON_GetObjectItemCaseSensitive(j, "findings");
	cr_assert_eq(cJSON_GetArraySize(fs), 3, "kept in JSON");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(fs, 0), "baseline")->valuestring, "new");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(fs, 1), "baseline")->valuestring, "unchanged");
	cJSON_Delete(j);
	j = render_json(LC_FORMAT_SARIF);
	cJSON *results = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "runs"), 0), "results");
	cr_assert_eq(cJSON_GetArraySize(results), 3, "kept in SARIF");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(results, 0), "baselineState")->valuestring, "new");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(results, 1), "baselineState")->valuestring, "unchanged");
	cJSON *sup = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(results, 2), "suppressions");
	cr_assert_str_eq(cJSON_GetArrayItem(sup, 0)->child->valuestring, "inSource");
	cJSON_Delete(j);
}

Test(results, sarif_notification_ids)
{
	lc_error e = { 0 };
	e.kind = LC_ERR_NOTICE;
	e.message = "unused loopcheck suppression 'loopcheck-ignore'";
	e.id = "loopcheck/unused-suppression";
	e.loc = R->findings.ptr[0].loc;
	e.file = e.loc.file;
	lc_vec_push(&R->errors, e);
	cJSON *j = render_json(LC_FORMAT_SARIF);
	cJSON *notes = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "runs"), 0), "invocations"), 0),
		"toolExecutionNotifications");
	cr_assert_eq(cJSON_GetArraySize(notes), 2);
	cJSON *d0 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(notes, 0), "descriptor");
	cJSON *d1 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(notes, 1), "descriptor");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(d0, "id")->valuestring, "loopcheck/notice");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(d1, "id")->valuestring,
			 "loopcheck/unused-suppression");
	cJSON_Delete(j);
}

Test(results, text_hides_unchanged_findings_and_counts_them)
{
	lc_report_opts o = opts(LC_FORMAT_TEXT);
	R->findings.ptr[0].baseline_state = LC_BASELINE_UNCHANGED;
	R->findings.ptr[1].baseline_state = LC_BASELINE_NEW;
	char *text = lc_report_render(R, RS, &o);
	cr_assert_null(strstr(text, "src/a.c:3:"), "%s", text);
	cr_assert_not_null(strstr(text, "src/a.c:5:2: warning: blocking sleep"), "%s", text);
	cr_assert_not_null(strstr(text, "\n1 finding in 1 file (1 suppressed, 1 in the baseline); "
				  "4 TUs analysed\n"), "%s", text);
	free(text);
	R->findings.ptr[1].baseline_state = LC_BASELINE_UNCHANGED;
	R->findings.ptr[2].suppressed = false;
	R->findings.ptr[2].baseline_state = LC_BASELINE_UNCHANGED;
	text = lc_report_render(R, RS, &o);
	cr_assert_not_null(strstr(text, "no findings (3 in the baseline); 4 TUs analysed\n"), "%s", text);
	free(text);
}

Test(results, codequality)
{
	R->findings.ptr[1].baseline_state = LC_BASELINE_UNCHANGED;
	R->findings.ptr[0].severity = LC_SEV_ERROR;
	cJSON *j = render_json(LC_FORMAT_CODEQUALITY);
	cr_assert(cJSON_IsArray(j));
	cr_assert_eq(cJSON_GetArraySize(j), 1, "suppressed and unchanged findings are left out");
	cJSON *i = cJSON_GetArrayItem(j, 0);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(i, "description")->valuestring,
			 "blocking sleep 'sleep' on the libuv loop thread");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(i, "check_name")->valuestring, "blocking/sleep");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(i, "fingerprint")->valuestring, "00000000000000f1");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(i, "severity")->valuestring, "critical");
	cJSON *loc = cJSON_GetObjectItemCaseSensitive(i, "location");
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(loc, "path")->valuestring, "src/a.c");
	cr_assert_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(loc, "lines"),
						      "begin")->valueint, 3);
	cJSON_Delete(j);

	/* Severities; an empty report is an empty array. */
	R->findings.ptr[0].severity = LC_SEV_NOTE;
	j = render_json(LC_FORMAT_CODEQUALITY);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(j, 0), "severity")->valuestring,
			 "info");
	cJSON_Delete(j);
	R->findings.ptr[0].severity = LC_SEV_WARNING;
	j = render_json(LC_FORMAT_CODEQUALITY);
	cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(j, 0), "severity")->valuestring,
			 "major");
	cJSON_Delete(j);
	R->findings.len = 0;
	lc_report_opts o = opts(LC_FORMAT_CODEQUALITY);
	char *text = lc_report_render(R, RS, &o);
	cr_assert_str_eq(text, "[]\n");
	free(text);
}
