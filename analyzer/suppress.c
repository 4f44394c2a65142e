/* suppress.c - inline suppressions (see suppress.h).
 *
 * A file is lexed once, in two passes: backslash-newline pairs are removed
 * first (translation phase 2, so a `//` comment continued on the next line
 * stays one comment), keeping a map back to raw offsets for positions; then
 * a small C lexer walks the result. It knows comments, string and
 * character literals, identifiers and numbers, which is all it needs to
 * find comments outside literals and, for -function suppressions, the
 * identifiers written before '(' on each line.
 */
#define _GNU_SOURCE
#include "suppress.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compdb.h" /* lc_path_normalize */
#include "strmap.h"

#define KEYWORD "loopcheck-ignore"
#define KEYWORD_LEN (sizeof(KEYWORD) - 1)
/* A -function comment standing alone looks this far below itself for the
 * definition: lines holding code, and lines in all. */
#define LOOKAHEAD_CODE_LINES 3
#define LOOKAHEAD_LINES 10

void lc_suppress_stats_init(lc_suppress_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->arena = lc_arena_new();
}

void lc_suppress_stats_release(lc_suppress_stats *st)
{
	lc_vec_free(&st->suppressions);
	lc_vec_free(&st->problems);
	lc_arena_free(st->arena);
	memset(st, 0, sizeof(*st));
}

/* ---- the text of one file ------------------------------------------------ */

typedef struct candidate {
	unsigned line;
	size_t start, len; /* in the logical text */
} candidate;

/* A directive as lexed, before -function ones are given their definition. */
typedef struct pending {
	lc_suppression s;
	size_t at;                      /* logical index of the keyword */
	unsigned first_line, last_line; /* of the whole comment */
} pending;

typedef struct scan {
	lc_suppress_stats *st;
	const char *file;     /* normalized, in st->arena */
	const char *raw;
	size_t raw_len;
	char *t;              /* logical text: no backslash-newline */
	size_t n;
	size_t *off;          /* logical index -> raw offset; off[n] == raw_len */
	size_t *bol;          /* raw offset of each line's start */
	size_t nlines;
	bool *code;           /* code[line]: the line holds a token outside comments */
	LC_VEC(candidate) cands;
	LC_VEC(pending) found;
} scan;

