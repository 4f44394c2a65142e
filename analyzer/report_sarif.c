/* report_sarif.c - SARIF 2.1.0 for GitHub code scanning and SARIF viewers.
 *
 * One run. Choices, each for a consumer named in ../shared/ECOSYSTEM.md:
 * - columnKind is "utf16CodeUnits" (what GitHub assumes). libclang columns
 *   are bytes, so every column is converted by reading the source line
 *   (lc_linecache); when a file cannot be read its columns stay in bytes,
 *   which is exact for ASCII lines.
 * - uris are relative to %SRCROOT% (the --srcroot directory) and
 *   percent-encoded; originalUriBaseIds, which would reveal the analysing
 *   machine's directories, only with opts->absolute_paths.
 * - message.text: the finding's message (its first sentence stands alone),
 *   then a sentence citing relatedLocations 1 (registration) and 2
 *   (callback definition) as [text](id), as GitHub links them.
 * - partialFingerprints["loopcheck/v1"] is loopcheck's own fingerprint (no
 *   line numbers); upload-sarif adds primaryLocationLineHash itself.
 *   With --baseline, results carry baselineState "new" or "unchanged".
 * - GitHub's limits are applied here, with a notification when they bite:
 *   5000 results, 1000 thread-flow locations per result, 100 related
 *   locations, 10 tags per rule.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

typedef struct sarif_ctx {
	const lc_report_opts *opts;
	lc_linecache *lines;
} sarif_ctx;

/* Append s with SARIF's embedded-link metacharacters escaped. */
static void add_escaped(lc_sb *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '[' || *s == ']' || *s == '\\')
			lc_sb_addc(sb, '\\');
		lc_sb_addc(sb, *s);
	}
}

static cJSON *text_message(const char *text)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "text", text ? text : "");
	return m;
}

static cJSON *artifact_location(const char *file, const sarif_ctx *cx)
{
	cJSON *a = cJSON_CreateObject();
	char *path = lc_report_path(file, cx->opts);
	lc_sb uri;

	lc_sb_init(&uri);
	if (lc_report_path_is_relative(path)) {
		lc_uri_encode_path(&uri, path);
		cJSON_AddStringToObject(a, "uri", uri.buf);
		cJSON_AddStringToObject(a, "uriBaseId", "%SRCROOT%");
	} else {
		lc_sb_add(&uri, "file://");
		lc_uri_encode_path(&uri, path);
		cJSON_AddStringToObject(a, "uri", uri.buf);
	}
	lc_sb_release(&uri);
	free(path);
	return a;
}

/* {"physicalLocation": {...}} for loc, or NULL when loc has no file. */
static cJSON *location(const lc_loc *loc, unsigned end_column, sarif_ctx *cx)
{
	cJSON *l, *pl, *region;
	if (!loc->file)
		return NULL;
	l = cJSON_CreateObject();
	pl = cJSON_AddObjectToObject(l, "physicalLocation");
	cJSON_AddItemToObject(pl, "artifactLocation", artifact_location(loc->file, cx));
	if (loc->line) {
		region = cJSON_AddObjectToObject(pl, "region");
		cJSON_AddNumberToObject(region, "startLine", loc->line);
		if (loc->column) {
			unsigned sc = lc_linecache_utf16_col(cx->lines, loc->file,
							     loc->line, loc->column);
			cJSON_AddNumberToObject(region, "startColumn", sc);
			if (end_column > loc->column) {
				unsigned ec = lc_linecache_utf16_col(
					cx->lines, loc->file, loc->line, end_column);
				if (ec > sc)
					cJSON_AddNumberToObject(region, "endColumn", ec);
			}
		}
	}
	return l;
}

static const lc_rule_info *find_rule(const lc_ruleset *rs, const char *id, int *index)
{
	*index = -1;
	if (!rs || !id)
		return NULL;
	for (size_t i = 0; i < rs->rules.len; i++)
		if (rs->rules.ptr[i].id && strcmp(rs->rules.ptr[i].id, id) == 0) {
			*index = (int)i;
			return &rs->rules.ptr[i];
		}
	return NULL;
}

