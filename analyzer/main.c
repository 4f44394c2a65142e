/* main.c - the command line: options in, stages run in order, report out.
 *
 *   compile database -> parse + extract -> link -> solve -> report
 *
 * Exit codes (documented in README.md and docs/cli.md): 0 no findings at or
 * above --fail-on, 1 findings, 2 usage, configuration, input or internal
 * error, always with a one-line message on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* issue 10 */
#include <time.h>
#include <unistd.h>

#include "baseline.h" /* suppressions and baselines */
#include "cache.h"
#include "compdb.h"
#include "config.h"
#include "filter.h"
#include "link.h"
#include "parse.h"
#include "programs.h" /* several programs in one database */
#include "report.h"
#include "result.h"
#include "rules.h"
#include "scale.h" /* extract and link (issue 10) */
#include "solve.h"
#include "suppress.h" /* suppressions and baselines */
#include "util.h"

#ifndef LC_VERSION
#define LC_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"usage: loopcheck [options] FILE... [-- COMPILER_ARGS...]\n"
	"       loopcheck [options] -p BUILD_DIR [FILE...]\n"
	/* issue 10: the subcommands (scale.h, docs/scale.md) */
	"       loopcheck extract [-p BUILD_DIR] FILE... -o OUT.lcsum [-- COMPILER_ARGS...]\n"
	"       loopcheck extract -p BUILD_DIR [--shard I/N] -o OUTDIR\n"
	"       loopcheck link [options] SUMMARY... | --summaries-from FILE\n"
	"       loopcheck link --merge -o OUT.lcsum SUMMARY...\n"
	"       loopcheck ninja-gen -p BUILD_DIR -o build.ninja\n"
	"\n"
	"Finds code that blocks the event loop in asynchronous C programs: every\n"
	"blocking call reachable from a callback that runs on the loop thread.\n"
	"\n"
	"Input:\n"
	"  -p DIR                 read DIR/compile_commands.json; the whole database is\n"
	"                         analysed and FILE arguments (changed files, e.g. from\n"
	"                         pre-commit) restrict the report to findings in them or\n"
	"                         whose chain passes through them\n"
	"  -- ARGS                compiler arguments for FILE... (without -p)\n"
	"  --profile NAME[,NAME]  use only these loop profiles (see --list-profiles)\n"
	"\n"
	"Configuration (docs/configuration.md):\n"
	"  --config FILE          read FILE instead of looking for .loopcheck.json in the\n"
	"                         current directory and its parents (up to the .git root)\n"
	"  --no-config            do not look for .loopcheck.json\n"
	"  --dump-config          print the effective configuration as JSON and exit\n"
	"\n"
	"Output:\n"
	"  --format FMT           text (default), json, sarif, codequality (GitLab) or\n"
	"                         dot (Graphviz: the call chains of the findings)\n"
	"  -o FILE                write the report to FILE (atomically) instead of stdout\n"
	"  --srcroot DIR          report paths relative to DIR (default: current directory)\n"
	"  --absolute-paths       print absolute paths for files outside --srcroot\n"
	"  --automation-id ID     SARIF runAutomationDetails.id (category/run-id)\n"
	"  --color WHEN           auto (default), always or never; NO_COLOR is honoured\n"
	"  --deterministic        omit tool version and timings (for golden files)\n"
	"  -q, --quiet            text: print nothing when there is nothing to report\n"
	"  --progress             show [n/N] progress on stderr (default: on a terminal)\n"
	"\n"
	"Policy:\n"
	"  --nesting-limit N      callback/nesting: deepest allowed level (default 5)\n"
	"  --hotspot-loop-depth N cpu/hotspot: report data-bounded loops nested N deep\n"
	"                         (default 2)\n"
	"  --fail-on LEVEL        note, warning (default) or error: lowest severity that\n"
	"                         makes the exit code 1\n"
	"  --exit-zero            exit 0 even when there are findings\n"
	"  --max-findings N       exit 1 only when more than N findings count (default 0)\n"
	"  --fail-on-parse-error  exit 2, after writing the report, when a translation\n"
	"                         unit failed to parse or parsed with errors (default:\n"
	"                         listed in the report's errors, exit code unchanged)\n"
	"\n"
	"Suppressions and baselines (docs/suppressions.md, docs/baselines.md):\n"
	"  --baseline FILE        do not report findings whose fingerprints are in FILE\n"
	"                         (a JSON or SARIF report of an earlier run)\n"
	"  --write-baseline FILE  write the unsuppressed findings to FILE as a baseline;\n"
	"                         they then count as in the baseline for this run\n"
	"  --report-unused-suppressions\n"
	"                         warn about loopcheck-ignore comments that match no\n"
	"                         finding, and exit 1 if there are any\n"
	"\n"
	"Performance:\n"
	"  -j N                   parse N translation units in parallel (default: cores)\n"
	"  --cache-dir DIR        keep per-TU summaries in DIR (default: .loopcheck-cache\n"
	"                         beside the compile database with -p, else\n"
	"                         $XDG_CACHE_HOME/loopcheck or ~/.cache/loopcheck)\n"
	"  --no-cache             parse every translation unit; use no cache\n"
	"  --tu-timeout SECONDS   give up on a translation unit whose parse takes longer\n"
	"                         (it is reported as failed)\n"
	"  --no-isolate           parse in this process instead of worker processes (a\n"
	"                         file that crashes the parser then stops the run)\n"
	"  --stats                print where the time went on stderr\n"
	"\n"
	/* issue 10: extract and link as separate steps */
	"Scale out: extract and link as separate steps (docs/scale.md):\n"
	"  extract                parse and extract only, no rules or configuration:\n"
	"                         FILE... -o OUT.lcsum (every -p database entry of each\n"
	"                         FILE), or -p DIR -o OUTDIR: one summary per TU of the\n"
	"                         database or of its --shard I/N; --root DIR: paths\n"
	"                         relative to DIR (default: the database's directory);\n"
	"                         -j N\n"
	"  link                   the rest of the run, with the options above, on\n"
	"                         summaries: files, directories of *.lcsum, and\n"
	"                         --summaries-from FILE (one a line); --root DIR as\n"
	"                         given to extract (default: -p DIR's directory, else\n"
	"                         the current directory)\n"
	"  link --merge -o OUT    combine summaries into one\n"
	"  ninja-gen              write a Ninja file: an extract edge per source file,\n"
	"                         a link edge writing the SARIF (--out-dir D, --report\n"
	"                         FILE, --loopcheck PATH, --root DIR, -- LINK_OPTIONS)\n"
	"\n"
	"Information and debugging:\n"
	"  --list-rules           list the rules and exit\n"
	"  --list-profiles        list the loop profiles and exit\n"
	"  --dump-facts           print the facts extracted from each TU and exit\n"
	"  --dump-callgraph       print the linked call graph with entry points and exit\n"
	"  --version              print the version and exit\n"
	"  -h, --help             print this help and exit\n"
	"\n"
	"Exit status: 0 no findings, 1 findings, 2 usage/configuration/input/internal error.\n"
	"Rules are documented in docs/rules/; see also docs/cli.md.\n";

