/* config.c - the project configuration file (see config.h and
 * docs/configuration.md).
 *
 * A configuration is one JSON object. Its own keys (thresholds, rule
 * settings, allow and exclude lists) are checked here; its "loops" (profile
 * documents) and "blocking", "descriptors" and "nonblocking_setters" (catalogue
 * entries) are handed to rules.c together with the original text, so they are
 * validated exactly as rules/ is and their errors point into this file.
 *
 * cJSON keeps no positions: lc_json_position (rules.c) finds a node's line
 * and column by walking the raw text along the node's key path. cJSON keeps
 * duplicate keys, in order, so a duplicate is found by comparing siblings.
 */
#define _GNU_SOURCE /* vasprintf */
#include "config.h"
#include "compdb.h"
#include "util.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A rule's setting: "off", "on" (its default severity) or a severity. */
enum { LEVEL_OFF = -2, LEVEL_ON = -1 };

typedef struct rule_setting {
	const char *pattern; /* rule id or glob, in the parsed document */
	int level;           /* LEVEL_OFF, LEVEL_ON or an lc_severity */
	bool glob;           /* holds '*' or '?' */
	const cJSON *node;   /* the member, for messages */
} rule_setting;

typedef LC_VEC(const char *) strvec;

typedef struct loop_decl {
	const char *name;  /* its "profile" */
	bool loaded;       /* selected and loaded by lc_config_load_rules */
} loop_decl;

struct lc_config {
	/* The file; all NULL without one. */
	char *path;     /* as given or found, for messages */
	char *abspath;  /* absolute and normalized, for --dump-config */
	char *dir;      /* its directory, absolute: "exclude" is relative to it */
	char *text;     /* its text, for positions in messages */
	size_t len;
	cJSON *root;    /* the parsed document; strings below point into it */

	/* What the file says. */
	strvec profiles;
	bool has_profiles;
	LC_VEC(rule_setting) rules;
	strvec allow;
	strvec exclude;                   /* as written */
	LC_VEC(char *) exclude_pat;       /* absolute, below `dir`, normalized; heap */
	LC_VEC(loop_decl) loops;
	bool has_entries;                 /* "blocking", "descriptors" or "nonblocking_setters" */

	/* Effective values: defaults < file < command line. */
	lc_solve_opts solve;
	lc_severity fail_on;
	LC_VEC(char *) cli_profiles;      /* heap copies */
	bool has_cli_profiles;
};

static const char *const top_keys[] = {
	"$schema", "$comment", "profiles", "rules", "nesting_limit", "hotspot_loop_depth",
	"allow", "exclude", "loops", "blocking", "descriptors", "nonblocking_setters",
	"fail_on", NULL,
};

static const char *const level_words[] = {"off", "on", "note", "warning", "error", NULL};
static const char *const severity_words[] = {"note", "warning", "error", NULL};

#define NESTING_MIN 1
#define NESTING_MAX 1000
#define HOTSPOT_MIN 2
#define HOTSPOT_MAX 100

/* ---- messages ---------------------------------------------------------- */

static char *one_line(lc_sb *sb)
{
	for (size_t i = 0; i < sb->len; i++)
		if ((unsigned char)sb->buf[i] < 0x20 || sb->buf[i] == 0x7f)
			sb->buf[i] = '?';
	return lc_sb_detach(sb);
}

/* "PATH:LINE:COL: message" at `node` (its key when `at_key`) into *err. */
static int fail_at(const lc_config *c, char **err, const cJSON *node, bool at_key,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_at(const lc_config *c, char **err, const cJSON *node, bool at_key,
		   const char *fmt, ...)
{
	unsigned line, col;
	lc_json_position(c->text, c->len, c->root, node, at_key, &line, &col);
	lc_sb sb;
	lc_sb_init(&sb);
	lc_sb_addf(&sb, "%s:%u:%u: ", c->path, line, col);
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	lc_sb_add(&sb, msg ? msg : "invalid configuration");
	free(msg);
	if (err)
		*err = one_line(&sb);
	else
		lc_sb_release(&sb);
	return -1;
}

/* Edit distance, ignoring case, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t *row = lc_xmalloc((m + 1) * sizeof(*row));
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[m];
	free(row);
	return d;
}

/* Accumulates candidates; `best` is the closest close enough, or NULL. */
typedef struct suggest {
	const char *word;
	const char *best;
	size_t best_d;
	lc_sb known; /* "a, b, c" */
} suggest;

static void suggest_init(suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_d = (size_t)-1;
	lc_sb_init(&s->known);
}

static void suggest_add(suggest *s, const char *cand)
{
	if (cand[0] == '$')
		return;
	lc_sb_addf(&s->known, "%s%s", s->known.len ? ", " : "", cand);
	size_t d = distance(s->word, cand);
	size_t len = strlen(cand);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	if (d <= limit && d < s->best_d) {
		s->best = cand;
		s->best_d = d;
	}
}

/* " (did you mean \"x\"?)" or " (known: a, b)"; heap. Releases `s`. */
static char *suggest_text(suggest *s)
{
	char *t;
	if (s->best)
		t = lc_xasprintf(" (did you mean \"%s\"?)", s->best);
	else if (s->known.len)
		t = lc_xasprintf(" (known: %s)", s->known.buf);
	else
		t = lc_xstrdup("");
	lc_sb_release(&s->known);
	return t;
}

/* ---- checking the file's own keys -------------------------------------- */

/* A duplicate of an earlier member of `obj`? (error at its key) */
static int check_duplicate(const lc_config *c, const cJSON *obj, const cJSON *m, const char *in,
			   char **err)
{
	for (const cJSON *d = obj->child; d != m; d = d->next)
		if (strcmp(d->string, m->string) == 0)
			return fail_at(c, err, m, true, "duplicate key \"%s\"%s", m->string, in);
	return 0;
}

static bool is_integer(const cJSON *v)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	       v->valuedouble == floor(v->valuedouble);
}

