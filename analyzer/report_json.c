/* report_json.c - the flat JSON report for scripts (docs/json-format.md,
 * schema docs/loopcheck-report.schema.json).
 *
 * Every key the format defines is always present; an absent value is null
 * (a string, a location, or a line/column that is unknown). Columns are
 * libclang's 1-based byte columns. Suppressed findings are included with
 * "suppressed": true, findings in a --baseline with "baseline": "unchanged".
 * Keys come out in a fixed order and the printer
 * (lc_json_print) is deterministic, so equal results give equal bytes.
 */
#include <stdlib.h>

#include "report_impl.h"

static const char *const step_kinds[] = {
	[LC_STEP_REGISTRATION] = "registration",
	[LC_STEP_CALLBACK] = "callback",
	[LC_STEP_CALL] = "call",
	[LC_STEP_BLOCKING] = "blocking",
};

static const char *const error_kinds[] = {
	[LC_ERR_PARTIAL] = "partial",
	[LC_ERR_FAILED] = "failed",
	[LC_ERR_NOTICE] = "notice",
};

static void add_uint_or_null(cJSON *obj, const char *key, unsigned long long v)
{
	if (v)
		cJSON_AddNumberToObject(obj, key, (double)v);
	else
		cJSON_AddNullToObject(obj, key);
}

/* {"file", "line", "column"} or null when there is no file. */
static cJSON *location(const lc_loc *loc, const lc_report_opts *opts)
{
	cJSON *o;
	char *path;
	if (!loc->file)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	path = lc_report_path(loc->file, opts);
	cJSON_AddStringToObject(o, "file", path);
	free(path);
	add_uint_or_null(o, "line", loc->line);
	add_uint_or_null(o, "column", loc->column);
	return o;
}

static cJSON *entry(const lc_entry_info *e, const lc_report_opts *opts)
{
	cJSON *o = cJSON_CreateObject();
	lc_json_add_str(o, "callback", e->callback);
	lc_json_add_str(o, "registrar", e->registrar);
	lc_json_add_str(o, "via", e->via);
	lc_json_add_str(o, "kind", e->kind);
	lc_json_add_str(o, "profile", e->profile);
	lc_json_add_str(o, "family", e->family);
	lc_json_add_str(o, "context", lc_context_name(e->context));
	cJSON_AddItemToObject(o, "registration", location(&e->registration, opts));
	cJSON_AddItemToObject(o, "definition", location(&e->definition, opts));
	return o;
}

static cJSON *step(const lc_step *s, const lc_report_opts *opts)
{
	cJSON *o = cJSON_CreateObject();
	unsigned k = (unsigned)s->kind;
	lc_json_add_str(o, "kind", k <= LC_STEP_BLOCKING ? step_kinds[k] : "call");
	lc_json_add_str(o, "function", s->function);
	lc_json_add_str(o, "callee", s->callee);
	lc_json_add_str(o, "message", s->message);
	cJSON_AddItemToObject(o, "location", location(&s->loc, opts));
	return o;
}

static cJSON *finding(const lc_finding *f, const lc_report_opts *opts)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *loc, *chain;

	lc_json_add_str(o, "rule", f->rule);
	lc_json_add_str(o, "severity", lc_severity_name(f->severity));
	lc_json_add_str(o, "message", f->message);
	lc_json_add_str(o, "summary", f->summary);
	lc_json_add_str(o, "category", f->category);
	lc_json_add_str(o, "reason", f->reason);
	lc_json_add_str(o, "alternative", f->alternative);
	loc = location(&f->loc, opts);
	if (cJSON_IsObject(loc))
		add_uint_or_null(loc, "end_column", f->end_column);
	cJSON_AddItemToObject(o, "location", loc);
	lc_json_add_str(o, "function", f->function);
	lc_json_add_str(o, "callee", f->callee);
	cJSON_AddItemToObject(o, "entry", entry(&f->entry, opts));
	chain = cJSON_AddArrayToObject(o, "chain");
	for (size_t i = 0; i < f->nchain; i++)
		cJSON_AddItemToArray(chain, step(&f->chain[i], opts));
	cJSON_AddNumberToObject(o, "entries_reaching", (double)f->entries_reaching);
	lc_json_add_str(o, "fingerprint", f->fingerprint);
	cJSON_AddBoolToObject(o, "suppressed", f->suppressed);
	lc_json_add_str(o, "suppression_reason", f->suppression_reason);
	/* --baseline (baseline.h): "new" or "unchanged"; null without one. */
	lc_json_add_str(o, "baseline", f->baseline_state == LC_BASELINE_UNCHANGED ? "unchanged"
				       : f->baseline_state == LC_BASELINE_NEW ? "new" : NULL);
	return o;
}

