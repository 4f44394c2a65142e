/* report.c - dispatch to the writers, path printing, a JSON pretty-printer
 * and the source-line cache used for column conversion (see report.h and
 * report_impl.h). */
#define _GNU_SOURCE
#include "report.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_impl.h"

char *lc_report_render(const lc_result *r, const lc_ruleset *rs,
		       const lc_report_opts *opts)
{
	static const lc_result empty_result;
	static const lc_report_opts default_opts;
	lc_sb out;

	if (!r)
		r = &empty_result;
	if (!opts)
		opts = &default_opts;
	lc_sb_init(&out);
	switch (opts->format) {
	case LC_FORMAT_JSON:
		lc_report_json(&out, r, rs, opts);
		break;
	case LC_FORMAT_SARIF:
		lc_report_sarif(&out, r, rs, opts);
		break;
	case LC_FORMAT_CODEQUALITY:
		lc_report_codequality(&out, r, rs, opts);
		break;
	case LC_FORMAT_DOT:
		lc_report_dot(&out, r, rs, opts);
		break;
	case LC_FORMAT_TEXT:
	default:
		lc_report_text(&out, r, rs, opts);
		break;
	}
	return lc_sb_detach(&out);
}

/* --- paths ----------------------------------------------------------------- */

/* Path components, "." and empty ones dropped, ".." resolved lexically (no
 * symlinks are followed: the report must not depend on the file system). */
typedef LC_VEC(char *) lc_comps;

static void comps_split(lc_comps *v, const char *path, bool absolute)
{
	const char *p = path;
	while (*p) {
		const char *start;
		size_t n;
		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.' && v->len &&
		    strcmp(v->ptr[v->len - 1], "..") != 0) {
			free(v->ptr[--v->len]);
			continue;
		}
		if (n == 2 && start[0] == '.' && start[1] == '.' && absolute)
			continue; /* "/.." is "/" */
		lc_vec_push(v, lc_xstrndup(start, n));
	}
}

static void comps_free(lc_comps *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->ptr[i]);
	lc_vec_free(v);
}

static void comps_join(lc_sb *sb, const lc_comps *v, size_t from)
{
	for (size_t i = from; i < v->len; i++) {
		if (i > from)
			lc_sb_addc(sb, '/');
		lc_sb_add(sb, v->ptr[i]);
	}
}

/* Absolute components of `path` (made absolute against the current
 * directory when relative). Returns false if that is impossible. */
static bool abs_comps(lc_comps *v, const char *path)
{
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return false;
		comps_split(v, cwd, true);
	}
	comps_split(v, path, true);
	return true;
}

char *lc_report_path(const char *file, const lc_report_opts *opts)
{
	lc_comps f = {0}, root = {0};
	lc_sb sb;
	size_t common = 0;

	if (!file || !*file)
		return lc_xstrdup("<unknown>");
	lc_sb_init(&sb);
	if (!abs_comps(&f, file) ||
	    !abs_comps(&root, opts && opts->srcroot ? opts->srcroot : ".")) {
		/* No current directory: print the path as given, normalized. */
		comps_free(&f);
		f = (lc_comps){0};
		comps_split(&f, file, file[0] == '/');
		if (file[0] == '/')
			lc_sb_addc(&sb, '/');
		comps_join(&sb, &f, 0);
		goto out;
	}
	while (common < f.len && common < root.len &&
	       strcmp(f.ptr[common], root.ptr[common]) == 0)
		common++;
	if (common == root.len) {
		/* Below the source root (or the root itself). */
		if (common == f.len)
			lc_sb_addc(&sb, '.');
		comps_join(&sb, &f, common);
	} else if (opts && opts->absolute_paths) {
		lc_sb_addc(&sb, '/');
		comps_join(&sb, &f, 0);
	} else if (common > 0) {
		/* A sibling of the root: "../" up to the common ancestor, which
		 * reveals nothing above that ancestor. */
		for (size_t i = common; i < root.len; i++)
			lc_sb_add(&sb, "../");
		comps_join(&sb, &f, common);
	} else {
		/* Nothing in common (a system header for a root under /home):
		 * no absolute path unless asked. */
		lc_sb_add(&sb, "<external>/");
		lc_sb_add(&sb, f.len ? f.ptr[f.len - 1] : "");
	}
out:
	comps_free(&f);
	comps_free(&root);
	return lc_sb_detach(&sb);
}