static int get_count(const lc_config *c, const cJSON *v, long min, long max, unsigned *out,
		     char **err)
{
	if (!is_integer(v) || v->valuedouble < (double)min || v->valuedouble > (double)max)
		return fail_at(c, err, v, false, "\"%s\" must be an integer from %ld to %ld",
			       v->string, min, max);
	*out = (unsigned)v->valuedouble;
	return 0;
}

/* One of `words` (NULL-terminated); returns its index. */
static int get_word(const lc_config *c, const cJSON *v, const char *what,
		    const char *const *words, int *out, char **err)
{
	if (cJSON_IsString(v) && v->valuestring) {
		for (int i = 0; words[i]; i++) {
			if (strcmp(v->valuestring, words[i]) == 0) {
				*out = i;
				return 0;
			}
		}
	}
	lc_sb sb;
	lc_sb_init(&sb);
	for (int i = 0; words[i]; i++)
		lc_sb_addf(&sb, "%s\"%s\"", i == 0 ? "" : words[i + 1] ? ", " : " or ", words[i]);
	if (cJSON_IsString(v) && v->valuestring)
		fail_at(c, err, v, false, "%s must be %s, not \"%s\"", what, sb.buf, v->valuestring);
	else
		fail_at(c, err, v, false, "%s must be %s (a string)", what, sb.buf);
	lc_sb_release(&sb);
	return -1;
}

/* An array of non-empty strings, appended to `out`. */
static int get_strings(const lc_config *c, const cJSON *v, const char *what, strvec *out,
		       char **err)
{
	if (!cJSON_IsArray(v))
		return fail_at(c, err, v, false, "\"%s\" must be an array of %s", v->string, what);
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		if (!cJSON_IsString(e) || !e->valuestring || !e->valuestring[0])
			return fail_at(c, err, e, false, "%s[%d] must be a non-empty string (%s)",
				       v->string, i, what);
		lc_vec_push(out, e->valuestring);
	}
	return 0;
}

static int parse_rules(lc_config *c, const cJSON *v, char **err)
{
	if (!cJSON_IsObject(v))
		return fail_at(c, err, v, false,
			       "\"rules\" must be an object mapping rule ids or globs to \"off\", "
			       "\"on\", \"note\", \"warning\" or \"error\"");
	for (const cJSON *m = v->child; m; m = m->next) {
		if (check_duplicate(c, v, m, " in \"rules\"", err) < 0)
			return -1;
		if (strcmp(m->string, "$comment") == 0)
			continue;
		char *what = lc_xasprintf("rule \"%s\"", m->string);
		int level;
		int rc = get_word(c, m, what, level_words, &level, err);
		free(what);
		if (rc < 0)
			return -1;
		rule_setting s = {m->string, level == 0 ? LEVEL_OFF : level == 1 ? LEVEL_ON : level - 2,
				  strpbrk(m->string, "*?") != NULL, m};
		lc_vec_push(&c->rules, s);
	}
	return 0;
}

static int parse_exclude(lc_config *c, const cJSON *v, char **err)
{
	if (get_strings(c, v, "path patterns", &c->exclude, err) < 0)
		return -1;
	const cJSON *e = v->child;
	for (size_t i = 0; i < c->exclude.len; i++, e = e->next) {
		const char *p = c->exclude.ptr[i];
		if (p[0] == '/')
			return fail_at(c, err, e, false,
				       "exclude[%zu] \"%s\" must be relative to the directory of the "
				       "configuration file (no leading '/')",
				       i, p);
		/* Anchored at the file's directory, "../" resolved: an absolute
		 * pattern, matched against absolute normalized paths. */
		lc_vec_push(&c->exclude_pat, lc_path_normalize(p, c->dir));
	}
	return 0;
}