static const char *problem_severity(lc_severity s)
{
	switch (s) {
	case LC_SEV_ERROR: return "error";
	case LC_SEV_WARNING: return "warning";
	default: return "recommendation";
	}
}

static cJSON *rule_descriptor(const lc_rule_info *ri)
{
	cJSON *d = cJSON_CreateObject();
	cJSON *help, *props, *tags, *cfg;
	const char *shortd = ri->short_desc ? ri->short_desc : ri->id;
	const char *fulld = ri->full_desc ? ri->full_desc : shortd;
	char *dashed = lc_rule_id_dashed(ri->id);
	lc_sb uri;

	cJSON_AddStringToObject(d, "id", ri->id);
	if (ri->name)
		cJSON_AddStringToObject(d, "name", ri->name);
	cJSON_AddItemToObject(d, "shortDescription", text_message(shortd));
	cJSON_AddItemToObject(d, "fullDescription", text_message(fulld));
	help = cJSON_AddObjectToObject(d, "help");
	if (ri->help_markdown) {
		cJSON_AddStringToObject(help, "text", ri->help_markdown);
		cJSON_AddStringToObject(help, "markdown", ri->help_markdown);
	} else {
		cJSON_AddStringToObject(help, "text", fulld);
	}
	lc_sb_init(&uri);
	lc_sb_add(&uri, LC_INFORMATION_URI "/blob/main/docs/rules/");
	lc_uri_encode_path(&uri, dashed);
	lc_sb_add(&uri, ".md");
	cJSON_AddStringToObject(d, "helpUri", uri.buf);
	lc_sb_release(&uri);
	free(dashed);
	cfg = cJSON_AddObjectToObject(d, "defaultConfiguration");
	cJSON_AddStringToObject(cfg, "level", lc_severity_name(ri->severity));

	props = cJSON_AddObjectToObject(d, "properties");
	tags = cJSON_AddArrayToObject(props, "tags");
	for (size_t i = 0, n = 0; i < ri->ntags && n < LC_SARIF_MAX_TAGS; i++) {
		bool dup = false;
		if (!ri->tags[i])
			continue;
		for (size_t k = 0; k < i && !dup; k++)
			dup = ri->tags[k] && strcmp(ri->tags[k], ri->tags[i]) == 0;
		if (dup)
			continue;
		cJSON_AddItemToArray(tags, cJSON_CreateString(ri->tags[i]));
		n++;
	}
	if (ri->precision)
		cJSON_AddStringToObject(props, "precision", ri->precision);
	cJSON_AddStringToObject(props, "problem.severity", problem_severity(ri->severity));
	return d;
}

static cJSON *driver(const lc_ruleset *rs, const lc_report_opts *opts)
{
	cJSON *d = cJSON_CreateObject();
	cJSON *rules;
	cJSON_AddStringToObject(d, "name", "loopcheck");
	if (!opts->no_version) {
		cJSON_AddStringToObject(d, "version", LC_VERSION);
		cJSON_AddStringToObject(d, "semanticVersion", LC_VERSION);
	}
	cJSON_AddStringToObject(d, "informationUri", LC_INFORMATION_URI);
	rules = cJSON_AddArrayToObject(d, "rules");
	for (size_t i = 0; rs && i < rs->rules.len; i++)
		cJSON_AddItemToArray(rules, rule_descriptor(&rs->rules.ptr[i]));
	return d;
}

/* The finding's message, then "Registered [here](1); callback [cb](2)." */
static char *result_text(const lc_finding *f, bool has_reg, bool has_def)
{
	const char *msg = f->message ? f->message : f->summary ? f->summary : "";
	size_t n = strlen(msg);
	lc_sb sb;

	lc_sb_init(&sb);
	if (!has_reg && !has_def) {
		lc_sb_add(&sb, msg);
		return lc_sb_detach(&sb);
	}
	add_escaped(&sb, msg);
	if (n && msg[n - 1] != '.' && msg[n - 1] != '!' && msg[n - 1] != '?')
		lc_sb_addc(&sb, '.');
	if (n)
		lc_sb_addc(&sb, ' ');
	if (has_reg)
		lc_sb_add(&sb, "Registered [here](1)");
	if (has_def) {
		lc_sb_add(&sb, has_reg ? "; callback [" : "Callback [");
		add_escaped(&sb, f->entry.callback ? f->entry.callback : "definition");
		lc_sb_add(&sb, "](2)");
	}
	lc_sb_addc(&sb, '.');
	return lc_sb_detach(&sb);
}