static cJSON *error(const lc_error *e, const lc_report_opts *opts)
{
	cJSON *o = cJSON_CreateObject();
	unsigned k = (unsigned)e->kind;
	const char *file = e->loc.file ? e->loc.file : e->file;
	char *path = file ? lc_report_path(file, opts) : NULL;

	lc_json_add_str(o, "kind", k <= LC_ERR_NOTICE ? error_kinds[k] : "notice");
	lc_json_add_str(o, "file", path);
	add_uint_or_null(o, "line", e->loc.file ? e->loc.line : 0);
	add_uint_or_null(o, "column", e->loc.file ? e->loc.column : 0);
	lc_json_add_str(o, "message", e->message);
	free(path);
	return o;
}

/* Seconds rounded to milliseconds, so that the bytes do not depend on the
 * last bits of a double. */
static double millis(double s)
{
	if (!(s > 0))
		return 0;
	return (double)(long long)(s * 1000.0 + 0.5) / 1000.0;
}

static cJSON *statistics(const lc_stats *st, const lc_report_opts *opts)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "tus", (double)st->tus);
	cJSON_AddNumberToObject(o, "tus_partial", (double)st->tus_partial);
	cJSON_AddNumberToObject(o, "tus_failed", (double)st->tus_failed);
	cJSON_AddNumberToObject(o, "functions", (double)st->functions);
	cJSON_AddNumberToObject(o, "call_edges", (double)st->call_edges);
	cJSON_AddNumberToObject(o, "entries_loop", (double)st->entries_loop);
	cJSON_AddNumberToObject(o, "entries_worker", (double)st->entries_worker);
	/* Since 1.2 (issue 10): further definitions of external functions. */
	cJSON_AddNumberToObject(o, "duplicate_definitions", (double)st->duplicate_definitions);
	if (!opts->no_timing) {
		cJSON_AddNumberToObject(o, "seconds_parse", millis(st->seconds_parse));
		cJSON_AddNumberToObject(o, "seconds_link", millis(st->seconds_link));
		cJSON_AddNumberToObject(o, "seconds_solve", millis(st->seconds_solve));
		cJSON_AddNumberToObject(o, "seconds_total", millis(st->seconds_total));
	}
	return o;
}

void lc_report_json(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		    const lc_report_opts *opts)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *tool, *arr;

	(void)rs;
	cJSON_AddStringToObject(root, "version", LC_JSON_FORMAT_VERSION);
	tool = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(tool, "name", "loopcheck");
	if (!opts->no_version)
		cJSON_AddStringToObject(tool, "version", LC_VERSION);
	arr = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; i < r->findings.len; i++)
		cJSON_AddItemToArray(arr, finding(&r->findings.ptr[i], opts));
	arr = cJSON_AddArrayToObject(root, "errors");
	for (size_t i = 0; i < r->errors.len; i++)
		cJSON_AddItemToArray(arr, error(&r->errors.ptr[i], opts));
	cJSON_AddItemToObject(root, "statistics", statistics(&r->stats, opts));
	lc_json_print(out, root);
	cJSON_Delete(root);
}