bool lc_report_path_is_relative(const char *printed)
{
	return printed[0] != '/';
}

void lc_uri_encode_path(lc_sb *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~' || c == '/') {
			lc_sb_addc(out, (char)c);
		} else {
			lc_sb_addc(out, '%');
			lc_sb_addc(out, hex[c >> 4]);
			lc_sb_addc(out, hex[c & 15]);
		}
	}
}

char *lc_rule_id_dashed(const char *id)
{
	char *s = lc_xstrdup(id ? id : "");
	for (char *p = s; *p; p++)
		if (*p == '/')
			*p = '-';
	return s;
}

/* --- JSON ------------------------------------------------------------------ */

cJSON *lc_json_str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

void lc_json_add_str(cJSON *obj, const char *key, const char *s)
{
	cJSON_AddItemToObject(obj, key, lc_json_str_or_null(s));
}

static void json_string(lc_sb *out, const char *s)
{
	lc_sb_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': lc_sb_add(out, "\\\""); break;
		case '\\': lc_sb_add(out, "\\\\"); break;
		case '\b': lc_sb_add(out, "\\b"); break;
		case '\f': lc_sb_add(out, "\\f"); break;
		case '\n': lc_sb_add(out, "\\n"); break;
		case '\r': lc_sb_add(out, "\\r"); break;
		case '\t': lc_sb_add(out, "\\t"); break;
		default:
			if (*p < 0x20) {
				lc_sb_addf(out, "\\u%04x", *p);
			} else if (*p >= 0x80) {
				/* Paths and identifiers are bytes; JSON is UTF-8. An
				 * invalid byte becomes U+FFFD rather than an invalid
				 * report. */
				size_t n = lc_utf8_len(p);
				if (n == 0) {
					lc_sb_add(out, "\\ufffd");
				} else {
					lc_sb_addn(out, (const char *)p, n);
					p += n - 1;
				}
			} else {
				lc_sb_addc(out, (char)*p);
			}
		}
	}
	lc_sb_addc(out, '"');
}

static void json_number(lc_sb *out, double d)
{
	char buf[64];
	if (!isfinite(d)) {
		lc_sb_add(out, "null");
		return;
	}
	if (d >= -9007199254740992.0 && d <= 9007199254740992.0 &&
	    d == (double)(long long)d) {
		lc_sb_addf(out, "%lld", (long long)d);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%.17g", d);
	for (char *p = buf; *p; p++) /* in case a locale set ',' */
		if (*p == ',')
			*p = '.';
	lc_sb_add(out, buf);
}

static void json_indent(lc_sb *out, int depth)
{
	for (int i = 0; i < depth; i++)
		lc_sb_add(out, "  ");
}

static void json_value(lc_sb *out, const cJSON *v, int depth)
{
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		bool obj = cJSON_IsObject(v);
		const cJSON *c = v->child;
		if (!c) {
			lc_sb_add(out, obj ? "{}" : "[]");
			return;
		}
		lc_sb_add(out, obj ? "{\n" : "[\n");
		for (; c; c = c->next) {
			json_indent(out, depth + 1);
			if (obj) {
				json_string(out, c->string);
				lc_sb_add(out, ": ");
			}
			json_value(out, c, depth + 1);
			lc_sb_add(out, c->next ? ",\n" : "\n");
		}
		json_indent(out, depth);
		lc_sb_addc(out, obj ? '}' : ']');
	} else if (cJSON_IsString(v)) {
		json_string(out, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		json_number(out, v->valuedouble);
	} else if (cJSON_IsTrue(v)) {
		lc_sb_add(out, "true");
	} else if (cJSON_IsFalse(v)) {
		lc_sb_add(out, "false");
	} else if (cJSON_IsRaw(v) && v->valuestring) {
		lc_sb_add(out, v->valuestring);
	} else {
		lc_sb_add(out, "null");
	}
}

void lc_json_print(lc_sb *out, const cJSON *root)
{
	json_value(out, root, 0);
	lc_sb_addc(out, '\n');
}

/* --- source lines ---------------------------------------------------------- */

typedef struct lc_srcfile {
	char *path;
	char *data;     /* NULL if unreadable */
	size_t len;
	size_t *starts; /* byte offset of each line; starts[nlines] = len */
	size_t nlines;
} lc_srcfile;

struct lc_linecache {
	lc_srcfile **slots; /* open addressing by path hash */
	size_t cap, count;
};

lc_linecache *lc_linecache_new(void)
{
	lc_linecache *c = lc_xcalloc(1, sizeof(*c));
	c->cap = 16;
	c->slots = lc_xcalloc(c->cap, sizeof(*c->slots));
	return c;
}

void lc_linecache_free(lc_linecache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++) {
		lc_srcfile *f = c->slots[i];
		if (!f)
			continue;
		free(f->path);
		free(f->data);
		free(f->starts);
		free(f);
	}
	free(c->slots);
	free(c);
}

