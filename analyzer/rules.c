/* rules.c - load and query profiles and catalogues (see rules.h).
 *
 * The JSON files of rules/ are data written by us, but a user's config file
 * in the same schema is not, and a typo in it must not silently disable a
 * registrar. So the loader is strict: every object is checked for unknown
 * and duplicate keys, every value for its type and range, every rule id
 * against the loaded rules, and each error names the file, the line and
 * column of the offending key or value, and its key path.
 *
 * cJSON keeps no source positions, so errors are located afterwards by a
 * small scanner (locate()) that walks the raw text along the key path. cJSON
 * keeps object members in source order (duplicates included), so "member N
 * of this object" identifies a key in the text exactly.
 *
 * A failed load leaves the ruleset as it was before the call (the vectors
 * are truncated back; strings already copied stay in the arena until
 * lc_ruleset_free).
 */
#include "rules.h"
#include "embedded.h"
#include "util.h"

#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LC_MAX_ARG 31        /* largest accepted argument index */
#define LC_MAX_DEPTH 16      /* deepest key path the schema can produce */
#define LC_MAX_EXACT 9007199254740992.0 /* 2^53: doubles hold integers exactly below */

const char *lc_context_name(lc_context c)
{
	switch (c) {
	case LC_CTX_LOOP:
		return "loop";
	case LC_CTX_WORKER:
		return "worker";
	case LC_CTX_THREAD:
		return "thread";
	}
	return "?";
}

const char *lc_severity_name(lc_severity s)
{
	switch (s) {
	case LC_SEV_NOTE:
		return "note";
	case LC_SEV_WARNING:
		return "warning";
	case LC_SEV_ERROR:
		return "error";
	}
	return "?";
}

lc_ruleset *lc_ruleset_new(void)
{
	lc_ruleset *rs = lc_xcalloc(1, sizeof(*rs));
	rs->arena = lc_arena_new();
	return rs;
}

void lc_ruleset_free(lc_ruleset *rs)
{
	if (!rs)
		return;
	lc_vec_free(&rs->rules);
	lc_vec_free(&rs->profiles);
	lc_vec_free(&rs->registrars);
	lc_vec_free(&rs->fields);
	lc_vec_free(&rs->entry_fns);
	lc_vec_free(&rs->iterations);
	lc_vec_free(&rs->blocking);
	lc_vec_free(&rs->fd_sources);
	lc_vec_free(&rs->fd_setters);
	lc_arena_free(rs->arena);
	free(rs);
}

/* ---- positions in the raw text ----------------------------------------- */

/* One step of a key path: member `index` of an object (named `key`, for
 * messages), or element `index` of an array (key NULL). */
typedef struct seg {
	const char *key;
	int index;
} seg;

static size_t skip_ws(const char *t, size_t n, size_t i)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* At an opening quote; returns the offset after the closing one (or n). */
static size_t skip_string(const char *t, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return n;
}