static cJSON *related(int id, const lc_loc *loc, const char *text, sarif_ctx *cx)
{
	cJSON *l = location(loc, 0, cx);
	cJSON_AddNumberToObject(l, "id", id);
	cJSON_AddItemToObject(l, "message", text_message(text));
	return l;
}

static cJSON *flow_location(const lc_finding *f, const lc_step *s,
			    unsigned nesting, size_t order, sarif_ctx *cx)
{
	static const char *const kinds[] = {
		[LC_STEP_REGISTRATION] = "call",
		[LC_STEP_CALLBACK] = "enter",
		[LC_STEP_CALL] = "call",
		[LC_STEP_BLOCKING] = "danger",
	};
	cJSON *t = cJSON_CreateObject();
	/* The blocking step is the result's location: same region. */
	bool at_finding = s->kind == LC_STEP_BLOCKING && s->loc.file && f->loc.file &&
			  s->loc.line == f->loc.line && s->loc.column == f->loc.column &&
			  strcmp(s->loc.file, f->loc.file) == 0;
	cJSON *loc = location(&s->loc, at_finding ? f->end_column : 0, cx);
	cJSON *k;
	if (!loc)
		loc = cJSON_CreateObject();
	cJSON_AddItemToObject(loc, "message", text_message(s->message));
	cJSON_AddItemToObject(t, "location", loc);
	k = cJSON_AddArrayToObject(t, "kinds");
	cJSON_AddItemToArray(k, cJSON_CreateString(
		(unsigned)s->kind <= LC_STEP_BLOCKING ? kinds[s->kind] : "call"));
	cJSON_AddNumberToObject(t, "nestingLevel", nesting);
	cJSON_AddNumberToObject(t, "executionOrder", (double)order);
	return t;
}

/* codeFlows[0].threadFlows[0]: the chain, registration first. Nesting: the
 * registration is 0, the callback and the calls made in it 1, and each call
 * takes the steps after it one level deeper (the blocking call of a chain
 * with k calls is at 1 + k).
 * Returns true if the chain had to be truncated. */
static bool code_flows(cJSON *res, const lc_finding *f, sarif_ctx *cx)
{
	cJSON *flows, *flow, *tf, *locs;
	unsigned nesting = 0;
	size_t keep_head = f->nchain;
	bool truncated = f->nchain > LC_SARIF_MAX_FLOW_LOCATIONS;

	if (!f->nchain)
		return false;
	if (truncated)
		keep_head = LC_SARIF_MAX_FLOW_LOCATIONS - 1; /* plus the last step */
	flows = cJSON_AddArrayToObject(res, "codeFlows");
	flow = cJSON_CreateObject();
	cJSON_AddItemToArray(flows, flow);
	tf = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(flow, "threadFlows"), tf);
	locs = cJSON_AddArrayToObject(tf, "locations");
	for (size_t i = 0; i < f->nchain; i++) {
		const lc_step *s = &f->chain[i];
		if (s->kind == LC_STEP_REGISTRATION)
			nesting = 0;
		else if (s->kind == LC_STEP_CALLBACK)
			nesting = 1;
		if (i < keep_head || i == f->nchain - 1)
			cJSON_AddItemToArray(locs, flow_location(f, s, nesting, i + 1, cx));
		if (s->kind == LC_STEP_CALL)
			nesting++;
	}
	return truncated;
}

