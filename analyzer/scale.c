/* scale.c - extract, link --merge and ninja-gen: loopcheck split into steps
 * that make, Ninja, Bazel and CI matrices distribute (see scale.h and
 * docs/scale.md). `link` itself is main.c's post-parse pipeline fed by
 * lc_summaries_load.
 */
#define _GNU_SOURCE
#include "scale.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compdb.h"
#include "parse.h"
#include "strmap.h"
#include "util.h"

/* link --merge decodes and re-encodes against this root, so relative paths
 * stay relative and absolute ones absolute: no real path starts with it. */
#define MERGE_ROOT "/\001loopcheck-merge-root"
#define SUMMARY_SUFFIX ".lcsum"

static _Noreturn void usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static _Noreturn void usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "loopcheck: error: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see loopcheck --help)\n", stderr);
	exit(LC_EXIT_ERROR);
}

static unsigned parse_number(const char *cmd, const char *opt, const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || !*s || *end || n < min || n > max)
		usage_error(cmd, "%s expects a number from %ld to %ld, not '%s'", opt, min, max, s);
	return (unsigned)n;
}

static char *current_dir(void)
{
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof(buf)))
		lc_die("cannot get the current directory: %s", strerror(errno));
	return lc_xstrdup(buf);
}

/* The directory of a compile database argument: DIR itself, or the
 * directory of DIR/compile_commands.json given as a file. Heap, absolute. */
static char *database_dir(const char *db_path)
{
	struct stat st;
	char *abs = lc_path_normalize(db_path, NULL);
	if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
		return abs;
	char *slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return abs;
}

/* `path` as shard keys and file names see it: relative to `root` when below
 * it, else absolute. Heap. */
static char *relative_to(const char *path, const char *root)
{
	lc_report_opts ro = { 0 };
	ro.srcroot = root;
	ro.absolute_paths = true;
	return lc_report_path(path, &ro);
}

/* A file name for a relative path: '/' becomes '+', and every byte but
 * [A-Za-z0-9._-] is %XX, so distinct paths give distinct names and none
 * needs quoting in a shell, a Ninja file or a make rule. */
static void mangle(lc_sb *out, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')
			lc_sb_addc(out, (char)c);
		else if (c == '/')
			lc_sb_addc(out, '+');
		else
			lc_sb_addf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

static int mkdir_p(const char *dir)
{
	char *p = lc_xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* Write atomically unless the file already holds exactly these bytes, so
 * its mtime moves only when its contents do (Ninja's restat). Missing
 * parent directories are created. */
static int write_if_changed(const char *path, const void *data, size_t len)
{
	size_t old_len;
	char *old = lc_read_file(path, &old_len);
	bool same = old && old_len == len && memcmp(old, data, len) == 0;
	free(old);
	if (same)
		return 0;
	if (lc_write_file_atomic(path, data, len) == 0)
		return 0;
	if (errno != ENOENT || !strchr(path, '/'))
		return -1;
	char *dir = lc_xstrdup(path);
	*strrchr(dir, '/') = '\0';
	int rc = *dir && mkdir_p(dir) != 0 ? -1 : lc_write_file_atomic(path, data, len);
	int e = errno;
	free(dir);
	errno = e;
	return rc;
}

/* Size and content hash of every file the TU read, from disk right after
 * the parse (a file edited during the parse can be recorded with the new
 * hash: the next build sees it as changed anyway). Unreadable: zeros. */
static lc_file_digest *hash_inputs(lc_facts *f)
{
	lc_file_digest *d = lc_arena_alloc(f->arena, sizeof(*d) * (f->files.len ? f->files.len : 1));
	for (size_t i = 0; i < f->files.len; i++) {
		size_t n;
		char *buf = lc_read_file(f->files.ptr[i], &n);
		if (!buf)
			continue;
		d[i].size = n;
		d[i].hash = lc_xxh64(buf, n, 0);
		free(buf);
	}
	return d;
}

/* 16 hex digits over the directories and arguments of some entries: what
 * makes Ninja re-run one extract edge when its flags change. */
static void args_hash(const lc_tu_cmd *tus, size_t n, char out[17])
{
	uint64_t h = 0;
	for (size_t i = 0; i < n; i++) {
		h = lc_xxh64(tus[i].directory, strlen(tus[i].directory) + 1, h);
		for (size_t a = 0; a < tus[i].nargs; a++)
			h = lc_xxh64(tus[i].args[a], strlen(tus[i].args[a]) + 1, h);
		h = lc_xxh64("\n", 1, h);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ---- canonical order ---------------------------------------------------- */

typedef struct tu_item {
	lc_facts *f;
	lc_file_digest *dg;
	uint64_t tie; /* facts hash, for TUs sharing a main file */
} tu_item;

static const char *main_of(const lc_facts *f)
{
	return f && f->main_file ? f->main_file : "";
}

static int by_main(const void *a, const void *b)
{
	return strcmp(main_of(((const tu_item *)a)->f), main_of(((const tu_item *)b)->f));
}

static int by_tie(const void *a, const void *b)
{
	uint64_t x = ((const tu_item *)a)->tie, y = ((const tu_item *)b)->tie;
	return x < y ? -1 : x > y;
}

/* A hash of what a TU says, independent of where the tree lies: its
 * summary encoded against the main file's own directory, without digests. */
static uint64_t facts_hash(const lc_facts *f)
{
	char *dir = lc_xstrdup(main_of(f));
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	size_t len;
	char *buf = lc_summary_encode(&f, NULL, 1, slash ? dir : NULL, &len);
	uint64_t h = lc_xxh64(buf, len, 0);
	free(buf);
	free(dir);
	return h;
}

void lc_tu_order(lc_facts **facts, lc_file_digest **digests, size_t n)
{
	if (n < 2)
		return;
	tu_item *items = lc_xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		items[i].f = facts[i];
		items[i].dg = digests ? digests[i] : NULL;
	}
	qsort(items, n, sizeof(*items), by_main);
	/* One file compiled several times: order its TUs by content. Equal
	 * hashes mean equal facts, whose order changes nothing. */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(main_of(items[i].f), main_of(items[j].f)) == 0)
			j++;
		if (j - i > 1) {
			for (size_t k = i; k < j; k++)
				items[k].tie = facts_hash(items[k].f);
			qsort(items + i, j - i, sizeof(*items), by_tie);
		}
		i = j;
	}
	for (size_t i = 0; i < n; i++) {
		facts[i] = items[i].f;
		if (digests)
			digests[i] = items[i].dg;
	}
	free(items);
}

/* ---- reading summaries ---------------------------------------------------- */

typedef LC_VEC(char *) strvec;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* `path`, or every *.lcsum below it when it is a directory (sorted). */
static int collect(const char *path, strvec *out, char **err)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		*err = lc_xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		lc_vec_push(out, lc_xstrdup(path));
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		*err = lc_xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	strvec names = { 0 };
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0))
			lc_vec_push(&names, lc_xstrdup(e->d_name));
	closedir(d);
	if (names.len)
		qsort(names.ptr, names.len, sizeof(char *), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.len; i++) {
		char *child = lc_xasprintf("%s/%s", path, names.ptr[i]);
		if (rc == 0 && stat(child, &st) == 0 &&
		    (S_ISDIR(st.st_mode) || has_suffix(names.ptr[i], SUMMARY_SUFFIX)))
			rc = collect(child, out, err);
		free(child);
		free(names.ptr[i]);
	}
	lc_vec_free(&names);
	return rc;
}

