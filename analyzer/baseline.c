/* baseline.c - read, apply and write baselines (see baseline.h).
 *
 * The file is parsed with cJSON; errors name the line and column of the
 * offending value (lc_json_position, rules.h, walks the raw text along the
 * key path, since cJSON keeps no positions). A baseline is strict about the
 * shape it needs (arrays where arrays belong, fingerprints that are
 * strings) and ignores every key it does not need, so a full report from
 * any loopcheck version with the same fingerprint scheme serves.
 */
#define _GNU_SOURCE
#include "baseline.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/* The partialFingerprints key report_sarif.c writes. */
#define LC_SARIF_FINGERPRINT_KEY "loopcheck/v1"

struct lc_baseline {
	lc_arena *arena;
	lc_strmap set; /* fingerprints (arena strings) */
};

typedef struct reader {
	const char *path;
	const char *text;
	size_t len;
	const cJSON *root;
	lc_baseline *b;
	char *err;
} reader;

static int fail(reader *R, const cJSON *at, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(reader *R, const cJSON *at, bool at_key, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	char msg[512];
	va_list ap;
	if (at)
		lc_json_position(R->text, R->len, R->root, at, at_key, &line, &col);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *safe = lc_escape_controls(msg);
	R->err = lc_xasprintf("%s:%u:%u: %s", R->path, line, col, safe);
	free(safe);
	return -1;
}

static void add(reader *R, const char *fp)
{
	if (lc_strmap_get(&R->b->set, fp) == LC_NONE)
		lc_strmap_intern(&R->b->set, lc_arena_strdup(R->b->arena, fp), NULL);
}

/* `obj[key]` must be absent, or of the type `ok` accepts. */
static const cJSON *member(reader *R, const cJSON *obj, const char *key,
			   cJSON_bool (*ok)(const cJSON *), const char *want, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (v && !ok(v)) {
		fail(R, v, false, "invalid baseline: \"%s\" must be %s", key, want);
		*bad = true;
		return NULL;
	}
	return v;
}

static cJSON_bool is_string_or_null(const cJSON *v)
{
	return cJSON_IsString(v) || cJSON_IsNull(v);
}

static cJSON_bool is_bool_or_null(const cJSON *v)
{
	return cJSON_IsBool(v) || cJSON_IsNull(v);
}

static cJSON_bool is_nonempty_array(const cJSON *v)
{
	return cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0;
}

static int check_tool(reader *R, const cJSON *name_node, const char *what)
{
	if (name_node && cJSON_IsString(name_node) && strcmp(name_node->valuestring, "loopcheck") != 0)
		return fail(R, name_node, false,
			    "invalid baseline: %s was written by '%s', not loopcheck", what,
			    name_node->valuestring);
	return 0;
}

/* {"findings": [{"fingerprint": "...", "suppressed": false}, ...]} */
static int read_report(reader *R, const cJSON *findings)
{
	bool bad = false;
	const cJSON *tool = cJSON_GetObjectItemCaseSensitive(R->root, "tool");
	if (cJSON_IsObject(tool) &&
	    check_tool(R, cJSON_GetObjectItemCaseSensitive(tool, "name"), "this report") != 0)
		return -1;
	if (!cJSON_IsArray(findings))
		return fail(R, findings, false, "invalid baseline: \"findings\" must be an array");
	const cJSON *f;
	cJSON_ArrayForEach(f, findings) {
		if (!cJSON_IsObject(f))
			return fail(R, f, false, "invalid baseline: each finding must be an object");
		const cJSON *fp = member(R, f, "fingerprint", is_string_or_null, "a string", &bad);
		const cJSON *sup = member(R, f, "suppressed", is_bool_or_null, "true or false", &bad);
		if (bad)
			return -1;
		if (!fp)
			return fail(R, f, false, "invalid baseline: a finding has no \"fingerprint\"");
		if (cJSON_IsTrue(sup) || !cJSON_IsString(fp) || !*fp->valuestring)
			continue;
		add(R, fp->valuestring);
	}
	return 0;
}

/* SARIF: runs[].results[].partialFingerprints["loopcheck/v1"]. */
static int read_sarif(reader *R, const cJSON *runs)
{
	bool bad = false;
	if (!cJSON_IsArray(runs))
		return fail(R, runs, false, "invalid baseline: \"runs\" must be an array");
	const cJSON *run;
	cJSON_ArrayForEach(run, runs) {
		if (!cJSON_IsObject(run))
			return fail(R, run, false, "invalid baseline: each run must be an object");
		const cJSON *tool = cJSON_GetObjectItemCaseSensitive(run, "tool");
		const cJSON *driver = cJSON_IsObject(tool)
			? cJSON_GetObjectItemCaseSensitive(tool, "driver") : NULL;
		if (cJSON_IsObject(driver) &&
		    check_tool(R, cJSON_GetObjectItemCaseSensitive(driver, "name"), "this SARIF run") != 0)
			return -1;
		const cJSON *results = member(R, run, "results", cJSON_IsArray, "an array", &bad);
		if (bad)
			return -1;
		const cJSON *res;
		cJSON_ArrayForEach(res, results) {
			if (!cJSON_IsObject(res))
				return fail(R, res, false, "invalid baseline: each result must be an object");
			const cJSON *pf = member(R, res, "partialFingerprints", cJSON_IsObject,
						 "an object", &bad);
			const cJSON *state = member(R, res, "baselineState", cJSON_IsString,
						    "a string", &bad);
			const cJSON *sup = member(R, res, "suppressions", cJSON_IsArray, "an array",
						  &bad);
			if (bad)
				return -1;
			const cJSON *fp = pf ? member(R, pf, LC_SARIF_FINGERPRINT_KEY, cJSON_IsString,
						      "a string", &bad) : NULL;
			if (bad)
				return -1;
			if (!fp)
				return fail(R, res, false,
					    "invalid baseline: a result has no partialFingerprints "
					    "\"" LC_SARIF_FINGERPRINT_KEY "\" (was the SARIF written by "
					    "loopcheck?)");
			if (is_nonempty_array(sup) ||
			    (state && strcmp(state->valuestring, "absent") == 0) || !*fp->valuestring)
				continue;
			add(R, fp->valuestring);
		}
	}
	return 0;
}

static void offset_linecol(const char *t, size_t len, size_t off, unsigned *line, unsigned *col)
{
	size_t bol = 0;
	*line = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++)
		if (t[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = (unsigned)(off - bol) + 1;
}

lc_baseline *lc_baseline_parse(const char *path, const char *text, size_t len, char **err)
{
	reader R;
	memset(&R, 0, sizeof(R));
	R.path = path;
	R.text = text;
	R.len = len;
	*err = NULL;

	/* cJSON wants the terminator inside the length it is given. */
	char *buf = lc_xmalloc(len + 1);
	memcpy(buf, text, len);
	buf[len] = '\0';
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
	if (!root) {
		size_t off = end && end >= buf ? (size_t)(end - buf) : 0;
		unsigned line, col;
		size_t rest = off;
		while (rest < len && strchr(" \t\r\n", text[rest]))
			rest++;
		offset_linecol(text, len, off, &line, &col);
		*err = lc_xasprintf("%s:%u:%u: invalid baseline: malformed JSON%s", path, line, col,
				    rest >= len ? ": unexpected end of input" : "");
		free(buf);
		return NULL;
	}
	R.root = root;
	R.b = lc_xcalloc(1, sizeof(*R.b));
	R.b->arena = lc_arena_new();

	int rc;
	const cJSON *runs = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "runs") : NULL;
	const cJSON *findings = cJSON_IsObject(root)
		? cJSON_GetObjectItemCaseSensitive(root, "findings") : NULL;
	if (!cJSON_IsObject(root))
		rc = fail(&R, root, false, "invalid baseline: expected a JSON object (a loopcheck "
			  "JSON report or SARIF file)");
	else if (runs)
		rc = read_sarif(&R, runs);
	else if (findings)
		rc = read_report(&R, findings);
	else
		rc = fail(&R, root, false, "invalid baseline: neither a loopcheck JSON report "
			  "(\"findings\") nor a SARIF file (\"runs\")");
	cJSON_Delete(root);
	free(buf);
	if (rc != 0) {
		lc_baseline_free(R.b);
		*err = R.err;
		return NULL;
	}
	return R.b;
}

lc_baseline *lc_baseline_load(const char *path, char **err)
{
	size_t len;
	char *text = lc_read_file(path, &len);
	if (!text) {
		*err = lc_xasprintf("%s: cannot read the baseline: %s", path, strerror(errno));
		return NULL;
	}
	lc_baseline *b = lc_baseline_parse(path, text, len, err);
	free(text);
	return b;
}

void lc_baseline_free(lc_baseline *b)
{
	if (!b)
		return;
	lc_strmap_free(&b->set);
	lc_arena_free(b->arena);
	free(b);
}

size_t lc_baseline_count(const lc_baseline *b)
{
	return b ? b->set.len : 0;
}

bool lc_baseline_has(const lc_baseline *b, const char *fingerprint)
{
	return b && fingerprint && lc_strmap_get(&b->set, fingerprint) != LC_NONE;
}

size_t lc_baseline_apply(const lc_baseline *b, lc_result *r)
{
	size_t unchanged = 0;
	for (size_t i = 0; i < r->findings.len; i++) {
		lc_finding *f = &r->findings.ptr[i];
		if (lc_baseline_has(b, f->fingerprint)) {
			f->baseline_state = LC_BASELINE_UNCHANGED;
			unchanged++;
		} else {
			f->baseline_state = LC_BASELINE_NEW;
		}
	}
	return unchanged;
}

char *lc_baseline_render(const lc_result *r, const lc_ruleset *rs, const lc_report_opts *opts,
			 size_t *count)
{
	lc_result copy;
	lc_report_opts o = *opts;
	size_t n = 0;

	memset(&copy, 0, sizeof(copy));
	copy.arena = r->arena;
	copy.findings.ptr = lc_xcalloc(r->findings.len + 1, sizeof(lc_finding));
	for (size_t i = 0; i < r->findings.len; i++) {
		if (r->findings.ptr[i].suppressed)
			continue;
		copy.findings.ptr[n] = r->findings.ptr[i];
		copy.findings.ptr[n].baseline_state = LC_BASELINE_NONE;
		n++;
	}
	copy.findings.len = copy.findings.cap = n;
	o.format = LC_FORMAT_JSON;
	o.no_version = o.no_timing = true;
	o.color = false;
	char *text = lc_report_render(&copy, rs, &o);
	free(copy.findings.ptr);
	if (count)
		*count = n;
	return text;
}

int lc_baseline_write(const char *path, const lc_result *r, const lc_ruleset *rs,
		      const lc_report_opts *opts, size_t *count, char **err)
{
	char *text = lc_baseline_render(r, rs, opts, count);
	int rc = lc_write_file_atomic(path, text, strlen(text));
	if (rc != 0)
		*err = lc_xasprintf("%s: cannot write the baseline: %s", path, strerror(errno));
	free(text);
	return rc;
}