static cJSON *result(const lc_finding *f, const lc_ruleset *rs, sarif_ctx *cx,
		     bool *flow_truncated)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *loc, *fp, *props;
	int index;
	bool has_reg = f->entry.registration.file != NULL;
	bool has_def = f->entry.definition.file != NULL;
	char *text;

	cJSON_AddStringToObject(res, "ruleId", f->rule ? f->rule : "loopcheck/unknown");
	if (find_rule(rs, f->rule, &index))
		cJSON_AddNumberToObject(res, "ruleIndex", index);
	cJSON_AddStringToObject(res, "level", lc_severity_name(f->severity));
	text = result_text(f, has_reg, has_def);
	cJSON_AddItemToObject(res, "message", text_message(text));
	free(text);

	loc = location(&f->loc, f->end_column, cx);
	if (loc) {
		if (f->function) {
			cJSON *ll = cJSON_CreateObject();
			cJSON_AddStringToObject(ll, "name", f->function);
			cJSON_AddStringToObject(ll, "kind", "function");
			cJSON_AddItemToArray(cJSON_AddArrayToObject(loc, "logicalLocations"), ll);
		}
		cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);
	}

	if (has_reg || has_def) {
		/* At most 2 <= LC_SARIF_MAX_RELATED related locations. */
		cJSON *rel = cJSON_AddArrayToObject(res, "relatedLocations");
		const char *cb = f->entry.callback ? f->entry.callback : "callback";
		if (has_reg) {
			const char *how = f->entry.via ? f->entry.via : f->entry.registrar;
			char *t = how ? lc_xasprintf("%s registered with %s", cb, how)
				      : lc_xasprintf("%s registered here", cb);
			cJSON_AddItemToArray(rel, related(1, &f->entry.registration, t, cx));
			free(t);
		}
		if (has_def) {
			char *t = f->entry.kind
				? lc_xasprintf("%s %s is defined here", f->entry.kind, cb)
				: lc_xasprintf("%s is defined here", cb);
			cJSON_AddItemToArray(rel, related(2, &f->entry.definition, t, cx));
			free(t);
		}
	}

	if (code_flows(res, f, cx))
		*flow_truncated = true;

	if (f->fingerprint) {
		fp = cJSON_AddObjectToObject(res, "partialFingerprints");
		cJSON_AddStringToObject(fp, "loopcheck/v1", f->fingerprint);
	}
	if (f->suppressed) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "kind", "inSource");
		cJSON_AddStringToObject(s, "status", "accepted");
		if (f->suppression_reason)
			cJSON_AddStringToObject(s, "justification", f->suppression_reason);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "suppressions"), s);
	}
	if (f->baseline_state != LC_BASELINE_NONE) /* --baseline (baseline.h) */
		cJSON_AddStringToObject(res, "baselineState",
					f->baseline_state == LC_BASELINE_UNCHANGED ? "unchanged" : "new");
	props = cJSON_AddObjectToObject(res, "properties");
	if (f->category)
		cJSON_AddStringToObject(props, "category", f->category);
	if (f->callee)
		cJSON_AddStringToObject(props, "callee", f->callee);
	if (f->entry.callback)
		cJSON_AddStringToObject(props, "callback", f->entry.callback);
	if (f->entry.family)
		cJSON_AddStringToObject(props, "family", f->entry.family);
	cJSON_AddNumberToObject(props, "entriesReaching", (double)f->entries_reaching);
	return res;
}

static cJSON *notification(const char *level, const char *id, const char *text,
			   const lc_loc *loc, sarif_ctx *cx)
{
	cJSON *n = cJSON_CreateObject();
	cJSON *d;
	cJSON_AddStringToObject(n, "level", level);
	cJSON_AddItemToObject(n, "message", text_message(text));
	if (loc && loc->file)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(n, "locations"),
				     location(loc, 0, cx));
	d = cJSON_AddObjectToObject(n, "descriptor");
	cJSON_AddStringToObject(d, "id", id);
	return n;
}