static int parse_loops(lc_config *c, const cJSON *v, char **err)
{
	if (!cJSON_IsArray(v))
		return fail_at(c, err, v, false,
			       "\"loops\" must be an array of profile documents (docs/rules-schema.md)");
	int i = 0;
	for (const cJSON *e = v->child; e; e = e->next, i++) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "profile");
		if (!cJSON_IsObject(e) || !name)
			return fail_at(c, err, e, false,
				       "loops[%d] must be a profile document: an object with a "
				       "\"profile\" name (docs/rules-schema.md)",
				       i);
		if (!cJSON_IsString(name) || !name->valuestring || !name->valuestring[0])
			return fail_at(c, err, name, false,
				       "\"profile\" must be a non-empty string (loops[%d])", i);
		loop_decl d = {name->valuestring, false};
		lc_vec_push(&c->loops, d);
	}
	return 0;
}

static int parse_member(lc_config *c, const cJSON *m, char **err)
{
	const char *k = m->string;
	int word;
	if (strcmp(k, "$comment") == 0)
		return 0;
	if (strcmp(k, "$schema") == 0) {
		if (!cJSON_IsString(m))
			return fail_at(c, err, m, false, "\"$schema\" must be a string");
		return 0;
	}
	if (strcmp(k, "profiles") == 0) {
		c->has_profiles = true;
		return get_strings(c, m, "profile names", &c->profiles, err);
	}
	if (strcmp(k, "rules") == 0)
		return parse_rules(c, m, err);
	if (strcmp(k, "nesting_limit") == 0)
		return get_count(c, m, NESTING_MIN, NESTING_MAX, &c->solve.nesting_limit, err);
	if (strcmp(k, "hotspot_loop_depth") == 0)
		return get_count(c, m, HOTSPOT_MIN, HOTSPOT_MAX, &c->solve.hotspot_loop_depth, err);
	if (strcmp(k, "allow") == 0)
		return get_strings(c, m, "function names or globs", &c->allow, err);
	if (strcmp(k, "exclude") == 0)
		return parse_exclude(c, m, err);
	if (strcmp(k, "loops") == 0)
		return parse_loops(c, m, err);
	if (strcmp(k, "blocking") == 0 || strcmp(k, "descriptors") == 0 ||
	    strcmp(k, "nonblocking_setters") == 0) {
		/* Their entries are checked by rules.c in lc_config_load_rules. */
		if (!cJSON_IsArray(m))
			return fail_at(c, err, m, false, "\"%s\" must be an array", k);
		c->has_entries = true;
		return 0;
	}
	if (strcmp(k, "fail_on") == 0) {
		if (get_word(c, m, "\"fail_on\"", severity_words, &word, err) < 0)
			return -1;
		c->fail_on = (lc_severity)word;
		return 0;
	}
	suggest s;
	suggest_init(&s, k);
	for (int i = 0; top_keys[i]; i++)
		suggest_add(&s, top_keys[i]);
	char *hint = suggest_text(&s);
	fail_at(c, err, m, true, "unknown key \"%s\"%s", k, hint);
	free(hint);
	return -1;
}

/* ---- building a config --------------------------------------------------- */

lc_config *lc_config_default(void)
{
	lc_config *c = lc_xcalloc(1, sizeof(*c));
	lc_solve_opts d = LC_SOLVE_OPTS_DEFAULT;
	c->solve = d;
	c->fail_on = LC_SEV_WARNING;
	return c;
}

static char *dir_of(const char *abspath)
{
	const char *slash = strrchr(abspath, '/');
	if (!slash || slash == abspath)
		return lc_xstrdup("/");
	return lc_xstrndup(abspath, (size_t)(slash - abspath));
}

/* Does the text end inside a string, an object or an array? */
static bool unterminated(const char *t, size_t n)
{
	long depth = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '"') {
			for (i++; i < n && t[i] != '"'; i++)
				if (t[i] == '\\')
					i++;
			if (i >= n)
				return true;
		} else if (t[i] == '{' || t[i] == '[') {
			depth++;
		} else if (t[i] == '}' || t[i] == ']') {
			depth--;
		}
	}
	return depth > 0;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* A message for cJSON's failure at `off`, naming the usual mistakes in a
 * hand-written file: a trailing comma, a comment, a missing end. */