enum {
	OPT_FORMAT = 256,
	OPT_SRCROOT,
	OPT_ABSOLUTE_PATHS,
	OPT_AUTOMATION_ID,
	OPT_COLOR,
	OPT_DETERMINISTIC,
	OPT_PROGRESS,
	OPT_FAIL_ON,
	OPT_EXIT_ZERO,
	OPT_LIST_RULES,
	OPT_LIST_PROFILES,
	OPT_DUMP_FACTS,
	OPT_DUMP_CALLGRAPH,
	OPT_VERSION,
	OPT_PROFILE,
	OPT_NESTING_LIMIT,
	OPT_HOTSPOT_DEPTH,
	OPT_BASELINE,       /* suppressions and baselines */
	OPT_WRITE_BASELINE,
	OPT_REPORT_UNUSED,
	OPT_MAX_FINDINGS,
	OPT_CONFIG,      /* config.h */
	OPT_NO_CONFIG,
	OPT_DUMP_CONFIG,
	OPT_CACHE_DIR,   /* summary cache and --stats (cache.h) */
	OPT_NO_CACHE,
	OPT_NO_ISOLATE,
	OPT_TU_TIMEOUT,
	OPT_STATS,
	OPT_FAIL_ON_PARSE_ERROR, /* issue 9 */
	OPT_ROOT,          /* issue 10: loopcheck link */
	OPT_SUMMARIES_FROM,
	OPT_MERGE,
};

typedef struct options {
	const char *build_dir;
	char **files;
	size_t nfiles;
	char **compiler_args;
	size_t ncompiler_args;
	bool have_dashdash;
	lc_report_opts report;
	const char *output;
	const char *color;
	unsigned jobs;
	int progress; /* -1 auto */
	lc_severity fail_on;
	bool exit_zero;
	bool list_rules, list_profiles, dump_facts, dump_callgraph;
	LC_VEC(char *) profiles;
	lc_solve_opts solve;
	/* Suppressions and baselines (suppress.h, baseline.h). */
	const char *baseline, *write_baseline;
	bool report_unused;
	size_t max_findings;
	/* Configuration file (config.h): command-line values win over it. */
	const char *config;
	bool no_config, dump_config;
	bool fail_on_set, nesting_set, hotspot_set;
	/* Summary cache and --stats (cache.h, parse.h). */
	const char *cache_dir;
	bool no_cache, stats;
	bool no_isolate;    /* parse on threads of this process (faster start, no crash safety) */
	double tu_timeout;  /* seconds per TU, 0: none */
	bool fail_on_parse_error; /* issue 9: partial analysis is an error */
	/* issue 10: `loopcheck link` (scale.h): FILE arguments are summaries. */
	bool link, merge;
	const char *root, *summaries_from;
} options;

static _Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("loopcheck: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see loopcheck --help)\n", stderr);
	exit(LC_EXIT_ERROR);
}

static unsigned parse_count(const char *opt, const char *s, long min, long max)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || !*s || *end || n < min || n > max)
		usage_error("%s expects a number from %ld to %ld, not '%s'", opt, min, max, s);
	return (unsigned)n;
}

static void add_profiles(options *o, const char *list)
{
	char *copy = lc_xstrdup(list);
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (*tok)
			lc_vec_push(&o->profiles, lc_xstrdup(tok));
	free(copy);
}