static cJSON *error_notification(const lc_error *e, sarif_ctx *cx)
{
	lc_loc where = e->loc;
	const char *level = "note", *id = "loopcheck/notice";
	if (!where.file && e->file)
		where = (lc_loc){e->file, 0, 0};
	if (e->kind == LC_ERR_FAILED) {
		level = "error";
		id = "loopcheck/tu-failed";
	} else if (e->kind == LC_ERR_PARTIAL) {
		level = "warning";
		id = "loopcheck/tu-partial";
	}
	if (e->id) /* e.g. "loopcheck/unused-suppression" (suppress.c) */
		id = e->id;
	return notification(level, id, e->message, &where, cx);
}

/* "file:///abs/srcroot/": the normalized srcroot (or current directory)
 * as an absolute URI with the trailing slash SARIF requires. */
static char *srcroot_uri(const lc_report_opts *opts)
{
	lc_report_opts from_root = {.srcroot = "/"};
	char *rel = lc_report_path(opts->srcroot ? opts->srcroot : ".", &from_root);
	lc_sb uri;
	lc_sb_init(&uri);
	lc_sb_add(&uri, "file:///");
	if (strcmp(rel, ".") != 0 && rel[0] != '/' && rel[0] != '\0') {
		lc_uri_encode_path(&uri, rel);
		lc_sb_addc(&uri, '/');
	}
	free(rel);
	return lc_sb_detach(&uri);
}

void lc_report_sarif(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		     const lc_report_opts *opts)
{
	sarif_ctx cx = {opts, lc_linecache_new()};
	cJSON *root = cJSON_CreateObject();
	cJSON *run, *tool, *inv, *notes, *results;
	size_t nresults = r->findings.len;
	bool flow_truncated = false;

	cJSON_AddStringToObject(root, "$schema", LC_SARIF_SCHEMA_URI);
	cJSON_AddStringToObject(root, "version", "2.1.0");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);
	tool = cJSON_AddObjectToObject(run, "tool");
	cJSON_AddItemToObject(tool, "driver", driver(rs, opts));

	if (opts->automation_id && *opts->automation_id) {
		cJSON *ad = cJSON_AddObjectToObject(run, "automationDetails");
		cJSON_AddStringToObject(ad, "id", opts->automation_id);
	}
	if (opts->absolute_paths) {
		char *uri = srcroot_uri(opts);
		cJSON *bases = cJSON_AddObjectToObject(run, "originalUriBaseIds");
		cJSON *base = cJSON_AddObjectToObject(bases, "%SRCROOT%");
		cJSON_AddStringToObject(base, "uri", uri);
		free(uri);
	}
	cJSON_AddStringToObject(run, "columnKind", "utf16CodeUnits");

	results = cJSON_AddArrayToObject(run, "results");
	if (nresults > LC_SARIF_MAX_RESULTS)
		nresults = LC_SARIF_MAX_RESULTS;
	for (size_t i = 0; i < nresults; i++)
		cJSON_AddItemToArray(results,
				     result(&r->findings.ptr[i], rs, &cx, &flow_truncated));

	inv = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
	cJSON_AddBoolToObject(inv, "executionSuccessful", true);
	notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
	for (size_t i = 0; i < r->errors.len; i++)
		cJSON_AddItemToArray(notes, error_notification(&r->errors.ptr[i], &cx));
	if (nresults < r->findings.len) {
		char *t = lc_xasprintf(
			"%zu results found; only the first %d are in this SARIF file "
			"(GitHub code scanning keeps at most %d per run). "
			"Use --format json for all of them.",
			r->findings.len, LC_SARIF_MAX_RESULTS, LC_SARIF_MAX_RESULTS);
		cJSON_AddItemToArray(notes, notification("warning", "loopcheck/results-truncated",
							 t, NULL, &cx));
		free(t);
	}
	if (flow_truncated) {
		char *t = lc_xasprintf(
			"Some call chains are longer than %d steps; their code flows "
			"keep the first %d steps and the blocking call.",
			LC_SARIF_MAX_FLOW_LOCATIONS, LC_SARIF_MAX_FLOW_LOCATIONS - 1);
		cJSON_AddItemToArray(notes, notification("note", "loopcheck/flow-truncated",
							 t, NULL, &cx));
		free(t);
	}

	lc_json_print(out, root);
	cJSON_Delete(root);
	lc_linecache_free(cx.lines);
}