static char *syntax_error(const lc_config *c, size_t off)
{
	const char *t = c->text;
	size_t n = c->len, at = off < n ? off : n;
	const char *what = "";
	/* cJSON stops on the closing bracket or just after it. */
	size_t close = (size_t)-1;
	if (at < n && (t[at] == '}' || t[at] == ']'))
		close = at;
	else if (at > 0 && (t[at - 1] == '}' || t[at - 1] == ']'))
		close = at - 1;
	size_t prev = close;
	while (prev != (size_t)-1 && prev > 0 && is_ws(t[prev - 1]))
		prev--;
	if (close != (size_t)-1 && prev > 0 && t[prev - 1] == ',') {
		at = prev - 1;
		what = ": trailing comma";
	} else if (at > 0 && t[at - 1] == '/') {
		at--;
		what = ": comments are not JSON (use a \"$comment\" key)";
	} else if (at < n && t[at] == '/') {
		what = ": comments are not JSON (use a \"$comment\" key)";
	} else if (at >= n || unterminated(t, n)) {
		what = ": unexpected end of input";
	}
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < at && i < n; i++, col++)
		if (t[i] == '\n')
			line++, col = 0;
	return lc_xasprintf("%s:%u:%u: malformed JSON%s", c->path, line, col, what);
}

lc_config *lc_config_parse(const char *path, const char *text, size_t len, const char *cwd,
			   char **err)
{
	lc_config *c = lc_config_default();
	c->path = lc_xstrdup(path ? path : LC_CONFIG_NAME);
	c->abspath = lc_path_normalize(c->path, cwd);
	c->dir = dir_of(c->abspath);
	c->text = lc_xmalloc(len + 1);
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	c->len = len;

	const char *nul = memchr(c->text, '\0', len);
	if (nul) {
		/* cJSON would stop there; say so instead of "malformed". */
		unsigned line = 1, col = 1;
		for (const char *p = c->text; p < nul; p++, col++)
			if (*p == '\n')
				line++, col = 0;
		*err = lc_xasprintf("%s:%u:%u: NUL byte in JSON text", c->path, line, col);
		lc_config_free(c);
		return NULL;
	}
	const char *end = NULL;
	c->root = cJSON_ParseWithLengthOpts(c->text, len + 1, &end, 1);
	if (!c->root) {
		*err = syntax_error(c, end && end >= c->text ? (size_t)(end - c->text) : 0);
		lc_config_free(c);
		return NULL;
	}
	if (!cJSON_IsObject(c->root)) {
		fail_at(c, err, c->root, false, "the configuration must be a JSON object");
		lc_config_free(c);
		return NULL;
	}
	for (const cJSON *m = c->root->child; m; m = m->next) {
		if (check_duplicate(c, c->root, m, "", err) < 0 || parse_member(c, m, err) < 0) {
			lc_config_free(c);
			return NULL;
		}
	}
	c->solve.allow = c->allow.ptr;
	c->solve.nallow = c->allow.len;
	return c;
}

lc_config *lc_config_load(const char *path, const char *cwd, char **err)
{
	size_t len;
	char *text = lc_read_file(path, &len);
	if (!text) {
		*err = lc_xasprintf("%s: cannot read the configuration: %s", path, strerror(errno));
		return NULL;
	}
	lc_config *c = lc_config_parse(path, text, len, cwd, err);
	free(text);
	return c;
}