static void parse_args(int argc, char **argv, options *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "srcroot", required_argument, NULL, OPT_SRCROOT },
		{ "absolute-paths", no_argument, NULL, OPT_ABSOLUTE_PATHS },
		{ "automation-id", required_argument, NULL, OPT_AUTOMATION_ID },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "deterministic", no_argument, NULL, OPT_DETERMINISTIC },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "exit-zero", no_argument, NULL, OPT_EXIT_ZERO },
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ "list-profiles", no_argument, NULL, OPT_LIST_PROFILES },
		{ "dump-facts", no_argument, NULL, OPT_DUMP_FACTS },
		{ "dump-callgraph", no_argument, NULL, OPT_DUMP_CALLGRAPH },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "nesting-limit", required_argument, NULL, OPT_NESTING_LIMIT },
		{ "hotspot-loop-depth", required_argument, NULL, OPT_HOTSPOT_DEPTH },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "report-unused-suppressions", no_argument, NULL, OPT_REPORT_UNUSED },
		{ "max-findings", required_argument, NULL, OPT_MAX_FINDINGS },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "dump-config", no_argument, NULL, OPT_DUMP_CONFIG },
		{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "no-isolate", no_argument, NULL, OPT_NO_ISOLATE },
		{ "tu-timeout", required_argument, NULL, OPT_TU_TIMEOUT },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "fail-on-parse-error", no_argument, NULL, OPT_FAIL_ON_PARSE_ERROR },
		{ "root", required_argument, NULL, OPT_ROOT }, /* issue 10 */
		{ "summaries-from", required_argument, NULL, OPT_SUMMARIES_FROM },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Everything after "--" is compiler arguments, not ours. */
	int nours = lc_split_dashdash(argc, argv, &o->compiler_args, &o->ncompiler_args);
	o->have_dashdash = nours < argc;
	opterr = 0;
	int c;
	while ((c = getopt_long(nours, argv, ":p:o:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->build_dir = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'j':
			o->jobs = parse_count("-j", optarg, 1, 1024);
			break;
		case 'q':
			o->report.quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(LC_EXIT_CLEAN);
		case OPT_VERSION:
			printf("loopcheck %s\n", LC_VERSION);
			exit(LC_EXIT_CLEAN);
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->report.format = LC_FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->report.format = LC_FORMAT_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				o->report.format = LC_FORMAT_SARIF;
			else if (strcmp(optarg, "codequality") == 0)
				o->report.format = LC_FORMAT_CODEQUALITY;
			else if (strcmp(optarg, "dot") == 0)
				o->report.format = LC_FORMAT_DOT;
			else
				usage_error("unknown format '%s' (expected text, json, sarif, codequality or dot)",
					    optarg);
			break;
		case OPT_SRCROOT:
			o->report.srcroot = optarg;
			break;
		case OPT_ABSOLUTE_PATHS:
			o->report.absolute_paths = true;
			break;
		case OPT_AUTOMATION_ID:
			o->report.automation_id = optarg;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
				usage_error("--color expects auto, always or never, not '%s'", optarg);
			o->color = optarg;
			break;
		case OPT_DETERMINISTIC:
			o->report.no_version = o->report.no_timing = true;
			break;
		case OPT_PROGRESS:
			o->progress = 1;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "note") == 0)
				o->fail_on = LC_SEV_NOTE;
			else if (strcmp(optarg, "warning") == 0)
				o->fail_on = LC_SEV_WARNING;
			else if (strcmp(optarg, "error") == 0)
				o->fail_on = LC_SEV_ERROR;
			else
				usage_error("--fail-on expects note, warning or error, not '%s'", optarg);
			o->fail_on_set = true;
			break;
		case OPT_EXIT_ZERO:
			o->exit_zero = true;
			break;
		case OPT_LIST_RULES:
			o->list_rules = true;
			break;
		case OPT_LIST_PROFILES:
			o->list_profiles = true;
			break;
		case OPT_DUMP_FACTS:
			o->dump_facts = true;
			break;
		case OPT_DUMP_CALLGRAPH:
			o->dump_callgraph = true;
			break;
		case OPT_PROFILE:
			add_profiles(o, optarg);
			break;
		case OPT_NESTING_LIMIT:
			o->solve.nesting_limit = parse_count("--nesting-limit", optarg, 1, 1000);
			o->nesting_set = true;
			break;
		case OPT_HOTSPOT_DEPTH:
			o->solve.hotspot_loop_depth = parse_count("--hotspot-loop-depth", optarg, 2, 100);
			o->hotspot_set = true;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_NO_CONFIG:
			o->no_config = true;
			break;
		case OPT_DUMP_CONFIG:
			o->dump_config = true;
			break;
		case OPT_BASELINE: /* suppressions and baselines */
			o->baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			o->write_baseline = optarg;
			break;
		case OPT_REPORT_UNUSED:
			o->report_unused = true;
			break;
		case OPT_MAX_FINDINGS:
			o->max_findings = parse_count("--max-findings", optarg, 0, INT_MAX);
			break;
		case OPT_CACHE_DIR: /* summary cache and --stats */
			o->cache_dir = optarg;
			break;
		case OPT_NO_CACHE:
			o->no_cache = true;
			break;
		case OPT_NO_ISOLATE:
			o->no_isolate = true;
			break;
		case OPT_TU_TIMEOUT:
			o->tu_timeout = parse_count("--tu-timeout", optarg, 1, 86400);
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_FAIL_ON_PARSE_ERROR: /* issue 9 */
			o->fail_on_parse_error = true;
			break;
		case OPT_ROOT: /* issue 10 */
			o->root = optarg;
			break;
		case OPT_SUMMARIES_FROM:
			o->summaries_from = optarg;
			break;
		case OPT_MERGE:
			o->merge = true;
			break;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(nours - optind);
	/* issue 10: options of `loopcheck link` only, and what link cannot take. */
	if (!o->link && (o->root || o->summaries_from || o->merge))
		usage_error("%s is an option of 'loopcheck link'",
			    o->root ? "--root" : o->merge ? "--merge" : "--summaries-from");
	if (o->link && o->have_dashdash)
		usage_error("link reads summaries: compiler arguments after '--' go to "
			    "'loopcheck extract'");
	if (o->merge && !o->output)
		usage_error("link --merge needs -o OUT.lcsum");
}