/* At the first character of a value; returns the offset after it. */
static size_t skip_value(const char *t, size_t n, size_t i)
{
	if (i >= n)
		return n;
	if (t[i] == '"')
		return skip_string(t, n, i);
	if (t[i] == '{' || t[i] == '[') {
		size_t depth = 0;
		while (i < n) {
			char c = t[i];
			if (c == '"') {
				i = skip_string(t, n, i);
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return i + 1;
			i++;
		}
		return n;
	}
	while (i < n && !strchr(",}] \t\r\n", t[i]))
		i++;
	return i;
}

/* Offset of the value at `path` (or of its key, when `want_key` and the last
 * step is an object member). Returns (size_t)-1 if the text does not have
 * the expected shape (it always does after a successful parse). */
static size_t locate(const char *t, size_t n, const seg *path, int depth, bool want_key)
{
	size_t i = skip_ws(t, n, 0);
	for (int s = 0; s < depth; s++) {
		bool last = s == depth - 1;
		if (i >= n)
			return (size_t)-1;
		if (path[s].key) {
			if (t[i] != '{')
				return (size_t)-1;
			i++;
			for (int m = 0;; m++) {
				i = skip_ws(t, n, i);
				if (i >= n || t[i] != '"')
					return (size_t)-1;
				size_t keypos = i;
				i = skip_ws(t, n, skip_string(t, n, i));
				if (i >= n || t[i] != ':')
					return (size_t)-1;
				i = skip_ws(t, n, i + 1);
				if (m == path[s].index) {
					if (last && want_key)
						return keypos;
					break;
				}
				i = skip_ws(t, n, skip_value(t, n, i));
				if (i >= n || t[i] != ',')
					return (size_t)-1;
				i++;
			}
		} else {
			if (t[i] != '[')
				return (size_t)-1;
			i++;
			for (int m = 0;; m++) {
				i = skip_ws(t, n, i);
				if (m == path[s].index)
					break;
				i = skip_ws(t, n, skip_value(t, n, i));
				if (i >= n || t[i] != ',')
					return (size_t)-1;
				i++;
			}
		}
	}
	return i;
}

static void offset_to_linecol(const char *t, size_t n, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	if (off == (size_t)-1)
		return;
	if (off > n)
		off = n;
	size_t bol = 0;
	for (size_t i = 0; i < off; i++) {
		if (t[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	}
	*col = (unsigned)(off - bol + 1);
}

/* ---- the loader -------------------------------------------------------- */

typedef struct loader {
	lc_ruleset *rs;
	const char *path;    /* for messages */
	const char *text;
	size_t len;
	char *err;           /* the first error, heap */
	seg segs[LC_MAX_DEPTH];
	int depth;
	const char *profile; /* arena copies; NULL in a catalogue */
	const char *family;
} loader;

static void path_text(lc_sb *sb, const seg *segs, int depth)
{
	for (int i = 0; i < depth; i++) {
		if (segs[i].key)
			lc_sb_addf(sb, "%s%s", i ? "." : "", segs[i].key);
		else
			lc_sb_addf(sb, "[%d]", segs[i].index);
	}
}

/* Record an error located at the current path (its key when `at_key`).
 * `where` says how the message ends: with " (containing path)" or nothing. */
enum { WHERE_PAREN, WHERE_NONE };

static int verror(loader *L, bool at_key, int where, const char *fmt, va_list ap)
{
	if (L->err)
		return -1;
	unsigned line, col;
	size_t off = locate(L->text, L->len, L->segs, L->depth, at_key);
	offset_to_linecol(L->text, L->len, off, &line, &col);
	lc_sb sb;
	lc_sb_init(&sb);
	lc_sb_addf(&sb, "%s:%u:%u: ", L->path, line, col);
	char small[256];
	va_list cp;
	va_copy(cp, ap);
	int need = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (need >= 0 && (size_t)need < sizeof(small)) {
		lc_sb_add(&sb, small);
	} else if (need > 0) {
		char *msg = lc_xmalloc((size_t)need + 1);
		vsnprintf(msg, (size_t)need + 1, fmt, ap);
		lc_sb_add(&sb, msg);
		free(msg);
	}
	/* The containing object's path: the current one minus the member the
	 * error is about, when the error is about a member. */
	int d = L->depth;
	if (d > 0 && L->segs[d - 1].key)
		d--;
	if (where == WHERE_PAREN && d > 0) {
		lc_sb_add(&sb, " (");
		path_text(&sb, L->segs, d);
		lc_sb_addc(&sb, ')');
	}
	/* One line, whatever the document's keys hold. */
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7f)
			sb.buf[i] = '?';
	L->err = lc_sb_detach(&sb);
	return -1;
}

static int fail(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(L, false, WHERE_PAREN, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_key(loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_key(loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(L, true, WHERE_NONE, fmt, ap);
	va_end(ap);
	return -1;
}

/* Where the member being looked at is: "in registrars[0]" or "at the top
 * level". Heap string. */
static char *container_text(const loader *L)
{
	lc_sb sb;
	lc_sb_init(&sb);
	int d = L->depth;
	if (d > 0 && L->segs[d - 1].key)
		d--;
	if (d == 0) {
		lc_sb_add(&sb, "at the top level");
	} else {
		lc_sb_add(&sb, "in ");
		path_text(&sb, L->segs, d);
	}
	return lc_sb_detach(&sb);
}

static void push_member(loader *L, const cJSON *obj, const cJSON *child)
{
	int idx = 0;
	for (const cJSON *c = obj->child; c && c != child; c = c->next)
		idx++;
	if (L->depth >= LC_MAX_DEPTH)
		lc_bug("rules: key path deeper than %d", LC_MAX_DEPTH);
	L->segs[L->depth].key = child->string;
	L->segs[L->depth].index = idx;
	L->depth++;
}

static void push_elem(loader *L, int idx)
{
	if (L->depth >= LC_MAX_DEPTH)
		lc_bug("rules: key path deeper than %d", LC_MAX_DEPTH);
	L->segs[L->depth].key = NULL;
	L->segs[L->depth].index = idx;
	L->depth++;
}

static void pop(loader *L)
{
	L->depth--;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The value at the current path must be an object whose keys are all in
 * `allowed` (or "$comment") and appear once. */
static int check_object(loader *L, const cJSON *obj, const char *what, const char *const *allowed)
{
	if (!cJSON_IsObject(obj))
		return fail(L, "%s must be an object", what);
	for (const cJSON *c = obj->child; c; c = c->next) {
		for (const cJSON *d = obj->child; d != c; d = d->next) {
			if (strcmp(c->string, d->string) == 0) {
				push_member(L, obj, c);
				char *where = container_text(L);
				fail_key(L, "duplicate key \"%s\" %s", c->string, where);
				free(where);
				pop(L);
				return -1;
			}
		}
		if (strcmp(c->string, "$comment") != 0 && !in_list(c->string, allowed)) {
			push_member(L, obj, c);
			char *where = container_text(L);
			fail_key(L, "unknown key \"%s\" %s", c->string, where);
			free(where);
			pop(L);
			return -1;
		}
	}
	return 0;
}

static const char *arena_str(loader *L, const char *s)
{
	return lc_arena_strdup(L->rs->arena, s);
}

/* A string member. Missing: error when `required`, else *out = NULL. */
static int get_string(loader *L, const cJSON *obj, const char *key, bool required,
		      const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return fail(L, "missing required key \"%s\"", key);
		return 0;
	}
	push_member(L, obj, v);
	int rc = 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		rc = fail(L, "\"%s\" must be a string", key);
	else if (v->valuestring[0] == '\0')
		rc = fail(L, "\"%s\" must not be empty", key);
	else
		*out = arena_str(L, v->valuestring);
	pop(L);
	return rc;
}

static bool is_integer(const cJSON *v)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	       v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) <= LC_MAX_EXACT;
}

/* An integer member in [min, max]. *present tells whether it was there. */
static int get_int(loader *L, const cJSON *obj, const char *key, bool required, long long min,
		   long long max, const char *what, long long *out, bool *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*present = v != NULL;
	if (!v) {
		if (required)
			return fail(L, "missing required key \"%s\"", key);
		return 0;
	}
	push_member(L, obj, v);
	int rc = 0;
	if (!is_integer(v) || v->valuedouble < (double)min || v->valuedouble > (double)max)
		rc = fail(L, "\"%s\" must be %s", key, what);
	else
		*out = (long long)v->valuedouble;
	pop(L);
	return rc;
}

#define ARG_RANGE "an argument index from 0 to 31 (0 is the first argument)"

static int get_arg(loader *L, const cJSON *obj, const char *key, bool required, int *out)
{
	long long v = -1;
	bool present;
	if (get_int(L, obj, key, required, 0, LC_MAX_ARG, ARG_RANGE, &v, &present) < 0)
		return -1;
	*out = present ? (int)v : -1;
	return 0;
}

static int get_bool(loader *L, const cJSON *obj, const char *key, bool *out, bool *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*present = v != NULL;
	if (!v)
		return 0;
	push_member(L, obj, v);
	int rc = 0;
	if (!cJSON_IsBool(v))
		rc = fail(L, "\"%s\" must be true or false", key);
	else
		*out = cJSON_IsTrue(v);
	pop(L);
	return rc;
}

/* An array member; *out is NULL when absent. */
static int get_array(loader *L, const cJSON *obj, const char *key, bool required,
		     const cJSON **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (!v) {
		if (required)
			return fail(L, "missing required key \"%s\"", key);
		return 0;
	}
	if (!cJSON_IsArray(v)) {
		push_member(L, obj, v);
		fail(L, "\"%s\" must be an array", key);
		pop(L);
		return -1;
	}
	*out = v;
	return 0;
}

/* One of a fixed set of words; returns its index in `words`. */
static int get_word(loader *L, const cJSON *obj, const char *key, bool required,
		    const char *const *words, int dflt, int *out)
{
	const char *s;
	*out = dflt;
	if (get_string(L, obj, key, required, &s) < 0)
		return -1;
	if (!s)
		return 0;
	for (int i = 0; words[i]; i++) {
		if (strcmp(s, words[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	lc_sb sb;
	lc_sb_init(&sb);
	for (int i = 0; words[i]; i++)
		lc_sb_addf(&sb, "%s\"%s\"", i ? ", " : "", words[i]);
	push_member(L, obj, cJSON_GetObjectItemCaseSensitive(obj, key));
	fail(L, "\"%s\" must be one of %s, not \"%s\"", key, sb.buf, s);
	pop(L);
	lc_sb_release(&sb);
	return -1;
}

static const char *const context_words[] = {"loop", "worker", "thread", NULL};
static const char *const severity_words[] = {"note", "warning", "error", NULL};
static const char *const precision_words[] = {"very-high", "high", "medium", "low", NULL};
static const char *const produces_words[] = {"file", "socket", NULL};

/* ---- conditions -------------------------------------------------------- */

static const char *const cond_keys[] = {"arg", "null", "in", "has_bits", "text_contains",
					 "and", NULL};

static int load_conds(loader *L, const cJSON *obj, const char *key, lc_cond **out, size_t *nout);

static int load_cond(loader *L, const cJSON *obj, lc_cond *c)
{
	memset(c, 0, sizeof(*c));
	if (check_object(L, obj, "a condition", cond_keys) < 0)
		return -1;
	if (get_arg(L, obj, "arg", true, &c->arg) < 0)
		return -1;

	bool present = false, isnull = false;
	if (get_bool(L, obj, "null", &isnull, &present) < 0)
		return -1;
	if (present && !isnull) {
		push_member(L, obj, cJSON_GetObjectItemCaseSensitive(obj, "null"));
		fail(L, "\"null\": false is not a condition; use \"unless\" with \"null\": true");
		pop(L);
		return -1;
	}
	c->null = isnull;
	bool any = isnull;

	const cJSON *in;
	if (get_array(L, obj, "in", false, &in) < 0)
		return -1;
	if (in) {
		push_member(L, obj, in);
		int n = cJSON_GetArraySize(in);
		if (n == 0) {
			fail(L, "\"in\" must not be empty");
			pop(L);
			return -1;
		}
		c->in_text = lc_arena_alloc(L->rs->arena, (size_t)n * sizeof(*c->in_text));
		c->in_int = lc_arena_alloc(L->rs->arena, (size_t)n * sizeof(*c->in_int));
		int i = 0;
		for (const cJSON *e = in->child; e; e = e->next, i++) {
			if (cJSON_IsString(e) && e->valuestring && e->valuestring[0]) {
				c->in_text[c->nin_text++] = arena_str(L, e->valuestring);
			} else if (is_integer(e)) {
				c->in_int[c->nin_int++] = (long long)e->valuedouble;
			} else {
				push_elem(L, i);
				fail(L, "members of \"in\" must be names (strings) or integers");
				pop(L);
				pop(L);
				return -1;
			}
		}
		pop(L);
		any = true;
	}

	long long bits = 0;
	if (get_int(L, obj, "has_bits", false, 1, LLONG_MAX, "a positive integer", &bits,
		    &present) < 0)
		return -1;
	if (present) {
		c->has_bits = bits;
		any = true;
	}

	if (get_string(L, obj, "text_contains", false, &c->text_contains) < 0)
		return -1;
	if (c->text_contains)
		any = true;

	if (!any)
		return fail(L, "a condition needs one of \"null\", \"in\", \"has_bits\" or "
			       "\"text_contains\"");
	/* "and": conditions on other arguments that must hold as well
	 * (getnameinfo needs no lookup with NI_NUMERICHOST and no service). */
	return load_conds(L, obj, "and", &c->and, &c->nand);
}

/* An optional array of conditions under `key`. */
static int load_conds(loader *L, const cJSON *obj, const char *key, lc_cond **out, size_t *nout)
{
	const cJSON *arr;
	*out = NULL;
	*nout = 0;
	if (get_array(L, obj, key, false, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	int n = cJSON_GetArraySize(arr);
	if (n == 0)
		return 0;
	lc_cond *conds = lc_arena_alloc(L->rs->arena, (size_t)n * sizeof(*conds));
	push_member(L, obj, arr);
	int i = 0;
	for (const cJSON *e = arr->child; e; e = e->next, i++) {
		push_elem(L, i);
		int rc = load_cond(L, e, &conds[i]);
		pop(L);
		if (rc < 0) {
			pop(L);
			return -1;
		}
	}
	pop(L);
	*out = conds;
	*nout = (size_t)n;
	return 0;
}

/* ---- entries ----------------------------------------------------------- */

/* Run `fn` on each element of the optional array `key` of `obj`. */
typedef int (*elem_fn)(loader *L, const cJSON *elem);

static int each(loader *L, const cJSON *obj, const char *key, elem_fn fn)
{
	const cJSON *arr;
	if (get_array(L, obj, key, false, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	push_member(L, obj, arr);
	int i = 0, rc = 0;
	for (const cJSON *e = arr->child; e && rc == 0; e = e->next, i++) {
		push_elem(L, i);
		rc = fn(L, e);
		pop(L);
	}
	pop(L);
	return rc;
}

static const char *const registrar_keys[] = {"function", "callbacks", NULL};
static const char *const callback_keys[] = {"arg", "context", "kind", NULL};

static int load_registrar(loader *L, const cJSON *obj)
{
	const char *function;
	const cJSON *cbs;
	if (check_object(L, obj, "a registrar", registrar_keys) < 0 ||
	    get_string(L, obj, "function", true, &function) < 0 ||
	    get_array(L, obj, "callbacks", true, &cbs) < 0)
		return -1;
	push_member(L, obj, cbs);
	if (!cbs->child) {
		fail(L, "\"callbacks\" must not be empty");
		pop(L);
		return -1;
	}
	int i = 0;
	for (const cJSON *e = cbs->child; e; e = e->next, i++) {
		lc_registrar r = {.function = function, .profile = L->profile, .family = L->family};
		int ctx;
		push_elem(L, i);
		if (check_object(L, e, "a callback", callback_keys) < 0 ||
		    get_arg(L, e, "arg", true, &r.arg) < 0 ||
		    get_word(L, e, "context", false, context_words, LC_CTX_LOOP, &ctx) < 0 ||
		    get_string(L, e, "kind", false, &r.kind) < 0) {
			L->depth -= 2;
			return -1;
		}
		pop(L);
		r.context = (lc_context)ctx;
		if (!r.kind)
			r.kind = "callback";
		lc_vec_push(&L->rs->registrars, r);
	}
	pop(L);
	return 0;
}

static const char *const field_keys[] = {"field", "context", "kind", NULL};

static int load_field(loader *L, const cJSON *obj)
{
	lc_field_entry f = {.profile = L->profile, .family = L->family};
	int ctx;
	if (check_object(L, obj, "a field", field_keys) < 0 ||
	    get_string(L, obj, "field", true, &f.field) < 0 ||
	    get_word(L, obj, "context", false, context_words, LC_CTX_LOOP, &ctx) < 0 ||
	    get_string(L, obj, "kind", false, &f.kind) < 0)
		return -1;
	f.context = (lc_context)ctx;
	if (!f.kind)
		f.kind = "callback";
	lc_vec_push(&L->rs->fields, f);
	return 0;
}

static const char *const entry_keys[] = {"function", "context", "kind", NULL};

static int load_entry_fn(loader *L, const cJSON *obj)
{
	lc_entry_fn f = {.profile = L->profile, .family = L->family};
	int ctx;
	if (check_object(L, obj, "an entry", entry_keys) < 0 ||
	    get_string(L, obj, "function", true, &f.function) < 0 ||
	    get_word(L, obj, "context", false, context_words, LC_CTX_LOOP, &ctx) < 0 ||
	    get_string(L, obj, "kind", false, &f.kind) < 0)
		return -1;
	f.context = (lc_context)ctx;
	if (!f.kind)
		f.kind = "callback";
	lc_vec_push(&L->rs->entry_fns, f);
	return 0;
}

static const char *const iteration_keys[] = {"function", "when", NULL};

static int load_iteration(loader *L, const cJSON *obj)
{
	lc_iteration it = {.profile = L->profile, .family = L->family};
	if (check_object(L, obj, "an iteration", iteration_keys) < 0 ||
	    get_string(L, obj, "function", true, &it.function) < 0 ||
	    load_conds(L, obj, "when", &it.when, &it.nwhen) < 0)
		return -1;
	lc_vec_push(&L->rs->iterations, it);
	return 0;
}

static const char *const blocking_keys[] = {"function", "rule",	    "category", "reason",
					    "alternative", "severity", "when",	   "unless",
					    "fd_arg",	   "fd_stream_only", NULL};

static int load_blocking(loader *L, const cJSON *obj)
{
	lc_blocking b = {.profile = L->profile, .fd_arg = -1};
	int sev;
	if (check_object(L, obj, "a blocking entry", blocking_keys) < 0 ||
	    get_string(L, obj, "function", true, &b.function) < 0 ||
	    get_string(L, obj, "rule", true, &b.rule) < 0)
		return -1;
	const lc_rule_info *rule = lc_ruleset_rule(L->rs, b.rule);
	if (!rule) {
		lc_sb known;
		lc_sb_init(&known);
		for (size_t i = 0; i < L->rs->rules.len; i++)
			lc_sb_addf(&known, "%s%s", i ? ", " : "", L->rs->rules.ptr[i].id);
		push_member(L, obj, cJSON_GetObjectItemCaseSensitive(obj, "rule"));
		fail(L, "unknown rule \"%s\" (known: %s)", b.rule,
		     known.len ? known.buf : "none; load rules.json first");
		pop(L);
		lc_sb_release(&known);
		return -1;
	}
	b.rule = rule->id;
	if (get_string(L, obj, "category", false, &b.category) < 0 ||
	    get_string(L, obj, "reason", true, &b.reason) < 0 ||
	    get_string(L, obj, "alternative", false, &b.alternative) < 0 ||
	    get_word(L, obj, "severity", false, severity_words, -1, &sev) < 0 ||
	    load_conds(L, obj, "when", &b.when, &b.nwhen) < 0 ||
	    load_conds(L, obj, "unless", &b.unless, &b.nunless) < 0 ||
	    get_arg(L, obj, "fd_arg", false, &b.fd_arg) < 0)
		return -1;
	bool present = false;
	if (get_bool(L, obj, "fd_stream_only", &b.fd_stream_only, &present) < 0)
		return -1;
	if (b.fd_stream_only && b.fd_arg < 0)
		return fail(L, "\"fd_stream_only\" needs \"fd_arg\"");
	if (!b.category)
		b.category = rule->category;
	if (sev >= 0) {
		b.severity = (lc_severity)sev;
		b.has_severity = true;
	} else {
		b.severity = rule->severity;
	}
	lc_vec_push(&L->rs->blocking, b);
	return 0;
}

static const char *const descriptor_keys[] = {"function", "produces", "nonblocking_if",
					      "datagram_if", NULL};

static int load_descriptor(loader *L, const cJSON *obj)
{
	lc_fd_source s = {0};
	int produces;
	if (check_object(L, obj, "a descriptor source", descriptor_keys) < 0 ||
	    get_string(L, obj, "function", true, &s.function) < 0 ||
	    get_word(L, obj, "produces", true, produces_words, 0, &produces) < 0 ||
	    load_conds(L, obj, "nonblocking_if", &s.nonblocking_if, &s.nnonblocking_if) < 0 ||
	    load_conds(L, obj, "datagram_if", &s.datagram_if, &s.ndatagram_if) < 0)
		return -1;
	s.is_socket = produces == 1;
	lc_vec_push(&L->rs->fd_sources, s);
	return 0;
}

static const char *const setter_keys[] = {"function", "fd_arg", "when", NULL};

static int load_setter(loader *L, const cJSON *obj)
{
	lc_fd_setter s = {0};
	if (check_object(L, obj, "a non-blocking setter", setter_keys) < 0 ||
	    get_string(L, obj, "function", true, &s.function) < 0 ||
	    get_arg(L, obj, "fd_arg", true, &s.fd_arg) < 0 ||
	    load_conds(L, obj, "when", &s.when, &s.nwhen) < 0)
		return -1;
	lc_vec_push(&L->rs->fd_setters, s);
	return 0;
}

static const char *const rule_keys[] = {"id",	    "name",	"short", "full", "category",
					"severity", "precision", "tags",  NULL};

static bool valid_rule_id(const char *id)
{
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '/'))
			return false;
	return id[0] != '/' && id[strlen(id) - 1] != '/';
}

static int load_rule(loader *L, const cJSON *obj)
{
	lc_rule_info r = {0};
	int sev, prec;
	const cJSON *tags;
	if (check_object(L, obj, "a rule", rule_keys) < 0 ||
	    get_string(L, obj, "id", true, &r.id) < 0)
		return -1;
	if (!valid_rule_id(r.id)) {
		push_member(L, obj, cJSON_GetObjectItemCaseSensitive(obj, "id"));
		fail(L, "rule id \"%s\" may hold only a-z, 0-9, '-', '_' and '/'", r.id);
		pop(L);
		return -1;
	}
	if (lc_ruleset_rule(L->rs, r.id)) {
		push_member(L, obj, cJSON_GetObjectItemCaseSensitive(obj, "id"));
		fail(L, "rule \"%s\" is already defined", r.id);
		pop(L);
		return -1;
	}
	if (get_string(L, obj, "name", true, &r.name) < 0 ||
	    get_string(L, obj, "short", true, &r.short_desc) < 0 ||
	    get_string(L, obj, "full", true, &r.full_desc) < 0 ||
	    get_string(L, obj, "category", true, &r.category) < 0 ||
	    get_word(L, obj, "severity", false, severity_words, LC_SEV_WARNING, &sev) < 0 ||
	    get_word(L, obj, "precision", false, precision_words, 1, &prec) < 0 ||
	    get_array(L, obj, "tags", false, &tags) < 0)
		return -1;
	r.severity = (lc_severity)sev;
	r.precision = precision_words[prec];
	if (tags) {
		int n = cJSON_GetArraySize(tags);
		r.tags = lc_arena_alloc(L->rs->arena, (size_t)(n ? n : 1) * sizeof(*r.tags));
		push_member(L, obj, tags);
		int i = 0;
		for (const cJSON *e = tags->child; e; e = e->next, i++) {
			if (!cJSON_IsString(e) || !e->valuestring || !e->valuestring[0]) {
				push_elem(L, i);
				fail(L, "tags must be non-empty strings");
				L->depth -= 2;
				return -1;
			}
			r.tags[r.ntags++] = arena_str(L, e->valuestring);
		}
		pop(L);
	}
	/* docs/rules/<id with '/' as '-'>.md, compiled in by scripts/embed.cmake */
	char *doc = lc_xasprintf("docs/rules/%s.md", r.id);
	for (char *p = doc + strlen("docs/rules/"); *p; p++)
		if (*p == '/')
			*p = '-';
	const lc_embedded_file *f = lc_embedded_find(doc);
	free(doc);
	r.help_markdown = f ? f->data : NULL;
	lc_vec_push(&L->rs->rules, r);
	return 0;
}

/* ---- documents --------------------------------------------------------- */

static const char *const profile_doc_keys[] = {
	"$schema", "profile",	  "family",	 "description",		"registrars",
	"fields",  "entries",	  "blocking",	 "descriptors", "nonblocking_setters",
	"advice",  "iterations", NULL};
static const char *const catalogue_doc_keys[] = {
	"$schema",     "catalogue",	     "description", "blocking",
	"descriptors", "nonblocking_setters", NULL};
static const char *const rules_doc_keys[] = {"$schema", "description", "rules", NULL};

static bool valid_profile_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* The keys a profile and a catalogue share. */
static int load_catalogue(loader *L, const cJSON *root)
{
	if (each(L, root, "blocking", load_blocking) < 0 ||
	    each(L, root, "descriptors", load_descriptor) < 0 ||
	    each(L, root, "nonblocking_setters", load_setter) < 0)
		return -1;
	return 0;
}

static int load_root(loader *L, const cJSON *root)
{
	if (!cJSON_IsObject(root))
		return fail(L, "the document must be a JSON object");
	const char *description, *schema;
	if (cJSON_GetObjectItemCaseSensitive(root, "profile")) {
		lc_profile_info p = {.source = arena_str(L, L->path)};
		if (check_object(L, root, "the document", profile_doc_keys) < 0 ||
		    get_string(L, root, "$schema", false, &schema) < 0 ||
		    get_string(L, root, "profile", true, &p.name) < 0)
			return -1;
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "profile");
		if (!valid_profile_name(p.name)) {
			push_member(L, root, name);
			fail(L, "profile name \"%s\" may hold only letters, digits, '-', '_' "
				"and '.'",
			     p.name);
			pop(L);
			return -1;
		}
		for (size_t i = 0; i < L->rs->profiles.len; i++) {
			if (strcmp(L->rs->profiles.ptr[i].name, p.name) == 0) {
				push_member(L, root, name);
				fail(L, "profile \"%s\" is already loaded (from %s)", p.name,
				     L->rs->profiles.ptr[i].source);
				pop(L);
				return -1;
			}
		}
		if (get_string(L, root, "family", false, &p.family) < 0 ||
		    get_string(L, root, "description", false, &p.description) < 0 ||
		    get_string(L, root, "advice", false, &p.advice) < 0)
			return -1;
		if (!p.family)
			p.family = p.name;
		L->profile = p.name;
		L->family = p.family;
		lc_vec_push(&L->rs->profiles, p);
		if (each(L, root, "registrars", load_registrar) < 0 ||
		    each(L, root, "fields", load_field) < 0 ||
		    each(L, root, "entries", load_entry_fn) < 0 ||
		    each(L, root, "iterations", load_iteration) < 0)
			return -1;
		return load_catalogue(L, root);
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "catalogue")) {
		const char *name;
		if (check_object(L, root, "the document", catalogue_doc_keys) < 0 ||
		    get_string(L, root, "$schema", false, &schema) < 0 ||
		    get_string(L, root, "catalogue", true, &name) < 0 ||
		    get_string(L, root, "description", false, &description) < 0)
			return -1;
		return load_catalogue(L, root);
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "rules")) {
		const cJSON *rules;
		if (check_object(L, root, "the document", rules_doc_keys) < 0 ||
		    get_string(L, root, "$schema", false, &schema) < 0 ||
		    get_string(L, root, "description", false, &description) < 0 ||
		    get_array(L, root, "rules", true, &rules) < 0)
			return -1;
		return each(L, root, "rules", load_rule);
	}
	return fail(L, "the document needs a \"profile\", \"catalogue\" or \"rules\" key");
}

/* Parse `text` as JSON; NULL with L->err set on failure. */
static cJSON *parse(loader *L)
{
	const char *nul = memchr(L->text, '\0', L->len);
	if (nul) {
		unsigned line, col;
		offset_to_linecol(L->text, L->len, (size_t)(nul - L->text), &line, &col);
		L->err = lc_xasprintf("%s:%u:%u: NUL byte in JSON text", L->path, line, col);
		return NULL;
	}
	/* cJSON wants the terminator inside the length to accept the end. */
	char *buf = lc_xmalloc(L->len + 1);
	memcpy(buf, L->text, L->len);
	buf[L->len] = '\0';
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, L->len + 1, &end, 1);
	if (!root) {
		size_t off = end && end >= buf ? (size_t)(end - buf) : 0;
		unsigned line, col;
		offset_to_linecol(L->text, L->len, off, &line, &col);
		L->err = lc_xasprintf("%s:%u:%u: malformed JSON%s", L->path, line, col,
				      skip_ws(L->text, L->len, off) >= L->len
					      ? ": unexpected end of input"
					      : "");
	}
	free(buf);
	return root;
}

typedef struct snapshot {
	size_t rules, profiles, registrars, fields, entry_fns, iterations, blocking, fd_sources,
		fd_setters;
} snapshot;

static snapshot take(const lc_ruleset *rs)
{
	return (snapshot){rs->rules.len,      rs->profiles.len,  rs->registrars.len,
			  rs->fields.len,     rs->entry_fns.len, rs->iterations.len,
			  rs->blocking.len,   rs->fd_sources.len, rs->fd_setters.len};
}

static void restore(lc_ruleset *rs, snapshot s)
{
	rs->rules.len = s.rules;
	rs->profiles.len = s.profiles;
	rs->registrars.len = s.registrars;
	rs->fields.len = s.fields;
	rs->entry_fns.len = s.entry_fns;
	rs->iterations.len = s.iterations;
	rs->blocking.len = s.blocking;
	rs->fd_sources.len = s.fd_sources;
	rs->fd_setters.len = s.fd_setters;
}

static void loader_init(loader *L, lc_ruleset *rs, const char *path, const char *text,
			size_t len)
{
	memset(L, 0, sizeof(*L));
	L->rs = rs;
	L->path = path ? path : "<rules>";
	L->text = text ? text : "";
	L->len = text ? len : 0;
}

/* End a load: on failure put the ruleset back as it was and hand over the
 * message. */
static int finish(loader *L, snapshot s, int rc, char **err)
{
	if (rc < 0) {
		restore(L->rs, s);
		if (err)
			*err = L->err ? L->err : lc_xasprintf("%s: cannot load rules", L->path);
		else
			free(L->err);
		return -1;
	}
	free(L->err);
	return 0;
}

int lc_ruleset_load_json(lc_ruleset *rs, const char *path, const char *text, size_t len,
			 char **err)
{
	loader L;
	loader_init(&L, rs, path, text, len);
	snapshot s = take(rs);
	cJSON *root = parse(&L);
	int rc = root ? load_root(&L, root) : -1;
	cJSON_Delete(root);
	return finish(&L, s, rc, err);
}

/* ---- part of a larger document (a config file) ------------------------- */

/* Walk `key_path` ("loops[0]", "a.b[2]", "" for the root itself) down from
 * `root`, pushing each step onto L's key path so that positions and messages
 * are those of the whole document. Returns the node, or NULL. */
static const cJSON *resolve(loader *L, const cJSON *root, const char *key_path)
{
	const cJSON *node = root;
	const char *p = key_path ? key_path : "";
	while (*p) {
		if (*p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);
			if (end == p + 1 || *end != ']' || idx < 0 || idx > INT_MAX ||
			    !cJSON_IsArray(node))
				return NULL;
			node = cJSON_GetArrayItem(node, (int)idx);
			if (!node)
				return NULL;
			push_elem(L, (int)idx);
			p = end + 1;
			continue;
		}
		if (*p == '.')
			p++;
		size_t n = strcspn(p, ".[");
		if (n == 0 || !cJSON_IsObject(node))
			return NULL;
		const cJSON *c = node->child;
		while (c && !(strlen(c->string) == n && strncmp(c->string, p, n) == 0))
			c = c->next;
		if (!c)
			return NULL;
		push_member(L, node, c);
		node = c;
		p += n;
	}
	return node;
}

static int load_part(lc_ruleset *rs, const char *path, const char *text, size_t len,
		     const cJSON *root, const char *key_path, bool whole, char **err)
{
	loader L;
	loader_init(&L, rs, path, text, len);
	snapshot s = take(rs);
	int rc = -1;
	const cJSON *node = root ? resolve(&L, root, key_path) : NULL;
	if (!node)
		L.err = lc_xasprintf("%s: no \"%s\" in the document", L.path,
				     key_path ? key_path : "");
	else if (whole)
		rc = load_root(&L, node);
	else if (!cJSON_IsObject(node))
		rc = fail(&L, "expected an object");
	else
		rc = load_catalogue(&L, node);
	return finish(&L, s, rc, err);
}

int lc_ruleset_load_node(lc_ruleset *rs, const char *path, const char *text, size_t len,
			 const cJSON *root, const char *key_path, char **err)
{
	return load_part(rs, path, text, len, root, key_path, true, err);
}

int lc_ruleset_load_entries(lc_ruleset *rs, const char *path, const char *text, size_t len,
			    const cJSON *root, const char *key_path, char **err)
{
	return load_part(rs, path, text, len, root, key_path, false, err);
}

#define LC_POS_DEPTH 64 /* deepest node lc_json_position looks for */

/* The key path from `node` down to `target`, into segs[depth...]. */
static bool find_path(const cJSON *node, const cJSON *target, seg *segs, int depth, int *found)
{
	if (node == target) {
		*found = depth;
		return true;
	}
	if (depth >= LC_POS_DEPTH || !(cJSON_IsObject(node) || cJSON_IsArray(node)))
		return false;
	int i = 0;
	for (const cJSON *c = node->child; c; c = c->next, i++) {
		segs[depth].key = cJSON_IsObject(node) ? c->string : NULL;
		segs[depth].index = i;
		if (find_path(c, target, segs, depth + 1, found))
			return true;
	}
	return false;
}

void lc_json_position(const char *text, size_t len, const cJSON *root, const cJSON *node,
		      bool at_key, unsigned *line, unsigned *col)
{
	seg segs[LC_POS_DEPTH];
	int depth = 0;
	size_t off = (size_t)-1;
	if (text && root && node && find_path(root, node, segs, 0, &depth))
		off = locate(text, len, segs, depth, at_key && depth > 0 && segs[depth - 1].key);
	offset_to_linecol(text ? text : "", text ? len : 0, off, line, col);
}

static int cmp_files(const void *a, const void *b)
{
	const lc_embedded_file *const *x = a, *const *y = b;
	return strcmp((*x)->path, (*y)->path);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The "profile" name of a document, without validating it (NULL if none). */
static char *peek_profile(const lc_embedded_file *f)
{
	cJSON *root = cJSON_ParseWithLength(f->data, f->size);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "profile");
	char *name = cJSON_IsString(p) && p->valuestring ? lc_xstrdup(p->valuestring) : NULL;
	cJSON_Delete(root);
	return name;
}

/* Load the embedded documents other than rules.json, in path order,
 * skipping profiles not named in `only`. Returns a heap message or NULL. */
static char *load_embedded(lc_ruleset *rs, const char *const *only, size_t nonly)
{
	LC_VEC(const lc_embedded_file *) files = {0};
	for (const lc_embedded_file *f = lc_embedded_files; f->path; f++)
		if (strncmp(f->path, "rules/", 6) == 0 && ends_with(f->path, ".json") &&
		    strcmp(f->path, "rules/rules.json") != 0)
			lc_vec_push(&files, f);
	if (files.len)
		qsort(files.ptr, files.len, sizeof(*files.ptr), cmp_files);

	char *msg = NULL;
	bool *matched = lc_xcalloc(nonly ? nonly : 1, sizeof(bool));
	lc_sb known; /* every built-in profile name, for the message */
	lc_sb_init(&known);
	for (size_t i = 0; i < files.len && !msg; i++) {
		const lc_embedded_file *f = files.ptr[i];
		char *name = peek_profile(f);
		bool load = true;
		if (name) {
			lc_sb_addf(&known, "%s%s", known.len ? ", " : "", name);
			if (only) {
				load = false;
				for (size_t k = 0; k < nonly; k++) {
					if (only[k] && strcmp(only[k], name) == 0) {
						matched[k] = true;
						load = true;
					}
				}
			}
		}
		free(name);
		if (load)
			lc_ruleset_load_json(rs, f->path, f->data, f->size, &msg);
	}
	for (size_t k = 0; only && k < nonly && !msg; k++)
		if (!matched[k])
			msg = lc_xasprintf("unknown profile '%s' (known: %s)",
					   only[k] ? only[k] : "(null)",
					   known.len ? known.buf : "none");
	free(matched);
	lc_sb_release(&known);
	lc_vec_free(&files);
	return msg;
}

int lc_ruleset_load_builtin(lc_ruleset *rs, const char *const *only, size_t nonly, char **err)
{
	snapshot s = take(rs);
	char *msg = NULL;
	const lc_embedded_file *rf = lc_embedded_find("rules/rules.json");
	if (!rf)
		msg = lc_xstrdup("built-in rules/rules.json is missing");
	else if (lc_ruleset_load_json(rs, rf->path, rf->data, rf->size, &msg) == 0)
		msg = load_embedded(rs, only, nonly);
	if (msg) {
		restore(rs, s);
		if (err)
			*err = msg;
		else
			free(msg);
		return -1;
	}
	if (err)
		*err = NULL;
	return 0;
}

/* ---- lookups ----------------------------------------------------------- */

const lc_rule_info *lc_ruleset_rule(const lc_ruleset *rs, const char *id)
{
	if (!rs || !id)
		return NULL;
	for (size_t i = 0; i < rs->rules.len; i++)
		if (strcmp(rs->rules.ptr[i].id, id) == 0)
			return &rs->rules.ptr[i];
	return NULL;
}

const lc_profile_info *lc_ruleset_profile(const lc_ruleset *rs, const char *name)
{
	if (!rs || !name)
		return NULL;
	for (size_t i = 0; i < rs->profiles.len; i++)
		if (strcmp(rs->profiles.ptr[i].name, name) == 0)
			return &rs->profiles.ptr[i];
	return NULL;
}

const lc_blocking *lc_ruleset_blocking(const lc_ruleset *rs, const char *function, size_t *from)
{
	if (!rs || !function)
		return NULL;
	for (size_t i = from ? *from : 0; i < rs->blocking.len; i++) {
		if (lc_glob_match(rs->blocking.ptr[i].function, function)) {
			if (from)
				*from = i + 1;
			return &rs->blocking.ptr[i];
		}
	}
	if (from)
		*from = rs->blocking.len;
	return NULL;
}

const lc_fd_source *lc_ruleset_fd_source(const lc_ruleset *rs, const char *function)
{
	if (!rs || !function)
		return NULL;
	for (size_t i = 0; i < rs->fd_sources.len; i++)
		if (lc_glob_match(rs->fd_sources.ptr[i].function, function))
			return &rs->fd_sources.ptr[i];
	return NULL;
}

const lc_fd_setter *lc_ruleset_fd_setter(const lc_ruleset *rs, const char *function,
					 size_t *from)
{
	if (!rs || !function)
		return NULL;
	for (size_t i = from ? *from : 0; i < rs->fd_setters.len; i++) {
		if (lc_glob_match(rs->fd_setters.ptr[i].function, function)) {
			if (from)
				*from = i + 1;
			return &rs->fd_setters.ptr[i];
		}
	}
	if (from)
		*from = rs->fd_setters.len;
	return NULL;
}

/* Is every name of "a|b|c" one of names[0..n)? */
static bool all_names_in(const char *joined, const char *const *names, size_t n)
{
	for (const char *p = joined; *p;) {
		size_t len = strcspn(p, "|");
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = strlen(names[i]) == len && strncmp(names[i], p, len) == 0;
		if (!found)
			return false;
		p += len + (p[len] == '|');
	}
	return true;
}

bool lc_cond_holds(const lc_cond *c, const lc_value *args, unsigned nargs)
{
	if (!c || !args || c->arg < 0 || (unsigned)c->arg >= nargs)
		return false;
	const lc_value *v = &args[c->arg];
	if (c->null && !(v->kind == LC_VAL_NULL || (v->has_ival && v->ival == 0)))
		return false;
	if (c->nin_text || c->nin_int) {
		bool any = v->holds && all_names_in(v->holds, c->in_text, c->nin_text);
		for (size_t i = 0; i < c->nin_text && !any; i++)
			any = (v->name && strcmp(v->name, c->in_text[i]) == 0) ||
			      (v->text && strcmp(v->text, c->in_text[i]) == 0);
		for (size_t i = 0; i < c->nin_int && !any; i++)
			any = v->has_ival && v->ival == c->in_int[i];
		if (!any)
			return false;
	}
	if (c->has_bits && !(v->has_ival && (v->ival & c->has_bits) == c->has_bits))
		return false;
	if (c->text_contains && !(v->text && strstr(v->text, c->text_contains)))
		return false;
	for (size_t i = 0; i < c->nand; i++)
		if (!lc_cond_holds(&c->and[i], args, nargs))
			return false;
	return true;
}