void lc_config_set_cli(lc_config *c, const lc_config_cli *cli)
{
	if (cli->nesting_limit)
		c->solve.nesting_limit = cli->nesting_limit;
	if (cli->hotspot_loop_depth)
		c->solve.hotspot_loop_depth = cli->hotspot_loop_depth;
	if (cli->fail_on >= 0)
		c->fail_on = (lc_severity)cli->fail_on;
	if (cli->profiles) {
		for (size_t i = 0; i < c->cli_profiles.len; i++)
			free(c->cli_profiles.ptr[i]);
		c->cli_profiles.len = 0;
		for (size_t i = 0; i < cli->nprofiles; i++)
			lc_vec_push(&c->cli_profiles, lc_xstrdup(cli->profiles[i]));
		c->has_cli_profiles = true;
	}
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

char *lc_config_find(const char *start_dir)
{
	char *dir = lc_path_normalize(start_dir, NULL);
	for (;;) {
		bool root = strcmp(dir, "/") == 0;
		char *cand = lc_xasprintf("%s/%s", root ? "" : dir, LC_CONFIG_NAME);
		if (is_file(cand)) {
			free(dir);
			return cand;
		}
		free(cand);
		/* .git is a directory, or a file in worktrees and submodules. */
		char *git = lc_xasprintf("%s/.git", root ? "" : dir);
		bool top = exists(git);
		free(git);
		if (top || root)
			break;
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

lc_config *lc_config_open(const lc_config_cli *cli, const char *cwd, char **err)
{
	lc_config *c;
	if (cli->path) {
		c = lc_config_load(cli->path, cwd, err);
	} else if (!cli->no_config) {
		char *found = lc_config_find(cwd);
		c = found ? lc_config_load(found, cwd, err) : lc_config_default();
		free(found);
	} else {
		c = lc_config_default();
	}
	if (c)
		lc_config_set_cli(c, cli);
	return c;
}

/* ---- the ruleset --------------------------------------------------------- */

static bool in_names(const char *s, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

static bool is_loop(const lc_config *c, const char *name)
{
	for (size_t i = 0; i < c->loops.len; i++)
		if (strcmp(c->loops.ptr[i].name, name) == 0)
			return true;
	return false;
}

static bool is_builtin(const lc_ruleset *all, const char *name)
{
	for (size_t i = 0; i < all->profiles.len; i++)
		if (strcmp(all->profiles.ptr[i].name, name) == 0)
			return true;
	return false;
}

/* The built-in profiles to load, into `sel`: from --profile, else from
 * "profiles". Returns 0, or -1 with *err for an unknown name. */
static int select_profiles(const lc_config *c, const lc_ruleset *all, strvec *sel, char **err)
{
	if (c->has_cli_profiles) {
		for (size_t i = 0; i < c->cli_profiles.len; i++) {
			const char *name = c->cli_profiles.ptr[i];
			if (is_builtin(all, name)) {
				lc_vec_push(sel, name);
			} else if (!is_loop(c, name)) {
				lc_sb known;
				lc_sb_init(&known);
				for (size_t k = 0; k < all->profiles.len; k++)
					lc_sb_addf(&known, "%s%s", k ? ", " : "", all->profiles.ptr[k].name);
				for (size_t k = 0; k < c->loops.len; k++)
					lc_sb_addf(&known, "%s%s", known.len ? ", " : "", c->loops.ptr[k].name);
				*err = lc_xasprintf("unknown profile '%s' (known: %s)", name,
						    known.len ? known.buf : "none");
				lc_sb_release(&known);
				return -1;
			}
		}
		return 0;
	}
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(c->root, "profiles");
	const cJSON *e = arr ? arr->child : NULL;
	for (size_t i = 0; i < c->profiles.len; i++, e = e->next) {
		const char *name = c->profiles.ptr[i];
		if (is_builtin(all, name)) {
			lc_vec_push(sel, name);
		} else if (!is_loop(c, name)) {
			suggest s;
			suggest_init(&s, name);
			for (size_t k = 0; k < all->profiles.len; k++)
				suggest_add(&s, all->profiles.ptr[k].name);
			for (size_t k = 0; k < c->loops.len; k++)
				suggest_add(&s, c->loops.ptr[k].name);
			char *hint = suggest_text(&s);
			fail_at(c, err, e, false, "unknown profile \"%s\" in \"profiles\"%s", name, hint);
			free(hint);
			return -1;
		}
	}
	return 0;
}

static int load_builtin(lc_config *c, lc_ruleset *rs, char **err)
{
	if (!c->has_cli_profiles && !c->has_profiles)
		return lc_ruleset_load_builtin(rs, NULL, 0, err);
	lc_ruleset *all = lc_ruleset_new();
	strvec sel = {0};
	int rc = lc_ruleset_load_builtin(all, NULL, 0, err);
	if (rc == 0)
		rc = select_profiles(c, all, &sel, err);
	if (rc == 0) {
		/* A non-NULL list, even an empty one, restricts the profiles. */
		static const char *const none[1] = {NULL};
		rc = lc_ruleset_load_builtin(rs, sel.len ? sel.ptr : none, sel.len, err);
	}
	lc_vec_free(&sel);
	lc_ruleset_free(all);
	return rc;
}

static int load_loops(lc_config *c, lc_ruleset *rs, char **err)
{
	for (size_t i = 0; i < c->loops.len; i++) {
		loop_decl *d = &c->loops.ptr[i];
		if (c->has_cli_profiles &&
		    !in_names(d->name, c->cli_profiles.ptr, c->cli_profiles.len))
			continue;
		char kp[32];
		snprintf(kp, sizeof(kp), "loops[%zu]", i);
		if (lc_ruleset_load_node(rs, c->path, c->text, c->len, c->root, kp, err) < 0)
			return -1;
		d->loaded = true;
	}
	return 0;
}

static int check_rule_settings(const lc_config *c, const lc_ruleset *rs, char **err)
{
	for (size_t i = 0; i < c->rules.len; i++) {
		const rule_setting *s = &c->rules.ptr[i];
		bool found = false;
		for (size_t r = 0; r < rs->rules.len && !found; r++)
			found = s->glob ? lc_glob_match(s->pattern, rs->rules.ptr[r].id)
					: strcmp(s->pattern, rs->rules.ptr[r].id) == 0;
		if (found)
			continue;
		suggest sg;
		suggest_init(&sg, s->pattern);
		for (size_t r = 0; r < rs->rules.len; r++)
			suggest_add(&sg, rs->rules.ptr[r].id);
		if (s->glob) {
			sg.best = NULL; /* a near id is no help for a glob */
			char *hint = suggest_text(&sg);
			fail_at(c, err, s->node, true, "rule pattern \"%s\" in \"rules\" matches no rule%s",
				s->pattern, hint);
			free(hint);
		} else {
			char *hint = suggest_text(&sg);
			fail_at(c, err, s->node, true, "unknown rule \"%s\" in \"rules\"%s", s->pattern,
				hint);
			free(hint);
		}
		return -1;
	}
	return 0;
}

/* The setting for rule `id`: an exact id wins over globs; among globs the
 * last one in the file wins. LEVEL_ON when nothing matches. */
static int level_of(const lc_config *c, const char *id)
{
	int level = LEVEL_ON;
	for (size_t i = 0; i < c->rules.len; i++) {
		const rule_setting *s = &c->rules.ptr[i];
		if (!s->glob && strcmp(s->pattern, id) == 0)
			return s->level;
		if (s->glob && lc_glob_match(s->pattern, id))
			level = s->level;
	}
	return level;
}

/* Move elements [from, len) of a vector to its front, keeping their order. */
#define ROTATE_TO_FRONT(v, from)                                                      \
	rotate_to_front((v)->ptr, sizeof(*(v)->ptr), (from), (v)->len)

static void rotate_to_front(void *base, size_t size, size_t from, size_t len)
{
	if (from == 0 || from >= len)
		return;
	char *b = base;
	size_t tail = (len - from) * size;
	char *tmp = lc_xmalloc(tail);
	memcpy(tmp, b + from * size, tail);
	memmove(b + tail, b, from * size);
	memcpy(b, tmp, tail);
	free(tmp);
}

int lc_config_load_rules(lc_config *c, lc_ruleset *rs, char **err)
{
	*err = NULL;
	if (load_builtin(c, rs, err) < 0)
		return -1;
	if (!c->root)
		return 0;
	size_t nblocking = rs->blocking.len, nsources = rs->fd_sources.len;
	size_t nsetters = rs->fd_setters.len;
	if (load_loops(c, rs, err) < 0)
		return -1;
	if (c->has_entries &&
	    lc_ruleset_load_entries(rs, c->path, c->text, c->len, c->root, "", err) < 0)
		return -1;
	/* Lookups take the first match: the project's entries come before the
	 * built-in ones, so an entry for a built-in function overrides it (a
	 * different severity, narrower conditions) wherever its conditions hold. */
	ROTATE_TO_FRONT(&rs->blocking, nblocking);
	ROTATE_TO_FRONT(&rs->fd_sources, nsources);
	ROTATE_TO_FRONT(&rs->fd_setters, nsetters);
	if (check_rule_settings(c, rs, err) < 0)
		return -1;
	for (size_t r = 0; r < rs->rules.len; r++) {
		int level = level_of(c, rs->rules.ptr[r].id);
		if (level >= 0)
			rs->rules.ptr[r].severity = (lc_severity)level;
	}
	return 0;
}

/* ---- accessors ------------------------------------------------------------ */

const char *lc_config_path(const lc_config *c)
{
	return c->path;
}

const lc_solve_opts *lc_config_solve_opts(const lc_config *c)
{
	return &c->solve;
}

lc_severity lc_config_fail_on(const lc_config *c)
{
	return c->fail_on;
}

const char *lc_config_rule_level(const lc_config *c, const lc_ruleset *rs, const char *id)
{
	if (level_of(c, id) == LEVEL_OFF)
		return "off";
	const lc_rule_info *ri = lc_ruleset_rule(rs, id);
	return ri ? lc_severity_name(ri->severity) : "warning";
}

/* ---- after solving ---------------------------------------------------------- */

void lc_config_apply_rules(const lc_config *c, lc_result *r)
{
	if (!c->rules.len)
		return;
	size_t keep = 0;
	for (size_t i = 0; i < r->findings.len; i++) {
		lc_finding f = r->findings.ptr[i];
		int level = f.rule ? level_of(c, f.rule) : LEVEL_ON;
		if (level == LEVEL_OFF)
			continue;
		if (level >= 0)
			f.severity = (lc_severity)level;
		r->findings.ptr[keep++] = f;
	}
	r->findings.len = keep;
}

/* Match a path against a pattern: '*' and '?' stay within one component,
 * '**' matches any run of characters ('**' followed by '/' any number of
 * whole directories, none included). */
/* Glob matching where '*' stays within a path component and '**' crosses
 * them. Memoized on (pattern position, text position): without it, a
 * pattern like "*a*a*a*a*b" from an untrusted config file backtracks
 * exponentially. */
typedef struct matcher {
	const char *pat, *text;
	size_t tlen;
	unsigned char *failed; /* bit per (pattern, text) position known to fail */
} matcher;

static bool match_body(const matcher *m, const char *p, const char *t);

static bool match_at(const matcher *m, const char *p, const char *t)
{
	size_t cell = (size_t)(p - m->pat) * (m->tlen + 1) + (size_t)(t - m->text);
	if (m->failed[cell / 8] & (1u << (cell % 8)))
		return false;
	bool r = match_body(m, p, t);
	if (!r)
		m->failed[cell / 8] |= (unsigned char)(1u << (cell % 8));
	return r;
}

static bool match_body(const matcher *m, const char *p, const char *t)
{
	for (;;) {
		if (*p == '\0')
			return *t == '\0';
		if (p[0] == '*' && p[1] == '*') {
			const char *q = p + 2;
			while (*q == '*')
				q++;
			if (*q == '/') {
				if (match_at(m, q + 1, t))
					return true;
				for (const char *s = t; *s; s++)
					if (*s == '/' && match_at(m, q + 1, s + 1))
						return true;
				return false;
			}
			for (const char *s = t;; s++) {
				if (match_at(m, q, s))
					return true;
				if (!*s)
					return false;
			}
		}
		if (*p == '*') {
			for (const char *s = t;; s++) {
				if (match_at(m, p + 1, s))
					return true;
				if (!*s || *s == '/')
					return false;
			}
		}
		if (*t == '\0' || (*p == '?' ? *t == '/' : *p != *t))
			return false;
		p++;
		t++;
	}
}

static bool path_match(const char *p, const char *t)
{
	matcher m = { p, t, strlen(t), NULL };
	size_t cells = (strlen(p) + 1) * (m.tlen + 1);
	m.failed = lc_xcalloc(cells / 8 + 1, 1);
	bool r = match_at(&m, p, t);
	free(m.failed);
	return r;
}

/* The pattern matches the path or one of its leading directories. */
static bool pattern_covers(const char *pat, const char *path)
{
	if (path_match(pat, path))
		return true;
	char *copy = lc_xstrdup(path);
	bool hit = false;
	for (char *s = strrchr(copy, '/'); s && !hit; s = strrchr(copy, '/')) {
		*s = '\0';
		hit = path_match(pat, copy);
	}
	free(copy);
	return hit;
}

bool lc_config_excluded(const lc_config *c, const char *path)
{
	if (!c->exclude_pat.len || !c->dir || !path || !*path)
		return false;
	char *abs = lc_path_normalize(path, c->dir);
	bool hit = false;
	for (size_t i = 0; i < c->exclude_pat.len && !hit; i++)
		hit = pattern_covers(c->exclude_pat.ptr[i], abs);
	free(abs);
	return hit;
}

void lc_config_apply_exclude(const lc_config *c, lc_result *r)
{
	if (!c->exclude_pat.len)
		return;
	size_t keep = 0;
	for (size_t i = 0; i < r->findings.len; i++)
		if (!lc_config_excluded(c, r->findings.ptr[i].loc.file))
			r->findings.ptr[keep++] = r->findings.ptr[i];
	r->findings.len = keep;
}

void lc_config_apply(const lc_config *c, lc_result *r)
{
	lc_config_apply_rules(c, r);
	lc_config_apply_exclude(c, r);
}

/* ---- --dump-config ------------------------------------------------------------ */

static cJSON *string_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *copy_array(const lc_config *c, const char *key)
{
	const cJSON *v = c->root ? cJSON_GetObjectItemCaseSensitive(c->root, key) : NULL;
	return v ? cJSON_Duplicate(v, 1) : cJSON_CreateArray();
}

static void add_scalar(lc_sb *sb, const cJSON *v)
{
	char *t = cJSON_PrintUnformatted(v);
	lc_sb_add(sb, t ? t : "null");
	cJSON_free(t);
}

static bool all_scalars(const cJSON *v)
{
	for (const cJSON *e = v->child; e; e = e->next)
		if (cJSON_IsObject(e) || cJSON_IsArray(e))
			return false;
	return true;
}

/* JSON indented by two spaces (cJSON_Print uses tabs); arrays of scalars and
 * objects holding only scalars stay on one line when they are short. */
static void print_json(lc_sb *sb, const cJSON *v, int indent)
{
	bool obj = cJSON_IsObject(v);
	if (!obj && !cJSON_IsArray(v)) {
		add_scalar(sb, v);
		return;
	}
	if (!v->child) {
		lc_sb_add(sb, obj ? "{}" : "[]");
		return;
	}
	if (all_scalars(v) && indent > 0) {
		char *t = cJSON_PrintUnformatted(v);
		bool shortline = t && strlen(t) + (size_t)indent * 2 <= 96;
		if (shortline) {
			/* cJSON_PrintUnformatted packs "a":1,"b":2; space it out. */
			lc_sb_addc(sb, obj ? '{' : '[');
			for (const cJSON *e = v->child; e; e = e->next) {
				if (obj) {
					cJSON *k = cJSON_CreateString(e->string);
					add_scalar(sb, k);
					cJSON_Delete(k);
					lc_sb_add(sb, ": ");
				}
				add_scalar(sb, e);
				if (e->next)
					lc_sb_add(sb, ", ");
			}
			lc_sb_addc(sb, obj ? '}' : ']');
		}
		cJSON_free(t);
		if (shortline)
			return;
	}
	lc_sb_add(sb, obj ? "{\n" : "[\n");
	for (const cJSON *e = v->child; e; e = e->next) {
		lc_sb_addf(sb, "%*s", (indent + 1) * 2, "");
		if (obj) {
			cJSON *k = cJSON_CreateString(e->string);
			add_scalar(sb, k);
			cJSON_Delete(k);
			lc_sb_add(sb, ": ");
		}
		print_json(sb, e, indent + 1);
		lc_sb_add(sb, e->next ? ",\n" : "\n");
	}
	lc_sb_addf(sb, "%*s%c", indent * 2, "", obj ? '}' : ']');
}

char *lc_config_dump(const lc_config *c, const lc_ruleset *rs)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "config_file",
			      c->abspath ? cJSON_CreateString(c->abspath) : cJSON_CreateNull());

	cJSON *profiles = cJSON_AddArrayToObject(o, "profiles");
	for (size_t i = 0; i < rs->profiles.len; i++)
		if (!is_loop(c, rs->profiles.ptr[i].name))
			cJSON_AddItemToArray(profiles, cJSON_CreateString(rs->profiles.ptr[i].name));

	cJSON *rules = cJSON_AddObjectToObject(o, "rules");
	for (size_t i = 0; i < rs->rules.len; i++)
		cJSON_AddStringToObject(rules, rs->rules.ptr[i].id,
					lc_config_rule_level(c, rs, rs->rules.ptr[i].id));

	cJSON_AddNumberToObject(o, "nesting_limit", c->solve.nesting_limit);
	cJSON_AddNumberToObject(o, "hotspot_loop_depth", c->solve.hotspot_loop_depth);
	cJSON_AddItemToObject(o, "allow", string_array(c->allow.ptr, c->allow.len));
	cJSON_AddItemToObject(o, "exclude", string_array(c->exclude.ptr, c->exclude.len));
	cJSON_AddStringToObject(o, "fail_on", lc_severity_name(c->fail_on));

	cJSON *loops = cJSON_AddArrayToObject(o, "loops");
	const cJSON *given = c->root ? cJSON_GetObjectItemCaseSensitive(c->root, "loops") : NULL;
	size_t i = 0;
	for (const cJSON *e = given ? given->child : NULL; e; e = e->next, i++)
		if (i < c->loops.len && c->loops.ptr[i].loaded)
			cJSON_AddItemToArray(loops, cJSON_Duplicate(e, 1));
	cJSON_AddItemToObject(o, "blocking", copy_array(c, "blocking"));
	cJSON_AddItemToObject(o, "descriptors", copy_array(c, "descriptors"));
	cJSON_AddItemToObject(o, "nonblocking_setters", copy_array(c, "nonblocking_setters"));

	lc_sb sb;
	lc_sb_init(&sb);
	print_json(&sb, o, 0);
	lc_sb_addc(&sb, '\n');
	cJSON_Delete(o);
	return lc_sb_detach(&sb);
}

void lc_config_free(lc_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->abspath);
	free(c->dir);
	free(c->text);
	cJSON_Delete(c->root);
	lc_vec_free(&c->profiles);
	lc_vec_free(&c->rules);
	lc_vec_free(&c->allow);
	lc_vec_free(&c->exclude);
	for (size_t i = 0; i < c->exclude_pat.len; i++)
		free(c->exclude_pat.ptr[i]);
	lc_vec_free(&c->exclude_pat);
	lc_vec_free(&c->loops);
	for (size_t i = 0; i < c->cli_profiles.len; i++)
		free(c->cli_profiles.ptr[i]);
	lc_vec_free(&c->cli_profiles);
	free(c);
}