static lc_compdb *load_compdb(const options *o)
{
	char *err = NULL;
	lc_compdb *db;
	if (o->build_dir) {
		if (o->have_dashdash)
			usage_error("'--' compiler arguments cannot be combined with -p");
		/* FILE arguments do not restrict the database: see changed_files(). */
		db = lc_compdb_load(o->build_dir, &err);
	} else {
		if (!o->nfiles)
			usage_error("no input files (give FILE... or -p BUILD_DIR)");
		db = lc_compdb_from_args(o->files, o->nfiles, o->compiler_args, o->ncompiler_args,
					 &err);
	}
	if (!db) {
		fprintf(stderr, "loopcheck: error: %s\n", err ? err : "cannot read the compile database");
		free(err);
		exit(LC_EXIT_ERROR);
	}
	return db;
}

static void list_rules(const lc_ruleset *rs, const lc_config *cfg)
{
	for (size_t i = 0; i < rs->rules.len; i++) {
		const lc_rule_info *r = &rs->rules.ptr[i];
		printf("%-28s %-8s %s\n", r->id, lc_config_rule_level(cfg, rs, r->id),
		       r->short_desc ? r->short_desc : "");
	}
}

/* ---- configuration and changed files (config.h, filter.h) ---- */

/* --config, else .loopcheck.json from `cwd` upwards (unless --no-config),
 * with the command-line values on top. Exits 2 on a configuration error. */
static lc_config *open_config(const options *o, const char *cwd)
{
	lc_config_cli cli = { 0 };
	cli.path = o->config;
	cli.no_config = o->no_config;
	cli.profiles = o->profiles.len ? (const char *const *)o->profiles.ptr : NULL;
	cli.nprofiles = o->profiles.len;
	cli.nesting_limit = o->nesting_set ? o->solve.nesting_limit : 0;
	cli.hotspot_loop_depth = o->hotspot_set ? o->solve.hotspot_loop_depth : 0;
	cli.fail_on = o->fail_on_set ? (int)o->fail_on : -1;
	char *err = NULL;
	lc_config *cfg = lc_config_open(&cli, cwd, &err);
	if (!cfg) {
		fprintf(stderr, "loopcheck: error: %s\n", err ? err : "cannot load the configuration");
		free(err);
		exit(LC_EXIT_ERROR);
	}
	return cfg;
}

/* With -p, FILE arguments are changed files: the whole database is analysed
 * and only findings in them, or whose chain passes through them, are kept.
 * NULL when there are none. Exits 2 if one does not exist. */
static lc_filter *changed_files(const options *o, const char *cwd)
{
	if (!o->build_dir || !o->nfiles)
		return NULL;
	char *err = NULL;
	lc_filter *f = lc_filter_new(o->files, o->nfiles, cwd, &err);
	if (!f) {
		fprintf(stderr, "loopcheck: error: %s\n", err);
		free(err);
		exit(LC_EXIT_ERROR);
	}
	return f;
}