static unsigned line_of_raw(const scan *S, size_t raw)
{
	size_t lo = 0, hi = S->nlines; /* bol[lo] <= raw < bol[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (S->bol[mid] <= raw)
			lo = mid;
		else
			hi = mid;
	}
	return (unsigned)lo + 1;
}

static unsigned line_of(const scan *S, size_t i)
{
	return line_of_raw(S, S->off[i < S->n ? i : S->n]);
}

static unsigned column_of(const scan *S, size_t i)
{
	size_t raw = S->off[i < S->n ? i : S->n];
	return (unsigned)(raw - S->bol[line_of_raw(S, raw) - 1]) + 1;
}

static void scan_init(scan *S, lc_suppress_stats *st, const char *file, const char *text,
		      size_t len)
{
	memset(S, 0, sizeof(*S));
	S->st = st;
	S->file = file;
	S->raw = text;
	S->raw_len = len;
	S->t = lc_xmalloc(len + 1);
	S->off = lc_xmalloc((len + 1) * sizeof(*S->off));
	for (size_t i = 0; i < len;) {
		if (text[i] == '\\' && i + 1 < len && text[i + 1] == '\n') {
			i += 2;
			continue;
		}
		if (text[i] == '\\' && i + 2 < len && text[i + 1] == '\r' && text[i + 2] == '\n') {
			i += 3;
			continue;
		}
		S->t[S->n] = text[i];
		S->off[S->n++] = i++;
	}
	S->t[S->n] = '\0';
	S->off[S->n] = len;
	S->nlines = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			S->nlines++;
	S->bol = lc_xmalloc(S->nlines * sizeof(*S->bol));
	S->bol[0] = 0;
	for (size_t i = 0, k = 1; i < len; i++)
		if (text[i] == '\n')
			S->bol[k++] = i + 1;
	S->code = lc_xcalloc(S->nlines + 2, sizeof(*S->code));
}

static void scan_release(scan *S)
{
	free(S->t);
	free(S->off);
	free(S->bol);
	free(S->code);
	lc_vec_free(&S->cands);
	lc_vec_free(&S->found);
}

static void problem(scan *S, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(scan *S, size_t at, const char *fmt, ...)
{
	lc_suppress_problem p;
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p.file = S->file;
	p.line = line_of(S, at);
	p.column = column_of(S, at);
	char *safe = lc_escape_controls(buf);
	p.message = lc_arena_strdup(S->st->arena, safe);
	free(safe);
	lc_vec_push(&S->st->problems, p);
}

/* ---- directives -------------------------------------------------------- */

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_rule_char(char c)
{
	return isalnum((unsigned char)c) || strchr("_-./*?", c) != NULL;
}

/* The reason: whitespace runs (and, in block comments, the " * " that
 * starts a continuation line) become one space; leading and trailing
 * whitespace go, and in block comments trailing '*' too. NULL if empty. */
static const char *reason_text(scan *S, size_t from, size_t to, bool block)
{
	lc_sb sb;
	const char *t = S->t;
	lc_sb_init(&sb);
	bool space = false;
	for (size_t i = from; i < to; i++) {
		char c = t[i];
		if (c == '\n' && block) {
			while (i + 1 < to && (t[i + 1] == ' ' || t[i + 1] == '\t'))
				i++;
			if (i + 1 < to && t[i + 1] == '*' && !(i + 2 < to && t[i + 2] == '/'))
				i++;
			space = true;
			continue;
		}
		if (isspace((unsigned char)c)) {
			space = true;
			continue;
		}
		if (space && sb.len)
			lc_sb_addc(&sb, ' ');
		space = false;
		lc_sb_addc(&sb, c);
	}
	while (block && sb.len && (sb.buf[sb.len - 1] == '*' || sb.buf[sb.len - 1] == ' '))
		sb.buf[--sb.len] = '\0';
	const char *r = sb.len ? lc_arena_strdup(S->st->arena, sb.buf) : NULL;
	lc_sb_release(&sb);
	return r;
}

/* Parse the directive at logical index `at` (the keyword) inside the
 * comment body [at, bend); the comment spans [cstart, cend). Returns false
 * (after recording a problem) when it is malformed. */
static bool directive(scan *S, size_t at, size_t bend, size_t cstart, size_t cend, bool block)
{
	const char *t = S->t;
	lc_arena *a = S->st->arena;
	size_t q = at + KEYWORD_LEN, wend;
	pending p;
	LC_VEC(const char *) rules = { 0 };

	memset(&p, 0, sizeof(p));
	while (q < bend && (isalnum((unsigned char)t[q]) || t[q] == '-'))
		q++;
	wend = q;
	if (wend == at + KEYWORD_LEN)
		p.s.kind = LC_SUPPRESS_LINE;
	else if (wend - at == KEYWORD_LEN + 10 && memcmp(t + at + KEYWORD_LEN, "-next-line", 10) == 0)
		p.s.kind = LC_SUPPRESS_NEXT_LINE;
	else if (wend - at == KEYWORD_LEN + 9 && memcmp(t + at + KEYWORD_LEN, "-function", 9) == 0)
		p.s.kind = LC_SUPPRESS_FUNCTION;
	else {
		problem(S, at, "unknown suppression '%.*s' (expected loopcheck-ignore, "
			"loopcheck-ignore-next-line or loopcheck-ignore-function)",
			(int)(wend - at), t + at);
		return false;
	}
	while (q < bend && (t[q] == ' ' || t[q] == '\t'))
		q++;
	if (q < bend && t[q] == '(') {
		size_t close = q + 1;
		while (close < bend && t[close] != ')')
			close++;
		if (close >= bend) {
			problem(S, q, "missing ')' after the rule list of '%.*s'", (int)(wend - at),
				t + at);
			return false;
		}
		for (size_t i = q + 1; i <= close;) {
			size_t j = i;
			while (j < close && t[j] != ',')
				j++;
			size_t b = i, e = j;
			while (b < e && isspace((unsigned char)t[b]))
				b++;
			while (e > b && isspace((unsigned char)t[e - 1]))
				e--;
			if (b == e) {
				problem(S, b, "empty rule name in '%.*s' (leave out the parentheses "
					"to suppress every rule)", (int)(close + 1 - at), t + at);
				lc_vec_free(&rules);
				return false;
			}
			for (size_t k = b; k < e; k++) {
				if (!is_rule_char(t[k])) {
					problem(S, b, "'%.*s' is not a rule id or pattern",
						(int)(e - b), t + b);
					lc_vec_free(&rules);
					return false;
				}
			}
			lc_vec_push(&rules, lc_arena_strndup(a, t + b, e - b));
			i = j + 1;
		}
		q = close + 1;
	}
	while (q < bend && isspace((unsigned char)t[q]))
		q++;
	if (q < bend && t[q] == ':') {
		p.s.reason = reason_text(S, q + 1, bend, block);
	} else {
		size_t rest = q;
		while (block && rest < bend && (t[rest] == '*' || isspace((unsigned char)t[rest])))
			rest++;
		if (rest < bend) {
			problem(S, q, "expected ':' before the reason in '%.*s'", (int)(q - at), t + at);
			lc_vec_free(&rules);
			return false;
		}
	}

	lc_sb d;
	lc_sb_init(&d);
	lc_sb_addn(&d, t + at, wend - at);
	if (rules.len) {
		lc_sb_addc(&d, '(');
		for (size_t i = 0; i < rules.len; i++)
			lc_sb_addf(&d, "%s%s", i ? ", " : "", rules.ptr[i]);
		lc_sb_addc(&d, ')');
	}
	p.s.directive = lc_arena_strdup(a, d.buf);
	lc_sb_release(&d);
	if (rules.len) {
		const char **copy = lc_arena_alloc(a, rules.len * sizeof(*copy));
		memcpy(copy, rules.ptr, rules.len * sizeof(*copy));
		p.s.rules = copy;
		p.s.nrules = rules.len;
	}
	lc_vec_free(&rules);
	p.s.file = S->file;
	p.s.line = line_of(S, at);
	p.s.column = column_of(S, at);
	p.at = at;
	p.first_line = line_of(S, cstart);
	p.last_line = line_of(S, cend > cstart ? cend - 1 : cstart);
	if (p.s.kind == LC_SUPPRESS_LINE)
		p.s.target_line = p.s.line;
	else if (p.s.kind == LC_SUPPRESS_NEXT_LINE)
		p.s.target_line = p.last_line + 1;
	lc_vec_push(&S->found, p);
	return true;
}

/* Does only comment decoration (whitespace, and the '*', '/', '!', '<' of
 * doc-comment styles) stand between the start of the body, or of a line
 * in it, and `at`? Prose that mentions the keyword mid-sentence is not a
 * directive. */
static bool starts_line(const scan *S, size_t bstart, size_t at)
{
	for (size_t i = at; i > bstart; i--) {
		char c = S->t[i - 1];
		if (c == '\n')
			return true;
		if (!isspace((unsigned char)c) && !strchr("*/!<", c))
			return false;
	}
	return true;
}

/* A comment [cstart, cend) with body [bstart, bend): the first
 * "loopcheck-ignore" that starts the body or one of its lines is its
 * directive. */
static void comment(scan *S, size_t cstart, size_t bstart, size_t bend, size_t cend, bool block)
{
	const char *t = S->t;
	size_t i = bstart;
	while (i + KEYWORD_LEN <= bend) {
		const char *hit = memmem(t + i, bend - i, KEYWORD, KEYWORD_LEN);
		if (!hit)
			return;
		size_t at = (size_t)(hit - t);
		if (starts_line(S, bstart, at)) {
			directive(S, at, bend, cstart, cend, block);
			return;
		}
		i = at + 1;
	}
}

/* Not definitions, though written "name(". */
static bool is_keyword(const char *s, size_t n)
{
	static const char *const kw[] = {
		"if", "for", "while", "switch", "return", "sizeof", "alignof", "_Alignof",
		"alignas", "_Alignas", "__attribute__", "__attribute", "__declspec",
		"_Static_assert", "static_assert", "typeof", "__typeof__", "__typeof",
		"typeof_unqual", "_Generic", "defined", "asm", "__asm", "__asm__",
		"__extension__", "do", "case", "else", NULL,
	};
	for (size_t i = 0; kw[i]; i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
			return true;
	return false;
}

static void mark_code(scan *S, size_t i)
{
	S->code[line_of(S, i)] = true;
}

static void lex(scan *S)
{
	const char *t = S->t;
	size_t n = S->n, i = 0;

	while (i < n) {
		char c = t[i];
		if (c == '/' && i + 1 < n && t[i + 1] == '/') {
			size_t e = i + 2;
			while (e < n && t[e] != '\n')
				e++;
			comment(S, i, i + 2, e, e, false);
			i = e;
		} else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
			size_t e = i + 2;
			while (e + 1 < n && !(t[e] == '*' && t[e + 1] == '/'))
				e++;
			bool closed = e + 1 < n;
			comment(S, i, i + 2, closed ? e : n, closed ? e + 2 : n, true);
			i = closed ? e + 2 : n;
		} else if (c == '"' || c == '\'') {
			/* A literal ends at its quote or, unterminated, at the
			 * end of the line (an apostrophe in #error text). */
			size_t j = i + 1;
			mark_code(S, i);
			while (j < n && t[j] != c && t[j] != '\n')
				j += t[j] == '\\' && j + 1 < n ? 2 : 1;
			i = j < n && t[j] == c ? j + 1 : j;
		} else if (isalpha((unsigned char)c) || c == '_') {
			size_t j = i, k;
			while (j < n && is_ident_char(t[j]))
				j++;
			mark_code(S, i);
			for (k = j; k < n && (t[k] == ' ' || t[k] == '\t'); k++)
				;
			if (k < n && t[k] == '(' && !is_keyword(t + i, j - i)) {
				candidate cd = { line_of(S, i), i, j - i };
				lc_vec_push(&S->cands, cd);
			}
			i = j;
		} else if (isdigit((unsigned char)c)) {
			/* A pp-number, with C23 digit separators and exponents. */
			size_t j = i + 1;
			mark_code(S, i);
			while (j < n && (is_ident_char(t[j]) || t[j] == '.' ||
					 (t[j] == '\'' && j + 1 < n && isalnum((unsigned char)t[j + 1])) ||
					 ((t[j] == '+' || t[j] == '-') && strchr("eEpP", t[j - 1]))))
				j++;
			i = j;
		} else {
			if (!isspace((unsigned char)c))
				mark_code(S, i);
			i++;
		}
	}
}

/* Identifiers before '(' on `line`, as arena strings; returns the count. */
static size_t names_on_line(scan *S, unsigned line, const char *const **out)
{
	size_t first = S->cands.len, count = 0;
	for (size_t i = 0; i < S->cands.len; i++) {
		if (S->cands.ptr[i].line == line) {
			if (first == S->cands.len)
				first = i;
			count++;
		}
	}
	if (!count)
		return 0;
	const char **names = lc_arena_alloc(S->st->arena, count * sizeof(*names));
	for (size_t i = 0; i < count; i++)
		names[i] = lc_arena_strndup(S->st->arena, S->t + S->cands.ptr[first + i].start,
					    S->cands.ptr[first + i].len);
	*out = names;
	return count;
}

/* The definition a -function directive is about: its own line when that
 * line has "name(" in it, else the first such line below the comment. */
static bool resolve_function(scan *S, pending *p)
{
	const char *const *names = NULL;
	size_t n = names_on_line(S, p->first_line, &names);
	unsigned line = p->first_line;
	if (!n) {
		unsigned code_lines = 0;
		for (line = p->last_line + 1;
		     line <= S->nlines && line <= p->last_line + LOOKAHEAD_LINES; line++) {
			if ((n = names_on_line(S, line, &names)) != 0)
				break;
			if (S->code[line] && ++code_lines >= LOOKAHEAD_CODE_LINES)
				break;
		}
	}
	if (!n)
		return false;
	p->s.target_line = line;
	p->s.functions = names;
	p->s.nfunctions = n;
	return true;
}

void lc_suppress_scan(lc_suppress_stats *st, const char *file, const char *text, size_t len)
{
	scan S;
	char *norm = lc_path_normalize(file, NULL);
	const char *path = lc_arena_strdup(st->arena, norm);
	free(norm);
	scan_init(&S, st, path, text, len);
	lex(&S);
	for (size_t i = 0; i < S.found.len; i++) {
		pending *p = &S.found.ptr[i];
		if (p->s.kind == LC_SUPPRESS_FUNCTION && !resolve_function(&S, p)) {
			problem(&S, p->at, "'%s' is neither on nor just above a function definition",
				p->s.directive);
			continue;
		}
		lc_vec_push(&st->suppressions, p->s);
	}
	scan_release(&S);
}

/* ---- matching ----------------------------------------------------------- */

bool lc_suppress_rule_matches(const char *pattern, const char *rule)
{
	if (!pattern || !rule)
		return false;
	if (!strchr(pattern, '/') && !strpbrk(pattern, "*?")) {
		/* A bare family: "blocking" means every "blocking/" rule. */
		size_t n = strlen(pattern);
		return strncmp(pattern, rule, n) == 0 && rule[n] == '/';
	}
	return lc_glob_match(pattern, rule);
}

static bool rules_match(const lc_suppression *s, const char *rule)
{
	if (s->nrules == 0)
		return true;
	for (size_t i = 0; i < s->nrules; i++)
		if (lc_suppress_rule_matches(s->rules[i], rule))
			return true;
	return false;
}

/* Normalized paths of the result's files, each computed once. */
typedef struct paths {
	lc_strmap map;              /* raw path (in the result) -> id */
	LC_VEC(char *) norm;        /* by id, heap */
} paths;

static const char *norm_path(paths *P, const char *raw)
{
	int added = 0;
	if (!raw)
		return NULL;
	uint32_t id = lc_strmap_intern(&P->map, raw, &added);
	if (added)
		lc_vec_push(&P->norm, lc_path_normalize(raw, NULL));
	return P->norm.ptr[id];
}

static void paths_free(paths *P)
{
	for (size_t i = 0; i < P->norm.len; i++)
		free(P->norm.ptr[i]);
	lc_vec_free(&P->norm);
	lc_strmap_free(&P->map);
}

static bool names_function(const lc_suppression *s, const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < s->nfunctions; i++)
		if (strcmp(s->functions[i], name) == 0)
			return true;
	return false;
}

