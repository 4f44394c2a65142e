/* report_codequality.c - GitLab Code Quality (a subset of the Code Climate
 * issue format), for `artifacts:reports:codequality` in .gitlab-ci.yml:
 *
 *   [{"description": "...", "check_name": "blocking/file-io",
 *     "fingerprint": "...", "severity": "major",
 *     "location": {"path": "src/server.c", "lines": {"begin": 42}}}]
 *
 * GitLab compares the fingerprints of the merge request's report with the
 * target branch's, so they must be unique and stable: loopcheck's own
 * (rule, function, callee, callback, occurrence; no line numbers) are.
 * Severities: note -> info, warning -> major, error -> critical. Paths are
 * relative to --srcroot, which should be the repository root. Like the text
 * format, it lists what needs acting on: suppressed findings and findings
 * in the --baseline are left out.
 */
#include <stdlib.h>

#include "report_impl.h"

static const char *cq_severity(lc_severity s)
{
	switch (s) {
	case LC_SEV_ERROR:
		return "critical";
	case LC_SEV_WARNING:
		return "major";
	default:
		return "info";
	}
}

void lc_report_codequality(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
			   const lc_report_opts *opts)
{
	cJSON *root = cJSON_CreateArray();

	(void)rs;
	for (size_t i = 0; i < r->findings.len; i++) {
		const lc_finding *f = &r->findings.ptr[i];
		cJSON *issue, *loc, *lines;
		char *path;
		if (f->suppressed || f->baseline_state == LC_BASELINE_UNCHANGED)
			continue;
		issue = cJSON_CreateObject();
		cJSON_AddStringToObject(issue, "type", "issue");
		cJSON_AddStringToObject(issue, "description",
					f->summary ? f->summary : f->message ? f->message : "");
		cJSON_AddStringToObject(issue, "check_name", f->rule ? f->rule : "loopcheck/unknown");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(issue, "categories"),
				     cJSON_CreateString("Performance"));
		cJSON_AddStringToObject(issue, "fingerprint", f->fingerprint ? f->fingerprint : "");
		cJSON_AddStringToObject(issue, "severity", cq_severity(f->severity));
		loc = cJSON_AddObjectToObject(issue, "location");
		path = lc_report_path(f->loc.file, opts);
		cJSON_AddStringToObject(loc, "path", path);
		free(path);
		lines = cJSON_AddObjectToObject(loc, "lines");
		cJSON_AddNumberToObject(lines, "begin", f->loc.line ? f->loc.line : 1);
		cJSON_AddItemToArray(root, issue);
	}
	lc_json_print(out, root);
	cJSON_Delete(root);
}