static void list_profiles(const lc_ruleset *rs)
{
	for (size_t i = 0; i < rs->profiles.len; i++) {
		const lc_profile_info *p = &rs->profiles.ptr[i];
		size_t nreg = 0;
		for (size_t r = 0; r < rs->registrars.len; r++)
			if (rs->registrars.ptr[r].profile && strcmp(rs->registrars.ptr[r].profile, p->name) == 0)
				nreg++;
		printf("%-12s %-16s %3zu registrars  %s\n", p->name, p->family ? p->family : "", nreg,
		       p->description ? p->description : "");
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool use_color(const options *o)
{
	if (o->color && strcmp(o->color, "always") == 0)
		return true;
	if (o->color && strcmp(o->color, "never") == 0)
		return false;
	const char *no_color = getenv("NO_COLOR");
	if (no_color && *no_color)
		return false;
	if (o->output || o->report.format != LC_FORMAT_TEXT)
		return false;
	return isatty(STDOUT_FILENO);
}

static void add_notices(lc_result *r, const lc_compdb *db)
{
	for (size_t i = 0; i < db->nnotices; i++) {
		lc_error e = { 0 };
		e.kind = LC_ERR_NOTICE;
		e.message = lc_arena_strdup(r->arena, db->notices[i]);
		lc_vec_push(&r->errors, e);
	}
}

/* Returns false (after saying why) when the report could not be written. */
static bool write_report(const options *o, const char *text)
{
	if (!o->output) {
		fputs(text, stdout);
		if (fflush(stdout) == 0 && !ferror(stdout))
			return true;
		fprintf(stderr, "loopcheck: error: cannot write the report to standard output: %s\n",
			strerror(errno));
		return false;
	}
	if (lc_write_file_atomic(o->output, text, strlen(text)) == 0)
		return true;
	fprintf(stderr, "loopcheck: error: %s: cannot write the report: %s\n", o->output,
		strerror(errno));
	return false;
}

/* ---- suppressions and baselines (suppress.h, baseline.h) ---- */

/* --baseline, read before the analysis so that a bad file fails at once.
 * NULL without the option; exits 2 when the file is unreadable or malformed. */
static lc_baseline *load_baseline(const options *o)
{
	if (!o->baseline)
		return NULL;
	char *err = NULL;
	lc_baseline *b = lc_baseline_load(o->baseline, &err);
	if (!b) {
		fprintf(stderr, "loopcheck: error: %s\n", err);
		free(err);
		exit(LC_EXIT_ERROR);
	}
	return b;
}

static bool path_under(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n && root[n - 1] == '/')
		n--;
	return path && strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Inline suppressions, then --baseline, then --write-baseline, on the
 * findings of the whole program: before the changed-files filter, so that
 * none depends on which files were given. Malformed suppressions (and, with
 * --report-unused-suppressions, unused ones, in the changed files only when
 * files were given) are reported on stderr, and in JSON and SARIF as
 * notices. Returns the number of unused suppressions reported. */
static size_t apply_suppressions_and_baseline(const options *o, lc_facts **facts, size_t nfacts,
					       lc_result *r, const lc_ruleset *rs,
					       const lc_baseline *baseline, lc_filter *changed)
{
	LC_VEC(const char *) files = { 0 };
	lc_suppress_stats st;
	size_t unused = 0;

	/* Unused suppressions are looked for in every TU's main file and every
	 * header below --srcroot; used ones are in the findings' files. */
	for (size_t i = 0; o->report_unused && i < nfacts; i++) {
		if (!facts[i])
			continue;
		if (facts[i]->main_file)
			lc_vec_push(&files, facts[i]->main_file);
		for (size_t k = 0; k < facts[i]->files.len; k++)
			if (path_under(facts[i]->files.ptr[k], o->report.srcroot))
				lc_vec_push(&files, facts[i]->files.ptr[k]);
	}
	lc_suppress_stats_init(&st);
	lc_suppress_apply(r, files.ptr, files.len, &st);
	lc_vec_free(&files);
	if (changed) {
		size_t n = 0;
		for (size_t i = 0; i < st.suppressions.len; i++)
			if (lc_filter_matches(changed, st.suppressions.ptr[i].file))
				st.suppressions.ptr[n++] = st.suppressions.ptr[i];
		st.suppressions.len = n;
		n = 0;
		for (size_t i = 0; i < st.problems.len; i++)
			if (lc_filter_matches(changed, st.problems.ptr[i].file))
				st.problems.ptr[n++] = st.problems.ptr[i];
		st.problems.len = n;
	}
	bool machine = o->report.format == LC_FORMAT_JSON || o->report.format == LC_FORMAT_SARIF;
	lc_suppress_report(&st, o->report_unused, &o->report, stderr, machine ? r : NULL);
	if (o->report_unused)
		unused = lc_suppress_unused_count(&st);
	lc_suppress_stats_release(&st);

	if (baseline)
		lc_baseline_apply(baseline, r);
	if (o->write_baseline) {
		size_t n = 0;
		char *err = NULL;
		if (lc_baseline_write(o->write_baseline, r, rs, &o->report, &n, &err) != 0)
			lc_die("%s", err);
		/* What was just written is this run's baseline. */
		for (size_t i = 0; i < r->findings.len; i++)
			if (!r->findings.ptr[i].suppressed)
				r->findings.ptr[i].baseline_state = LC_BASELINE_UNCHANGED;
		if (!o->report.quiet)
			fprintf(stderr, "loopcheck: note: wrote %zu %s to the baseline %s\n", n,
				n == 1 ? "finding" : "findings", o->write_baseline);
	}
	return unused;
}

/* ---- summary cache and --stats (issue 8; cache.h, parse.h) ---------------- */

/* The cache, or NULL with --no-cache or when the default directory cannot
 * be made (an explicit --cache-dir that fails is warned about). */
static lc_cache *open_cache(const options *o, const char *root)
{
	if (o->no_cache)
		return NULL;
	char *dir = o->cache_dir ? lc_xstrdup(o->cache_dir) : lc_cache_default_dir(o->build_dir);
	if (!dir)
		return NULL;
	char *err = NULL;
	lc_cache *c = lc_cache_open(dir, root, lc_parse_extractor_id(), &err);
	if (!c && o->cache_dir)
		lc_warn("%s; continuing without a cache", err);
	free(err);
	free(dir);
	return c;
}

static void print_stats(const lc_parse_stats *ps, const lc_cache *cache, double link,
			double solve, double report, double total)
{
	FILE *e = stderr;
	fprintf(e, "loopcheck: stats: %zu TUs: %zu parsed, %zu from the cache (-j%u)\n", ps->tus,
		ps->parsed, ps->cache.hits, ps->jobs);
	if (cache)
		fprintf(e, "  cache       %s: %zu hits, %zu misses (%zu changed, %zu unreadable), "
			   "%zu stored, %zu refreshed, %zu not cacheable, %zu write errors; "
			   "%zu files stat'ed, %zu hashed\n",
			lc_cache_dir(cache), ps->cache.hits, ps->cache.misses, ps->cache.stale,
			ps->cache.corrupt, ps->cache.stored, ps->cache.refreshed, ps->cache.uncacheable,
			ps->cache.write_errors, ps->cache.files_stat, ps->cache.files_hashed);
	else
		fprintf(e, "  cache       off\n");
	fprintf(e, "  lookup      %8.3f s wall  %8.3f s CPU\n", ps->wall_lookup, ps->cpu_lookup);
	fprintf(e, "  parse       %8.3f s wall  %8.3f s CPU (all processes)\n", ps->wall_parse,
		ps->cpu_process);
	fprintf(e, "    libclang              %8.3f s CPU\n", ps->cpu_parse);
	fprintf(e, "    extract               %8.3f s CPU\n", ps->cpu_extract);
	fprintf(e, "    hash inputs           %8.3f s CPU\n", ps->cpu_digest);
	fprintf(e, "    summary + store       %8.3f s CPU\n", ps->cpu_store);
	fprintf(e, "  link        %8.3f s\n", link);
	fprintf(e, "  solve       %8.3f s\n", solve);
	fprintf(e, "  report      %8.3f s\n", report);
	fprintf(e, "  total       %8.3f s\n", total);
}

/* ---- end of summary cache and --stats -------------------------------------- */

/* ---- the post-parse pipeline and `loopcheck link` (issue 10; scale.h) ------ */

/* What the pipeline works on: the facts of every TU, whether they were just
 * parsed (the one-shot run) or read from summaries (`loopcheck link`). */
typedef struct pipeline {
	lc_facts **facts;             /* sorted here into the canonical order */
	size_t nfacts;
	const lc_compdb *db;          /* its notices go into the report; NULL for link */
	const lc_ruleset *rs;
	const lc_config *cfg;
	const lc_baseline *baseline;  /* --baseline, or NULL */
	lc_filter *changed;           /* changed files (-p DIR FILE...), or NULL */
	const lc_parse_stats *pstats; /* parse figures for the statistics */
	double t0, t1;                /* start; end of parsing (or of reading summaries) */
	double t_link, t_solve, t_report; /* set here, for --stats */
} pipeline;

/* The duplicate external definitions the linker found: counted in the
 * statistics and named in a notice, never silently dropped. */
static void add_duplicates(lc_result *r, const lc_program *prog, const lc_report_opts *ro)
{
	r->stats.duplicate_definitions = prog->duplicate_definitions;
	char *text = lc_duplicates_notice(prog, ro);
	if (!text)
		return;
	lc_error e = { 0 };
	e.kind = LC_ERR_NOTICE;
	e.id = "loopcheck/duplicate-definitions";
	e.message = lc_arena_strdup(r->arena, text);
	lc_vec_push(&r->errors, e);
	free(text);
}

/* ---- several programs in one database (programs.h) ------------------------- */

/* The linked programs and their results: the report points into them, so
 * they are freed after it. */
typedef struct solved {
	lc_partition *parts;
	lc_program **progs;
	lc_result **results;   /* per program; NULL with one program (solved into r) */
	double t_link;         /* splitting and linking, summed over the programs */
} solved;

static void solved_free(solved *sv)
{
	for (size_t i = 0; sv->parts && i < sv->parts->nparts; i++) {
		lc_program_free(sv->progs[i]);
		if (sv->results)
			lc_result_free(sv->results[i]);
	}
	free(sv->progs);
	free(sv->results);
	lc_partition_free(sv->parts);
}

/* Split the TUs into programs, link each, and solve each into `r` (or,
 * with --dump-callgraph, print each graph). One program is linked and
 * solved exactly as before the split existed; several are solved apart and
 * merged. */
static void link_and_solve(const options *o, pipeline *pl, lc_result *r, solved *sv)
{
	double t = now();
	sv->parts = lc_partition_programs(pl->facts, pl->nfacts);
	size_t n = sv->parts->nparts;
	sv->progs = lc_xcalloc(n, sizeof(lc_program *));
	sv->t_link = now() - t;
	if (n > 1 && !o->dump_callgraph)
		sv->results = lc_xcalloc(n, sizeof(lc_result *));
	for (size_t i = 0; i < n; i++) {
		const lc_part *part = &sv->parts->parts[i];
		t = now();
		sv->progs[i] = lc_link(part->facts, part->ntus);
		sv->t_link += now() - t;
		if (o->dump_callgraph) {
			if (n > 1) {
				char *head = lc_part_describe(sv->parts, i, pl->facts);
				printf("%s# %s\n", i ? "\n" : "", head);
				free(head);
			}
			lc_dump_callgraph(sv->progs[i], pl->rs, stdout);
			continue;
		}
		lc_result *into = n > 1 ? (sv->results[i] = lc_result_new()) : r;
		add_duplicates(into, sv->progs[i], &o->report);
		lc_solve(sv->progs[i], pl->rs, &o->solve, into);
	}
	if (sv->results)
		lc_programs_merge(r, sv->results, n, pl->facts, pl->nfacts);
}

/* ---- end of several programs in one database ------------------------------- */

/* link -> solve -> configuration, suppressions, baseline, changed files ->
 * report, and the exit status. The TUs are first put in the canonical
 * order (scale.h), so the report does not depend on where they came from:
 * the one-shot run is exactly extract + link. */
static int run_pipeline(const options *o, pipeline *pl)
{
	lc_facts **facts = pl->facts;
	const lc_ruleset *rs = pl->rs;
	double t1 = pl->t1;
	int status = LC_EXIT_CLEAN;

	lc_tu_order(facts, NULL, pl->nfacts);
	if (o->dump_facts) {
		for (size_t i = 0; i < pl->nfacts; i++)
			lc_facts_dump(facts[i], stdout);
		return status;
	}
	lc_result *r = lc_result_new();
	if (pl->db && !o->dump_callgraph)
		add_notices(r, pl->db);
	solved sv = { 0 };
	link_and_solve(o, pl, r, &sv);
	pl->t_link = sv.t_link;
	double t2 = t1 + sv.t_link; /* solving is the rest, up to t3 */
	if (o->dump_callgraph) {
		lc_result_free(r);
		solved_free(&sv);
		return status;
	}
	lc_config_apply(pl->cfg, r); /* rules off/severity, then "exclude" */
	size_t unused = apply_suppressions_and_baseline(o, facts, pl->nfacts, r, rs, pl->baseline,
							pl->changed);
	if (pl->changed)
		lc_filter_apply(pl->changed, r);
	double t3 = now();
	const lc_parse_stats *ps = pl->pstats;
	r->stats.seconds_parse = t1 - pl->t0;
	r->stats.seconds_link = t2 - t1;
	r->stats.seconds_solve = t3 - t2;
	r->stats.seconds_total = t3 - pl->t0;
	pl->t_solve = t3 - t2; /* summary cache and --stats */
	r->stats.jobs = ps->jobs;
	r->stats.tus_parsed = ps->parsed;
	r->stats.cache_hits = ps->cache.hits;
	r->stats.cache_misses = ps->cache.misses;
	r->stats.seconds_parse_cpu = ps->cpu_process;
	r->stats.seconds_extract = ps->cpu_extract;
	char *text = lc_report_render(r, rs, &o->report);
	pl->t_report = now() - t3;
	bool written = write_report(o, text);
	free(text);
	/* Findings that count: not suppressed, not in the baseline, at or
	 * above --fail-on; more than --max-findings of them (or an unused
	 * suppression, when asked) make the exit code 1. */
	size_t failing = 0;
	for (size_t i = 0; i < r->findings.len; i++) {
		const lc_finding *f = &r->findings.ptr[i];
		if (!f->suppressed && f->baseline_state != LC_BASELINE_UNCHANGED &&
		    f->severity >= o->fail_on)
			failing++;
	}
	if (failing > o->max_findings || unused)
		status = LC_EXIT_FINDINGS;
	if (o->max_findings && failing > o->max_findings)
		fprintf(stderr, "loopcheck: %zu findings, more than --max-findings %zu\n", failing,
			o->max_findings);
	if (!written)
		status = LC_EXIT_ERROR;
	/* --fail-on-parse-error (issue 9): the report is written and
	 * lists the TUs in its errors; the exit code says it is partial. */
	if (written && o->fail_on_parse_error && (r->stats.tus_failed || r->stats.tus_partial)) {
		fprintf(stderr, "loopcheck: error: %zu of %zu translation units failed "
			"to parse or parsed with errors (--fail-on-parse-error)\n",
			r->stats.tus_failed + r->stats.tus_partial, r->stats.tus);
		status = LC_EXIT_ERROR;
	}
	lc_result_free(r);
	solved_free(&sv);
	return status;
}

/* The root summary paths are relative to: --root, else -p DIR's directory
 * (as extract's default), else the current directory. Heap, absolute. */
static char *link_root(const options *o, const char *cwd)
{
	if (o->root)
		return lc_path_normalize(o->root, cwd);
	if (!o->build_dir)
		return lc_xstrdup(cwd);
	char *dir = lc_path_normalize(o->build_dir, cwd);
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
	}
	return dir;
}

/* The TUs of the summaries given to `loopcheck link`; exits 2 on an
 * unreadable, corrupt or incompatible summary, naming it. */
static lc_facts **load_summaries(const options *o, const char *cwd, size_t *n)
{
	if (!o->nfiles && !o->summaries_from)
		usage_error("link needs summaries: SUMMARY... or --summaries-from FILE");
	char *root = link_root(o, cwd);
	char *err = NULL;
	lc_facts **facts = lc_summaries_load(o->files, o->nfiles, o->summaries_from, root, n, NULL,
					     &err);
	if (!facts) {
		fprintf(stderr, "loopcheck: error: %s\n", err);
		free(err);
		exit(LC_EXIT_ERROR);
	}
	if (*n == 0)
		lc_die("the summaries hold no translation units");
	/* Suppressions are read from the sources: a wrong root loses them. */
	for (size_t i = 0; i < *n; i++) {
		if (!facts[i]->failed && access(facts[i]->main_file, F_OK) != 0) {
			lc_warn("%s does not exist: were the summaries made with another --root? "
				"(link is using %s)", facts[i]->main_file, root);
			break;
		}
	}
	free(root);
	return facts;
}

/* ---- end of the post-parse pipeline and `loopcheck link` ------------------- */

int main(int argc, char **argv)
{
	options o = { 0 };
	lc_solve_opts solve_defaults = LC_SOLVE_OPTS_DEFAULT;
	o.solve = solve_defaults;
	o.progress = -1;
	o.fail_on = LC_SEV_WARNING;
	/* issue 10: subcommands, dispatched before any option is parsed. */
	if (argc > 1 && strcmp(argv[1], "extract") == 0) {
		lc_install_signal_cleanup();
		return lc_extract_main(argc - 1, argv + 1);
	}
	if (argc > 1 && strcmp(argv[1], "ninja-gen") == 0)
		return lc_ninja_gen_main(argc - 1, argv + 1);
	o.link = argc > 1 && strcmp(argv[1], "link") == 0;
	parse_args(argc - o.link, argv + o.link, &o);
	lc_install_signal_cleanup();
	if (o.merge)
		return lc_summaries_merge(o.files, o.nfiles, o.summaries_from, o.output);

	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		lc_die("cannot get the current directory: %s", strerror(errno));

	/* built-in rules (profiles per --profile / config) -> config loops and
	 * blocking entries -> rule severities; command-line values override. */
	lc_config *cfg = open_config(&o, cwd);
	o.solve = *lc_config_solve_opts(cfg);
	o.fail_on = lc_config_fail_on(cfg);
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	if (lc_config_load_rules(cfg, rs, &err) != 0) {
		fprintf(stderr, "loopcheck: error: %s\n", err);
		free(err);
		lc_ruleset_free(rs);
		lc_config_free(cfg);
		return LC_EXIT_ERROR;
	}
	if (o.dump_config || o.list_rules || o.list_profiles) {
		if (o.dump_config) {
			char *text = lc_config_dump(cfg, rs);
			fputs(text, stdout);
			free(text);
		}
		if (o.list_rules)
			list_rules(rs, cfg);
		if (o.list_profiles)
			list_profiles(rs);
		lc_ruleset_free(rs);
		lc_config_free(cfg);
		return LC_EXIT_CLEAN;
	}
	char *srcroot = lc_path_normalize(o.report.srcroot ? o.report.srcroot : cwd, cwd);
	o.report.srcroot = srcroot;
	o.report.color = use_color(&o);

	double t0 = now();
	lc_compdb *db = NULL;
	lc_filter *changed = NULL;
	lc_cache *cache = NULL;
	lc_parse_stats pstats = { 0 };
	lc_facts **facts = NULL;
	size_t nfacts = 0;
	if (o.link) { /* issue 10: the facts come from summaries */
		facts = load_summaries(&o, cwd, &nfacts);
	} else {
		db = load_compdb(&o);
		changed = changed_files(&o, cwd);
	}
	lc_baseline *baseline = load_baseline(&o); /* suppressions and baselines */
	if (!o.link) {
		if (db->ntus == 0)
			lc_die("%s: the compile database has no entries",
			       o.build_dir ? o.build_dir : "command line");
		lc_parse_opts popts = { 0 };
		popts.jobs = o.jobs;
		popts.progress = o.progress == 1 ||
				 (o.progress == -1 && !o.report.quiet && isatty(STDERR_FILENO));
		cache = open_cache(&o, srcroot); /* summary cache and --stats */
		popts.cache = cache;
		popts.stats = &pstats;
		popts.isolate = !o.no_isolate;
		popts.tu_timeout = o.tu_timeout;
		facts = lc_parse_all(db, &popts);
		nfacts = db->ntus;
	}

	/* issue 10: from here on the one-shot run and `loopcheck link` are one. */
	pipeline pl = { 0 };
	pl.facts = facts;
	pl.nfacts = nfacts;
	pl.db = db;
	pl.rs = rs;
	pl.cfg = cfg;
	pl.baseline = baseline;
	pl.changed = changed;
	pl.pstats = &pstats;
	pl.t0 = t0;
	pl.t1 = now();
	int status = run_pipeline(&o, &pl);

	if (o.stats && o.link) /* issue 10 */
		fprintf(stderr, "loopcheck: stats: %zu TUs from summaries\n"
				"  read        %8.3f s\n  link        %8.3f s\n  solve       %8.3f s\n"
				"  report      %8.3f s\n  total       %8.3f s\n",
			nfacts, pl.t1 - t0, pl.t_link, pl.t_solve, pl.t_report, now() - t0);
	else if (o.stats) /* summary cache and --stats */
		print_stats(&pstats, cache, pl.t_link, pl.t_solve, pl.t_report, now() - t0);
	lc_cache_close(cache);
	for (size_t i = 0; i < nfacts; i++)
		lc_facts_free(facts[i]);
	free(facts);
	lc_compdb_free(db);
	lc_ruleset_free(rs);
	lc_filter_free(changed);
	lc_baseline_free(baseline);
	lc_config_free(cfg);
	free(srcroot);
	for (size_t i = 0; i < o.profiles.len; i++)
		free(o.profiles.ptr[i]);
	lc_vec_free(&o.profiles);
	return o.exit_zero && status != LC_EXIT_ERROR ? LC_EXIT_CLEAN : status;
}