/* Is `name`, a function whose code is at `where`, the one `s` is on? */
static bool at_function(const lc_suppression *s, paths *P, const char *name, const lc_loc *where)
{
	if (!names_function(s, name) || !where->file)
		return false;
	return strcmp(norm_path(P, where->file), s->file) == 0;
}

static bool function_matches(const lc_suppression *s, paths *P, const lc_finding *f)
{
	for (size_t i = 0; i < f->nchain; i++) {
		const lc_step *st = &f->chain[i];
		/* The registering function is not on the path the loop runs. */
		if (st->kind == LC_STEP_REGISTRATION)
			continue;
		if (at_function(s, P, st->function, &st->loc))
			return true;
	}
	return at_function(s, P, f->entry.callback, &f->entry.definition) ||
	       at_function(s, P, f->function, &f->loc);
}

static bool matches(const lc_suppression *s, paths *P, const lc_finding *f)
{
	if (s->kind == LC_SUPPRESS_FUNCTION) {
		if (!function_matches(s, P, f))
			return false;
	} else if (!f->loc.file || f->loc.line != s->target_line ||
		   strcmp(norm_path(P, f->loc.file), s->file) != 0) {
		return false;
	}
	return rules_match(s, f->rule ? f->rule : "");
}

size_t lc_suppress_match(lc_suppress_stats *st, lc_result *r)
{
	paths P;
	size_t newly = 0;

	memset(&P, 0, sizeof(P));
	for (size_t i = 0; i < r->findings.len; i++) {
		lc_finding *f = &r->findings.ptr[i];
		const lc_suppression *best = NULL; /* the most specific with a reason */
		bool hit = false;
		for (size_t k = 0; k < st->suppressions.len; k++) {
			lc_suppression *s = &st->suppressions.ptr[k];
			if (!matches(s, &P, f))
				continue;
			s->uses++;
			hit = true;
			if (s->reason && (!best || (best->kind == LC_SUPPRESS_FUNCTION &&
						    s->kind != LC_SUPPRESS_FUNCTION)))
				best = s;
		}
		if (hit && !f->suppressed) {
			f->suppressed = true;
			f->suppression_reason = best ? lc_arena_strdup(r->arena, best->reason) : NULL;
			newly++;
		}
	}
	paths_free(&P);
	return newly;
}