/* One path per line of `list` ("-": standard input); blank lines skipped. */
static int read_list(const char *list, strvec *out, char **err)
{
	FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
	if (!f) {
		*err = lc_xasprintf("%s: %s", list, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			rc = collect(line, out, err);
	}
	if (rc == 0 && ferror(f)) {
		*err = lc_xasprintf("%s: %s", list, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Reading and decoding summaries runs on a few threads: for thousands of
 * files it is most of link's time, and each file is independent. */
typedef struct decoded {
	lc_summary *s;
	char *err; /* "FILE: why" */
} decoded;

typedef struct decode_pool {
	char **files;
	size_t n;
	const char *root;
	decoded *out;
	atomic_size_t next;
} decode_pool;

static void *decode_worker(void *arg)
{
	decode_pool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		size_t len;
		char *buf = lc_read_file(p->files[i], &len);
		if (!buf) {
			p->out[i].err = lc_xasprintf("%s: cannot read: %s", p->files[i], strerror(errno));
			continue;
		}
		char *why = NULL;
		p->out[i].s = lc_summary_decode(buf, len, p->root, &why);
		free(buf);
		if (!p->out[i].s) {
			p->out[i].err = lc_xasprintf("%s: %s", p->files[i], why);
			free(why);
		}
	}
	return NULL;
}

static void decode_all(char **files, size_t n, const char *root, decoded *out)
{
	decode_pool p = { files, n, root, out, 0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t jobs = cores > 1 ? (size_t)cores : 1;
	if (jobs > 8)
		jobs = 8;
	if (jobs > n / 16 + 1)
		jobs = n / 16 + 1;
	pthread_t threads[8];
	size_t started = 0;
	for (size_t i = 1; i < jobs; i++)
		if (pthread_create(&threads[started], NULL, decode_worker, &p) == 0)
			started++;
	decode_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}

/* lc_summaries_load, skipping the file `exclude` (normalized; may be NULL). */
static lc_facts **load_summaries(char *const *paths, size_t npaths, const char *list_file,
				 const char *root, size_t *n, lc_file_digest ***digests,
				 const char *exclude, char **err)
{
	strvec files = { 0 };
	LC_VEC(lc_facts *) facts = { 0 };
	LC_VEC(lc_file_digest *) dgs = { 0 };
	int rc = 0;
	*err = NULL;
	for (size_t i = 0; rc == 0 && i < npaths; i++)
		rc = collect(paths[i], &files, err);
	if (rc == 0 && list_file)
		rc = read_list(list_file, &files, err);
	/* A file named twice (`lcsum/ lcsum/a.lcsum`) is read once. */
	lc_strmap seen = { 0 };
	strvec norm = { 0 };
	size_t kept = 0;
	for (size_t i = 0; i < files.len; i++) {
		char *key = lc_path_normalize(files.ptr[i], NULL);
		int added;
		lc_vec_push(&norm, key);
		lc_strmap_intern(&seen, key, &added);
		if (added && !(exclude && strcmp(key, exclude) == 0))
			files.ptr[kept++] = files.ptr[i];
		else
			free(files.ptr[i]);
	}
	files.len = kept;
	lc_strmap_free(&seen);
	for (size_t i = 0; i < norm.len; i++)
		free(norm.ptr[i]);
	lc_vec_free(&norm);
	decoded *out = lc_xcalloc(files.len ? files.len : 1, sizeof(*out));
	if (rc == 0)
		decode_all(files.ptr, files.len, root, out);
	/* In file order, so the error reported is the same on every run. */
	for (size_t i = 0; i < files.len; i++) {
		lc_summary *s = out[i].s;
		if (rc == 0 && out[i].err) {
			*err = out[i].err;
			out[i].err = NULL;
			rc = -1;
		}
		for (size_t k = 0; rc == 0 && s && k < s->ntus; k++) {
			lc_vec_push(&facts, s->facts[k]);
			lc_vec_push(&dgs, s->digests[k]);
			s->facts[k] = NULL; /* ours now */
		}
		lc_summary_free(s);
		free(out[i].err);
		free(files.ptr[i]);
	}
	free(out);
	lc_vec_free(&files);
	if (rc != 0) {
		for (size_t i = 0; i < facts.len; i++)
			lc_facts_free(facts.ptr[i]);
		lc_vec_free(&facts);
		lc_vec_free(&dgs);
		return NULL;
	}
	if (!facts.len)
		lc_vec_grow(&facts, 1);
	lc_tu_order(facts.ptr, dgs.ptr, facts.len);
	*n = facts.len;
	if (digests)
		*digests = dgs.ptr;
	else
		lc_vec_free(&dgs);
	return facts.ptr;
}

lc_facts **lc_summaries_load(char *const *paths, size_t npaths, const char *list_file,
			     const char *root, size_t *n, lc_file_digest ***digests, char **err)
{
	return load_summaries(paths, npaths, list_file, root, n, digests, NULL, err);
}

int lc_summaries_merge(char *const *paths, size_t npaths, const char *list_file,
		       const char *out)
{
	char *err = NULL;
	size_t n = 0;
	lc_file_digest **dgs = NULL;
	if (!npaths && !list_file)
		usage_error("link --merge", "no summaries given");
	/* The output may lie in a directory given as input: a second merge
	 * must not read the first one's result. */
	char *self = lc_path_normalize(out, NULL);
	lc_facts **facts = load_summaries(paths, npaths, list_file, MERGE_ROOT, &n, &dgs, self, &err);
	free(self);
	if (!facts) {
		fprintf(stderr, "loopcheck: error: %s\n", err);
		free(err);
		return LC_EXIT_ERROR;
	}
	size_t len;
	char *buf = lc_summary_encode((const lc_facts *const *)facts,
				      (const lc_file_digest *const *)dgs, n, MERGE_ROOT, &len);
	int status = LC_EXIT_CLEAN;
	if (write_if_changed(out, buf, len) != 0) {
		fprintf(stderr, "loopcheck: error: %s: cannot write the summary: %s\n", out,
			strerror(errno));
		status = LC_EXIT_ERROR;
	}
	free(buf);
	for (size_t i = 0; i < n; i++)
		lc_facts_free(facts[i]);
	free(facts);
	free(dgs);
	return status;
}

/* ---- duplicate definitions ------------------------------------------------ */

enum { NOTICE_KEYS = 3, NOTICE_PLACES = 3 };

static void add_place(lc_sb *sb, const lc_loc *loc, const lc_report_opts *opts)
{
	char *path = lc_report_path(loc->file, opts);
	lc_sb_add(sb, path);
	if (loc->line)
		lc_sb_addf(sb, ":%u", loc->line);
	free(path);
}

char *lc_duplicates_notice(const lc_program *p, const lc_report_opts *opts)
{
	if (!p->duplicate_definitions)
		return NULL;
	uint32_t shown[NOTICE_KEYS];
	size_t nshown = 0, nkeys = 0;
	for (uint32_t i = 0; i < p->fns.len; i++) {
		if (!p->fns.ptr[i].alternatives)
			continue;
		if (nshown < NOTICE_KEYS)
			shown[nshown++] = i;
		nkeys++;
	}
	lc_sb sb;
	lc_sb_init(&sb);
	lc_sb_addf(&sb, "%zu external function%s defined in more than one translation unit "
			"(%zu further definition%s); the first definition in path order is analysed: ",
		   nkeys, nkeys == 1 ? " is" : "s are", p->duplicate_definitions,
		   p->duplicate_definitions == 1 ? "" : "s");
	for (size_t k = 0; k < nshown; k++) {
		const lc_fn *fn = &p->fns.ptr[shown[k]];
		lc_sb_addf(&sb, "%s%s (", k ? "; " : "", fn->name);
		add_place(&sb, &fn->def->loc, opts);
		lc_sb_add(&sb, ", also ");
		/* The other definitions, in TU order. */
		size_t places = 0;
		for (size_t t = 0; t < p->nfacts; t++) {
			const lc_facts *f = p->facts[t];
			if (!f || t == fn->tu)
				continue;
			for (size_t i = 0; i < f->functions.len; i++) {
				const lc_function *d = &f->functions.ptr[i];
				if (d->is_static || strcmp(d->key, fn->key) != 0)
					continue;
				if (places < NOTICE_PLACES) {
					if (places)
						lc_sb_add(&sb, ", ");
					add_place(&sb, &d->loc, opts);
				}
				places++;
			}
		}
		if (places > NOTICE_PLACES)
			lc_sb_addf(&sb, " and %zu more", places - NOTICE_PLACES);
		lc_sb_addc(&sb, ')');
	}
	if (nkeys > nshown)
		lc_sb_addf(&sb, "; and %zu more", nkeys - nshown);
	lc_sb_add(&sb, ". Programs with a main are told apart by themselves; for programs "
		       "without one (plugins, libraries), run `loopcheck link` once per program "
		       "on its own summaries (docs/scale.md).");
	return lc_sb_detach(&sb);
}

/* ---- loopcheck extract ---------------------------------------------------- */

typedef struct extract_opts {
	const char *db_path;   /* -p */
	const char *output;    /* -o: a .lcsum file, or a directory with --shard */
	const char *root;      /* --root */
	const char *depfile;   /* --depfile */
	const char *args_hash; /* --args-hash: the entries' flags, as ninja-gen saw them */
	unsigned shard_i, shard_n;
	bool shard;
	unsigned jobs;
	int progress; /* -1 auto */
	char **files;
	size_t nfiles;
	char **cargs;
	size_t ncargs;
	bool dashdash;
} extract_opts;

enum { XO_ROOT = 256, XO_SHARD, XO_DEPFILE, XO_ARGS_HASH, XO_PROGRESS };

static void parse_shard(extract_opts *o, const char *s)
{
	unsigned long i, n;
	char *end;
	errno = 0;
	i = strtoul(s, &end, 10);
	if (errno || end == s || *end != '/')
		goto bad;
	const char *ns = end + 1;
	n = strtoul(ns, &end, 10);
	if (errno || end == ns || *end || n < 1 || n > 100000 || i < 1 || i > n)
		goto bad;
	o->shard = true;
	o->shard_i = (unsigned)i;
	o->shard_n = (unsigned)n;
	return;
bad:
	usage_error("extract", "--shard expects I/N with 1 <= I <= N, not '%s'", s);
}

static void parse_extract_args(int argc, char **argv, extract_opts *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, XO_ROOT },
		{ "shard", required_argument, NULL, XO_SHARD },
		{ "depfile", required_argument, NULL, XO_DEPFILE },
		{ "args-hash", required_argument, NULL, XO_ARGS_HASH },
		{ "progress", no_argument, NULL, XO_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int nours = lc_split_dashdash(argc, argv, &o->cargs, &o->ncargs);
	o->dashdash = nours < argc;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(nours, argv, ":p:o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->db_path = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'j':
			o->jobs = parse_number("extract", "-j", optarg, 1, 1024);
			break;
		case 'q':
			o->progress = 0;
			break;
		case 'h':
			fputs("usage: loopcheck extract [-p DIR] [--root DIR] [-j N] FILE... -o OUT.lcsum "
			      "[-- COMPILER_ARGS...]\n"
			      "       loopcheck extract -p DIR [--shard I/N] [--root DIR] [-j N] -o OUTDIR\n"
			      "See loopcheck --help and docs/scale.md.\n",
			      stdout);
			exit(LC_EXIT_CLEAN);
		case XO_ROOT:
			o->root = optarg;
			break;
		case XO_SHARD:
			parse_shard(o, optarg);
			break;
		case XO_DEPFILE:
			o->depfile = optarg;
			break;
		case XO_ARGS_HASH:
			o->args_hash = optarg;
			break;
		case XO_PROGRESS:
			o->progress = 1;
			break;
		case ':':
			usage_error("extract", "option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("extract", "unknown option '%s'", argv[optind - 1]);
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(nours - optind);
}

/* "OUT: in1 in2 ..." in make syntax, for Ninja's deps = gcc. */
static void add_make_path(lc_sb *sb, const char *p)
{
	for (; *p; p++) {
		if (*p == ' ' || *p == '#' || *p == '\\')
			lc_sb_addc(sb, '\\');
		if (*p == '$')
			lc_sb_addc(sb, '$');
		lc_sb_addc(sb, *p);
	}
}

static int write_depfile(const char *depfile, const char *target, lc_facts **facts, size_t n)
{
	lc_sb sb;
	lc_strmap seen = { 0 };
	lc_sb_init(&sb);
	add_make_path(&sb, target);
	lc_sb_addc(&sb, ':');
	for (size_t t = 0; t < n; t++) {
		for (size_t i = 0; i < facts[t]->files.len; i++) {
			int added;
			lc_strmap_intern(&seen, facts[t]->files.ptr[i], &added);
			if (!added)
				continue;
			lc_sb_add(&sb, " \\\n  ");
			add_make_path(&sb, facts[t]->files.ptr[i]);
		}
	}
	lc_sb_addc(&sb, '\n');
	int rc = write_if_changed(depfile, sb.buf, sb.len);
	lc_sb_release(&sb);
	lc_strmap_free(&seen);
	return rc;
}

/* Parse the TUs of `db` and write them: one summary per TU into the
 * directory `outdir` (names[i]), or all of them into the file `output`. */
static int extract_write(const lc_compdb *db, const extract_opts *o, const char *root,
			 char **names, const char *outdir)
{
	lc_parse_opts popts = { 0 };
	popts.jobs = o->jobs;
	popts.progress = o->progress == 1 || (o->progress == -1 && isatty(STDERR_FILENO));
	lc_facts **facts = lc_parse_all(db, &popts);
	lc_file_digest **dgs = lc_xcalloc(db->ntus ? db->ntus : 1, sizeof(*dgs));
	for (size_t i = 0; i < db->ntus; i++)
		dgs[i] = hash_inputs(facts[i]);
	int status = LC_EXIT_CLEAN;
	size_t len;
	char *buf;
	if (outdir) {
		for (size_t i = 0; i < db->ntus && status == LC_EXIT_CLEAN; i++) {
			buf = lc_summary_encode((const lc_facts *const *)&facts[i],
						(const lc_file_digest *const *)&dgs[i], 1, root, &len);
			char *path = lc_xasprintf("%s/%s", outdir, names[i]);
			if (write_if_changed(path, buf, len) != 0) {
				fprintf(stderr, "loopcheck: error: %s: cannot write the summary: %s\n",
					path, strerror(errno));
				status = LC_EXIT_ERROR;
			}
			free(path);
			free(buf);
		}
	} else {
		buf = lc_summary_encode((const lc_facts *const *)facts,
					(const lc_file_digest *const *)dgs, db->ntus, root, &len);
		if (write_if_changed(o->output, buf, len) != 0) {
			fprintf(stderr, "loopcheck: error: %s: cannot write the summary: %s\n",
				o->output, strerror(errno));
			status = LC_EXIT_ERROR;
		} else if (o->depfile && write_depfile(o->depfile, o->output, facts, db->ntus) != 0) {
			fprintf(stderr, "loopcheck: error: %s: cannot write the depfile: %s\n",
				o->depfile, strerror(errno));
			status = LC_EXIT_ERROR;
		}
		free(buf);
	}
	for (size_t i = 0; i < db->ntus; i++)
		lc_facts_free(facts[i]);
	free(facts);
	free(dgs);
	return status;
}

/* --shard I/N (or the whole database into a directory): the entries whose
 * key, "<path relative to the root>#<occurrence of that path>", hashes to
 * shard I, each written to OUTDIR/<mangled path>.<occurrence>.lcsum. */
static int extract_shard(lc_compdb *db, const extract_opts *o, const char *root)
{
	unsigned si = o->shard ? o->shard_i : 1, sn = o->shard ? o->shard_n : 1;
	lc_strmap files = { 0 };
	LC_VEC(unsigned) seen = { 0 };
	lc_tu_cmd *sel = lc_xcalloc(db->ntus ? db->ntus : 1, sizeof(*sel));
	char **names = lc_xcalloc(db->ntus ? db->ntus : 1, sizeof(char *));
	size_t nsel = 0;
	for (size_t i = 0; i < db->ntus; i++) {
		int added;
		uint32_t id = lc_strmap_intern(&files, db->tus[i].file, &added);
		if (added)
			lc_vec_push(&seen, 0);
		unsigned occurrence = seen.ptr[id]++;
		char *rel = relative_to(db->tus[i].file, root);
		char *key = lc_xasprintf("%s#%u", rel, occurrence);
		if (lc_xxh64(key, strlen(key), 0) % sn == si - 1) {
			lc_sb name;
			lc_sb_init(&name);
			mangle(&name, rel);
			lc_sb_addf(&name, ".%u" SUMMARY_SUFFIX, occurrence);
			names[nsel] = lc_sb_detach(&name);
			sel[nsel++] = db->tus[i];
		}
		free(key);
		free(rel);
	}
	int status = LC_EXIT_CLEAN;
	if (mkdir_p(o->output) != 0) {
		fprintf(stderr, "loopcheck: error: %s: cannot create the directory: %s\n", o->output,
			strerror(errno));
		status = LC_EXIT_ERROR;
	} else {
		/* In chunks, so that memory stays bounded by the chunk, not the shard. */
		size_t chunk = 64 * (o->jobs ? o->jobs : 4);
		for (size_t i = 0; i < nsel && status == LC_EXIT_CLEAN; i += chunk) {
			lc_compdb sub = { 0 };
			sub.tus = sel + i;
			sub.ntus = nsel - i < chunk ? nsel - i : chunk;
			status = extract_write(&sub, o, root, names + i, o->output);
		}
	}
	for (size_t i = 0; i < nsel; i++)
		free(names[i]);
	free(names);
	free(sel);
	lc_strmap_free(&files);
	lc_vec_free(&seen);
	return status;
}

int lc_extract_main(int argc, char **argv)
{
	extract_opts o = { 0 };
	o.progress = -1;
	parse_extract_args(argc, argv, &o);
	bool to_dir = o.shard || (!o.nfiles && o.db_path);
	if (!o.output)
		usage_error("extract", to_dir ? "-o OUTDIR is required" : "-o FILE.lcsum is required");
	if (o.db_path && o.dashdash)
		usage_error("extract", "'--' compiler arguments cannot be combined with -p");
	if (!o.db_path && !o.nfiles)
		usage_error("extract", "no input (give -p DIR, or FILE... -- COMPILER_ARGS)");
	if (o.shard && o.nfiles)
		usage_error("extract", "--shard takes every entry of the database: no FILE arguments");
	if (o.shard && !o.db_path)
		usage_error("extract", "--shard needs -p DIR");
	if (to_dir && (o.depfile || o.args_hash))
		usage_error("extract", "--depfile and --args-hash are for one FILE");
	if (o.args_hash && !o.db_path)
		usage_error("extract", "--args-hash needs -p DIR");

	char *cwd = current_dir();
	char *root = o.root ? lc_path_normalize(o.root, cwd)
			    : o.db_path ? database_dir(o.db_path) : lc_xstrdup(cwd);
	char *err = NULL;
	lc_compdb *db = o.db_path ? lc_compdb_load(o.db_path, &err)
				  : lc_compdb_from_args(o.files, o.nfiles, o.cargs, o.ncargs, &err);
	if (!db) {
		fprintf(stderr, "loopcheck: error: %s\n", err ? err : "cannot read the compile database");
		free(err);
		free(root);
		free(cwd);
		return LC_EXIT_ERROR;
	}
	int status = LC_EXIT_CLEAN;
	if (!to_dir && o.db_path) {
		const char *unmatched = NULL;
		if (lc_compdb_restrict(db, o.files, o.nfiles, &unmatched)) {
			fprintf(stderr, "loopcheck: error: %s: not in the compile database %s\n",
				unmatched, o.db_path);
			status = LC_EXIT_ERROR;
		}
	}
	if (status == LC_EXIT_CLEAN && o.args_hash) {
		char h[17];
		args_hash(db->tus, db->ntus, h);
		if (strcmp(h, o.args_hash) != 0) {
			fprintf(stderr, "loopcheck: error: %s: the compile database changed since the "
					"build file was generated (run loopcheck ninja-gen again)\n",
				o.nfiles ? o.files[0] : o.db_path);
			status = LC_EXIT_ERROR;
		}
	}
	/* A removed plugin flag: the one-shot report lists it; here it is all
	 * the user sees (link never reads the database). */
	for (size_t i = 0; status == LC_EXIT_CLEAN && i < db->nnotices; i++)
		fprintf(stderr, "loopcheck: note: %s\n", db->notices[i]);
	if (status == LC_EXIT_CLEAN)
		status = to_dir ? extract_shard(db, &o, root) : extract_write(db, &o, root, NULL, NULL);
	lc_compdb_free(db);
	free(root);
	free(cwd);
	return status;
}

/* ---- loopcheck ninja-gen -------------------------------------------------- */

typedef struct ninja_opts {
	const char *db_path, *output, *loopcheck, *out_dir, *root, *report;
	char **link_args;
	size_t nlink_args;
} ninja_opts;

enum { NO_LOOPCHECK = 256, NO_OUT_DIR, NO_ROOT, NO_REPORT };

/* A word for /bin/sh: as is when it is made of safe bytes, else in single
 * quotes. */
static void add_shell(lc_sb *sb, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			   "_@%+=:,./-") == strlen(s)) {
		lc_sb_add(sb, s);
		return;
	}
	lc_sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			lc_sb_add(sb, "'\\''");
		else
			lc_sb_addc(sb, *s);
	}
	lc_sb_addc(sb, '\'');
}

/* A Ninja variable value ($ escaped) holding a shell word. */
static void add_value(lc_sb *sb, const char *s)
{
	lc_sb word;
	lc_sb_init(&word);
	add_shell(&word, s);
	for (const char *p = word.buf; *p; p++) {
		if (*p == '$')
			lc_sb_addc(sb, '$');
		lc_sb_addc(sb, *p);
	}
	lc_sb_release(&word);
}

/* A path in a Ninja build line. */
static void add_ninja_path(lc_sb *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '$' || *s == ' ' || *s == ':')
			lc_sb_addc(sb, '$');
		lc_sb_addc(sb, *s);
	}
}

static void parse_ninja_args(int argc, char **argv, ninja_opts *o)
{
	static const struct option longopts[] = {
		{ "loopcheck", required_argument, NULL, NO_LOOPCHECK },
		{ "out-dir", required_argument, NULL, NO_OUT_DIR },
		{ "root", required_argument, NULL, NO_ROOT },
		{ "report", required_argument, NULL, NO_REPORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int nours = lc_split_dashdash(argc, argv, &o->link_args, &o->nlink_args);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(nours, argv, ":p:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->db_path = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fputs("usage: loopcheck ninja-gen -p DIR -o build.ninja [--loopcheck PATH] "
			      "[--out-dir D] [--root DIR] [--report FILE] [-- LINK_OPTIONS...]\n"
			      "See loopcheck --help and docs/scale.md.\n",
			      stdout);
			exit(LC_EXIT_CLEAN);
		case NO_LOOPCHECK:
			o->loopcheck = optarg;
			break;
		case NO_OUT_DIR:
			o->out_dir = optarg;
			break;
		case NO_ROOT:
			o->root = optarg;
			break;
		case NO_REPORT:
			o->report = optarg;
			break;
		case ':':
			usage_error("ninja-gen", "option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("ninja-gen", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < nours)
		usage_error("ninja-gen", "unexpected argument '%s'", argv[optind]);
	if (!o->db_path || !o->output)
		usage_error("ninja-gen", "-p DIR and -o FILE are required");
}

/* The loopcheck the build file runs, and the file its edges depend on (so a
 * new loopcheck re-extracts; NULL for a bare name looked up on PATH). */
static char *loopcheck_path(const ninja_opts *o, const char *cwd, char **dep)
{
	*dep = NULL;
	if (o->loopcheck && !strchr(o->loopcheck, '/'))
		return lc_xstrdup(o->loopcheck);
	char *p;
	if (o->loopcheck) {
		p = lc_path_normalize(o->loopcheck, cwd);
	} else {
		char buf[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
		if (n <= 0)
			return lc_xstrdup("loopcheck");
		buf[n] = '\0';
		p = lc_xstrdup(buf);
	}
	*dep = lc_xstrdup(p);
	return p;
}

typedef struct ninja_tu {
	const lc_tu_cmd *first; /* the file's entries, consecutive in `tus` */
	size_t n;
	char *rel;
} ninja_tu;

static int by_file_then_index(const void *a, const void *b)
{
	const lc_tu_cmd *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void add_ninja_file(lc_sb *sb, const ninja_opts *o, const char *lc, const char *lc_dep,
			   const char *db_abs, const char *db_file, const char *root,
			   const char *ninja_abs, const char *ninja_base, const char *out_dir,
			   const char *report, const ninja_tu *tus, size_t ntus)
{
	lc_sb_add(sb, "# Generated by `loopcheck ninja-gen` (docs/scale.md): do not edit. It is\n"
		      "# regenerated when the compile database changes. One extract edge per\n"
		      "# source file (restat: an unchanged summary stops there), one link edge.\n"
		      "ninja_required_version = 1.7\n\n");
	lc_sb_add(sb, "lc = ");
	add_value(sb, lc);
	lc_sb_add(sb, "\ndb = ");
	add_value(sb, db_abs);
	lc_sb_add(sb, "\nroot = ");
	add_value(sb, root);
	lc_sb_add(sb, "\nlink_args =");
	for (size_t i = 0; i < o->nlink_args; i++) {
		lc_sb_addc(sb, ' ');
		add_value(sb, o->link_args[i]);
	}
	lc_sb_add(sb, "\n\n"
		      "rule lc_extract\n"
		      "  command = $lc extract -p $db --root $root --args-hash $args_hash "
		      "--depfile $out.d -o $out $src\n"
		      "  description = loopcheck extract $rel\n"
		      "  depfile = $out.d\n"
		      "  deps = gcc\n"
		      "  restat = 1\n\n"
		      "rule lc_link\n"
		      "  command = $lc link --root $root --srcroot $root --format sarif --exit-zero "
		      "-o $out --summaries-from $out.rsp $link_args\n"
		      "  description = loopcheck link $out\n"
		      "  rspfile = $out.rsp\n"
		      "  rspfile_content = $in_newline\n\n"
		      "rule lc_regen\n"
		      "  command = $lc ninja-gen $regen_args\n"
		      "  description = loopcheck ninja-gen $out\n"
		      "  generator = 1\n"
		      "  restat = 1\n\n");

	lc_sb_add(sb, "build ");
	add_ninja_path(sb, ninja_base);
	lc_sb_add(sb, ": lc_regen ");
	add_ninja_path(sb, db_file);
	if (lc_dep) {
		lc_sb_add(sb, " | ");
		add_ninja_path(sb, lc_dep);
	}
	lc_sb_add(sb, "\n  regen_args = -p ");
	add_value(sb, db_abs);
	lc_sb_add(sb, " -o ");
	add_value(sb, ninja_abs);
	lc_sb_add(sb, " --root ");
	add_value(sb, root);
	lc_sb_add(sb, " --out-dir ");
	add_value(sb, out_dir);
	lc_sb_add(sb, " --report ");
	add_value(sb, report);
	lc_sb_add(sb, " --loopcheck ");
	add_value(sb, lc);
	if (o->nlink_args) {
		lc_sb_add(sb, " --");
		for (size_t i = 0; i < o->nlink_args; i++) {
			lc_sb_addc(sb, ' ');
			add_value(sb, o->link_args[i]);
		}
	}
	lc_sb_add(sb, "\n\n");

	lc_sb outs;
	lc_sb_init(&outs);
	for (size_t t = 0; t < ntus; t++) {
		lc_sb out;
		lc_sb_init(&out);
		lc_sb_add(&out, out_dir);
		lc_sb_addc(&out, '/');
		mangle(&out, tus[t].rel);
		lc_sb_add(&out, SUMMARY_SUFFIX);
		char hash[17];
		args_hash(tus[t].first, tus[t].n, hash);
		lc_sb_add(sb, "build ");
		add_ninja_path(sb, out.buf);
		lc_sb_add(sb, ": lc_extract ");
		add_ninja_path(sb, tus[t].first->file);
		if (lc_dep) {
			lc_sb_add(sb, " | ");
			add_ninja_path(sb, lc_dep);
		}
		lc_sb_add(sb, "\n  src = ");
		add_value(sb, tus[t].first->file);
		lc_sb_add(sb, "\n  rel = ");
		add_value(sb, tus[t].rel);
		lc_sb_addf(sb, "\n  args_hash = %s\n", hash);
		lc_sb_add(&outs, " $\n    ");
		add_ninja_path(&outs, out.buf);
		lc_sb_release(&out);
	}
	lc_sb_add(sb, "\nbuild ");
	add_ninja_path(sb, report);
	lc_sb_add(sb, ": lc_link");
	lc_sb_add(sb, outs.buf);
	if (lc_dep) {
		lc_sb_add(sb, " | ");
		add_ninja_path(sb, lc_dep);
	}
	lc_sb_add(sb, "\n\ndefault ");
	add_ninja_path(sb, report);
	lc_sb_addc(sb, '\n');
	lc_sb_release(&outs);
}

int lc_ninja_gen_main(int argc, char **argv)
{
	ninja_opts o = { 0 };
	parse_ninja_args(argc, argv, &o);
	char *cwd = current_dir();
	char *err = NULL;
	lc_compdb *db = lc_compdb_load(o.db_path, &err);
	if (!db) {
		fprintf(stderr, "loopcheck: error: %s\n", err ? err : "cannot read the compile database");
		free(err);
		free(cwd);
		return LC_EXIT_ERROR;
	}
	char *db_abs = lc_path_normalize(o.db_path, cwd);
	struct stat st;
	char *db_file = stat(db_abs, &st) == 0 && S_ISDIR(st.st_mode)
				? lc_xasprintf("%s/compile_commands.json", db_abs)
				: lc_xstrdup(db_abs);
	char *root = o.root ? lc_path_normalize(o.root, cwd) : database_dir(db_abs);
	char *ninja_abs = lc_path_normalize(o.output, cwd);
	const char *ninja_base = strrchr(ninja_abs, '/') + 1;
	char *lc_dep;
	char *lc = loopcheck_path(&o, cwd, &lc_dep);
	const char *out_dir = o.out_dir ? o.out_dir : "lcsum";
	const char *report = o.report ? o.report : "loopcheck.sarif";
	int status = LC_EXIT_CLEAN;
	for (size_t i = 0; i < db->ntus; i++)
		if (strchr(db->tus[i].file, '\n')) {
			fprintf(stderr, "loopcheck: error: ninja-gen: a file name holds a newline\n");
			status = LC_EXIT_ERROR;
			break;
		}

	/* One edge per source file, in path order. */
	LC_VEC(ninja_tu) tus = { 0 };
	if (db->ntus)
		qsort(db->tus, db->ntus, sizeof(lc_tu_cmd), by_file_then_index);
	for (size_t i = 0; i < db->ntus;) {
		size_t j = i + 1;
		while (j < db->ntus && strcmp(db->tus[i].file, db->tus[j].file) == 0)
			j++;
		ninja_tu t = { &db->tus[i], j - i, relative_to(db->tus[i].file, root) };
		lc_vec_push(&tus, t);
		i = j;
	}
	if (status == LC_EXIT_CLEAN && !tus.len) {
		fprintf(stderr, "loopcheck: error: %s: the compile database has no entries\n",
			o.db_path);
		status = LC_EXIT_ERROR;
	}
	if (status == LC_EXIT_CLEAN) {
		lc_sb sb;
		lc_sb_init(&sb);
		add_ninja_file(&sb, &o, lc, lc_dep, db_abs, db_file, root, ninja_abs, ninja_base,
			       out_dir, report, tus.ptr, tus.len);
		if (write_if_changed(ninja_abs, sb.buf, sb.len) != 0) {
			fprintf(stderr, "loopcheck: error: %s: cannot write: %s\n", o.output,
				strerror(errno));
			status = LC_EXIT_ERROR;
		}
		lc_sb_release(&sb);
	}
	for (size_t i = 0; i < tus.len; i++)
		free(tus.ptr[i].rel);
	lc_vec_free(&tus);
	free(lc);
	free(lc_dep);
	free(ninja_abs);
	free(root);
	free(db_file);
	free(db_abs);
	lc_compdb_free(db);
	free(cwd);
	return status;
}