static size_t slot_of(lc_srcfile **slots, size_t cap, const char *path)
{
	size_t i = (size_t)lc_hash64(path, strlen(path), 0) & (cap - 1);
	while (slots[i] && strcmp(slots[i]->path, path) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static lc_srcfile *srcfile_load(const char *path)
{
	lc_srcfile *f = lc_xcalloc(1, sizeof(*f));
	size_t n = 1;
	f->path = lc_xstrdup(path);
	f->data = lc_read_file(path, &f->len);
	if (!f->data)
		return f;
	for (size_t i = 0; i < f->len; i++)
		n += f->data[i] == '\n';
	f->starts = lc_xmalloc((n + 1) * sizeof(size_t));
	f->starts[0] = 0;
	for (size_t i = 0; i < f->len; i++)
		if (f->data[i] == '\n')
			f->starts[++f->nlines] = i + 1;
	f->nlines++;
	f->starts[f->nlines] = f->len;
	return f;
}

static lc_srcfile *linecache_get(lc_linecache *c, const char *path)
{
	size_t i = slot_of(c->slots, c->cap, path);
	if (c->slots[i])
		return c->slots[i];
	if ((c->count + 1) * 2 > c->cap) {
		size_t ncap = c->cap * 2;
		lc_srcfile **ns = lc_xcalloc(ncap, sizeof(*ns));
		for (size_t k = 0; k < c->cap; k++)
			if (c->slots[k])
				ns[slot_of(ns, ncap, c->slots[k]->path)] = c->slots[k];
		free(c->slots);
		c->slots = ns;
		c->cap = ncap;
		i = slot_of(c->slots, c->cap, path);
	}
	c->slots[i] = srcfile_load(path);
	c->count++;
	return c->slots[i];
}

/* Length of the UTF-8 sequence starting at s (at most `avail` bytes) and the
 * UTF-16 units it takes; invalid bytes are one byte, one unit. */
static size_t utf8_seq(const unsigned char *s, size_t avail, unsigned *units)
{
	size_t n;
	*units = 1;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 1;
	if (n > avail)
		return 1;
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 1;
	if (n == 4)
		*units = 2;
	return n;
}

unsigned lc_linecache_utf16_col(lc_linecache *c, const char *file,
				unsigned line, unsigned col)
{
	lc_srcfile *f;
	const unsigned char *p;
	size_t linelen, prefix, i = 0;
	unsigned long units = 0;

	if (!c || !file || line == 0 || col == 0)
		return col;
	f = linecache_get(c, file);
	if (!f->data || line > f->nlines)
		return col;
	p = (const unsigned char *)f->data + f->starts[line - 1];
	linelen = f->starts[line] - f->starts[line - 1];
	if (linelen && p[linelen - 1] == '\n')
		linelen--;
	prefix = (size_t)col - 1;
	while (i < prefix && i < linelen) {
		unsigned u;
		size_t avail = (prefix < linelen ? prefix : linelen) - i;
		i += utf8_seq(p + i, avail, &u);
		units += u;
	}
	if (prefix > i)
		units += prefix - i;
	return units + 1 > UINT_MAX ? col : (unsigned)(units + 1);
}