/* ---- the stage ---------------------------------------------------------- */

typedef struct files_seen {
	lc_strmap map; /* normalized paths, in the stats' arena */
} files_seen;

static void scan_file(lc_suppress_stats *st, files_seen *seen, const char *path)
{
	int added = 0;
	size_t len;
	if (!path || !*path)
		return;
	char *norm = lc_path_normalize(path, NULL);
	lc_strmap_intern(&seen->map, lc_arena_strdup(st->arena, norm), &added);
	if (added) {
		char *text = lc_read_file(norm, &len);
		if (text) {
			lc_suppress_scan(st, norm, text, len);
			st->files_scanned++;
			free(text);
		} else {
			st->files_unreadable++;
		}
	}
	free(norm);
}

void lc_suppress_apply(lc_result *r, const char *const *files, size_t nfiles,
		       lc_suppress_stats *out)
{
	files_seen seen;
	memset(&seen, 0, sizeof(seen));
	for (size_t i = 0; i < nfiles; i++)
		scan_file(out, &seen, files[i]);
	for (size_t i = 0; i < r->findings.len; i++) {
		const lc_finding *f = &r->findings.ptr[i];
		scan_file(out, &seen, f->loc.file);
		scan_file(out, &seen, f->entry.definition.file);
		scan_file(out, &seen, f->entry.registration.file);
		for (size_t k = 0; k < f->nchain; k++)
			scan_file(out, &seen, f->chain[k].loc.file);
	}
	lc_strmap_free(&seen.map);
	out->suppressed += lc_suppress_match(out, r);
}

