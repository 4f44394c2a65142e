/* report_text.c - compiler-style text, as vim's quickfix (compiler/gcc.vim)
 * and Emacs' compilation mode read it:
 *
 *   src/a.c:3:1: error: expected ';' after expression      (TU errors first)
 *   loopcheck: note: ...                                    (notices)
 *   src/server.c:42:9: warning: <summary> [blocking/file-io]
 *   src/server.c:80:3: note: on_tick registered with uv_timer_start
 *   ...                                                     (one per chain step)
 *   3 findings in 2 files; 41 TUs analysed, 1 partial
 *
 * Columns are libclang's 1-based byte columns, as clang prints them.
 * Suppressed findings, and findings in the --baseline, are not shown (they
 * are counted in the summary).
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN "\033[1;36m"

static const char *sev_colour(const char *word)
{
	if (strcmp(word, "error") == 0)
		return C_RED;
	if (strcmp(word, "warning") == 0)
		return C_MAGENTA;
	return C_CYAN;
}

/* "path:line:col: word: " (with colours when asked). A location without a
 * file prints "loopcheck: word: ". */
static void prefix(lc_sb *out, const lc_loc *loc, const char *word,
		   const lc_report_opts *opts)
{
	if (loc && loc->file) {
		char *path = lc_report_path(loc->file, opts);
		if (opts->color)
			lc_sb_add(out, C_BOLD);
		lc_sb_add(out, path);
		if (loc->line) {
			lc_sb_addf(out, ":%u", loc->line);
			if (loc->column)
				lc_sb_addf(out, ":%u", loc->column);
		}
		lc_sb_addc(out, ':');
		if (opts->color)
			lc_sb_add(out, C_RESET);
		free(path);
	} else {
		lc_sb_add(out, "loopcheck:");
	}
	lc_sb_addc(out, ' ');
	if (opts->color)
		lc_sb_add(out, sev_colour(word));
	lc_sb_add(out, word);
	lc_sb_addc(out, ':');
	if (opts->color)
		lc_sb_add(out, C_RESET);
	lc_sb_addc(out, ' ');
}

/* Messages are one line by contract; keep it so even if one is not. */
static void add_line(lc_sb *out, const char *s)
{
	for (; s && *s; s++)
		lc_sb_addc(out, *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void print_error(lc_sb *out, const lc_error *e, const lc_report_opts *opts)
{
	lc_loc where = e->loc;
	if (!where.file && e->file)
		where = (lc_loc){e->file, 0, 0};
	prefix(out, &where, e->kind == LC_ERR_NOTICE ? "note" : "error", opts);
	add_line(out, e->message);
	lc_sb_addc(out, '\n');
}

static bool same_loc(const lc_loc *a, const lc_loc *b)
{
	return a->line == b->line && a->column == b->column && a->file &&
	       b->file && strcmp(a->file, b->file) == 0;
}

static void print_finding(lc_sb *out, const lc_finding *f, const lc_report_opts *opts)
{
	/* A note-severity finding is a "remark": "note:" lines belong to the
	 * chain of the diagnostic above them, as in gcc and clang. */
	prefix(out, &f->loc, f->severity == LC_SEV_NOTE ? "remark" : lc_severity_name(f->severity),
	       opts);
	if (opts->color)
		lc_sb_add(out, C_BOLD);
	add_line(out, f->summary ? f->summary : f->message);
	if (f->rule)
		lc_sb_addf(out, " [%s]", f->rule);
	if (opts->color)
		lc_sb_add(out, C_RESET);
	lc_sb_addc(out, '\n');
	for (size_t i = 0; i < f->nchain; i++) {
		const lc_step *s = &f->chain[i];
		/* The warning line already is the blocking step. */
		if (s->kind == LC_STEP_BLOCKING && same_loc(&s->loc, &f->loc))
			continue;
		prefix(out, &s->loc, "note", opts);
		add_line(out, s->message);
		lc_sb_addc(out, '\n');
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void lc_report_text(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		    const lc_report_opts *opts)
{
	size_t shown = 0, suppressed = 0, in_baseline = 0, nfiles = 0;
	const char **files;

	(void)rs;
	for (size_t i = 0; i < r->errors.len; i++)
		print_error(out, &r->errors.ptr[i], opts);

	files = lc_xcalloc(r->findings.len + 1, sizeof(*files));
	for (size_t i = 0; i < r->findings.len; i++) {
		const lc_finding *f = &r->findings.ptr[i];
		if (f->suppressed) {
			suppressed++;
			continue;
		}
		if (f->baseline_state == LC_BASELINE_UNCHANGED) {
			in_baseline++;
			continue;
		}
		print_finding(out, f, opts);
		if (f->loc.file)
			files[nfiles++] = f->loc.file;
		shown++;
	}
	if (nfiles > 1) {
		size_t n = 1;
		qsort(files, nfiles, sizeof(*files), cmp_str);
		for (size_t i = 1; i < nfiles; i++)
			if (strcmp(files[i], files[n - 1]) != 0)
				files[n++] = files[i];
		nfiles = n;
	}
	free(files);

	if (opts->quiet && shown == 0 && r->errors.len == 0)
		return;
	if (shown)
		lc_sb_addf(out, "%zu %s in %zu %s", shown,
			   plural(shown, "finding", "findings"), nfiles,
			   plural(nfiles, "file", "files"));
	else
		lc_sb_add(out, "no findings");
	if (suppressed && in_baseline)
		lc_sb_addf(out, " (%zu suppressed, %zu in the baseline)", suppressed, in_baseline);
	else if (suppressed)
		lc_sb_addf(out, " (%zu suppressed)", suppressed);
	else if (in_baseline)
		lc_sb_addf(out, " (%zu in the baseline)", in_baseline);
	lc_sb_addf(out, "; %zu %s analysed", r->stats.tus,
		   plural(r->stats.tus, "TU", "TUs"));
	if (r->stats.tus_partial)
		lc_sb_addf(out, ", %zu partial", r->stats.tus_partial);
	if (r->stats.tus_failed)
		lc_sb_addf(out, ", %zu failed", r->stats.tus_failed);
	lc_sb_addc(out, '\n');
}