size_t lc_suppress_unused_count(const lc_suppress_stats *st)
{
	size_t n = 0;
	for (size_t i = 0; i < st->suppressions.len; i++)
		n += st->suppressions.ptr[i].uses == 0;
	return n;
}

static void tell(const char *file, unsigned line, unsigned column, const char *message,
		 const char *id, const lc_report_opts *opts, FILE *err, lc_result *r)
{
	if (err) {
		char *path = lc_report_path(file, opts);
		fprintf(err, "%s:%u:%u: warning: %s [%s]\n", path, line, column, message, id);
		free(path);
	}
	if (r) {
		lc_error e;
		memset(&e, 0, sizeof(e));
		e.kind = LC_ERR_NOTICE;
		e.file = lc_arena_strdup(r->arena, file);
		e.loc.file = e.file;
		e.loc.line = line;
		e.loc.column = column;
		e.message = lc_arena_strdup(r->arena, message);
		e.id = id;
		lc_vec_push(&r->errors, e);
	}
}

void lc_suppress_report(const lc_suppress_stats *st, bool unused, const lc_report_opts *opts,
			FILE *err, lc_result *r)
{
	for (size_t i = 0; i < st->problems.len; i++) {
		const lc_suppress_problem *p = &st->problems.ptr[i];
		tell(p->file, p->line, p->column, p->message, "loopcheck/invalid-suppression", opts,
		     err, r);
	}
	if (!unused)
		return;
	for (size_t i = 0; i < st->suppressions.len; i++) {
		const lc_suppression *s = &st->suppressions.ptr[i];
		if (s->uses)
			continue;
		char *msg = lc_xasprintf("unused loopcheck suppression '%s'", s->directive);
		tell(s->file, s->line, s->column, msg, "loopcheck/unused-suppression", opts, err, r);
		free(msg);
	}
}
