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
#include <time.h>
#include <unistd.h>

#include "compdb.h"
#include "link.h"
#include "parse.h"
#include "report.h"
#include "result.h"
#include "rules.h"
#include "solve.h"
#include "util.h"

#ifndef LC_VERSION
#define LC_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"usage: loopcheck [options] FILE... [-- COMPILER_ARGS...]\n"
	"       loopcheck [options] -p BUILD_DIR [FILE...]\n"
	"\n"
	"Finds code that blocks the event loop in asynchronous C programs: every\n"
	"blocking call reachable from a callback that runs on the loop thread.\n"
	"\n"
	"Input:\n"
	"  -p DIR                 read DIR/compile_commands.json; FILE arguments then\n"
	"                         restrict which entries are analysed\n"
	"  -- ARGS                compiler arguments for FILE... (without -p)\n"
	"  --profile NAME[,NAME]  use only these loop profiles (see --list-profiles)\n"
	"\n"
	"Output:\n"
	"  --format FMT           text (default), json or sarif\n"
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
	"\n"
	"Performance:\n"
	"  -j N                   parse N translation units in parallel (default: cores)\n"
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
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Everything after "--" is compiler arguments, not ours. */
	int nours = argc;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			nours = i;
			o->have_dashdash = true;
			o->compiler_args = argv + i + 1;
			o->ncompiler_args = (size_t)(argc - i - 1);
			break;
		}
	}
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
			else
				usage_error("unknown format '%s' (expected text, json or sarif)", optarg);
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
			break;
		case OPT_HOTSPOT_DEPTH:
			o->solve.hotspot_loop_depth = parse_count("--hotspot-loop-depth", optarg, 2, 100);
			break;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(nours - optind);
}

static lc_compdb *load_compdb(const options *o)
{
	char *err = NULL;
	lc_compdb *db;
	if (o->build_dir) {
		if (o->have_dashdash)
			usage_error("'--' compiler arguments cannot be combined with -p");
		db = lc_compdb_load(o->build_dir, &err);
		if (db && o->nfiles) {
			const char *unmatched = NULL;
			if (lc_compdb_restrict(db, o->files, o->nfiles, &unmatched))
				lc_die("%s: not in the compile database %s", unmatched, o->build_dir);
		}
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

static void list_rules(const lc_ruleset *rs)
{
	for (size_t i = 0; i < rs->rules.len; i++) {
		const lc_rule_info *r = &rs->rules.ptr[i];
		printf("%-28s %-8s %s\n", r->id, lc_severity_name(r->severity),
		       r->short_desc ? r->short_desc : "");
	}
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

static void write_report(const options *o, const char *text)
{
	if (!o->output) {
		fputs(text, stdout);
		if (fflush(stdout) != 0 || ferror(stdout))
			lc_die("cannot write the report to standard output: %s", strerror(errno));
		return;
	}
	if (lc_write_file_atomic(o->output, text, strlen(text)) != 0)
		lc_die("%s: cannot write the report: %s", o->output, strerror(errno));
}

int main(int argc, char **argv)
{
	options o = { 0 };
	lc_solve_opts solve_defaults = LC_SOLVE_OPTS_DEFAULT;
	o.solve = solve_defaults;
	o.progress = -1;
	o.fail_on = LC_SEV_WARNING;
	parse_args(argc, argv, &o);
	lc_install_signal_cleanup();

	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	if (lc_ruleset_load_builtin(rs, o.profiles.len ? (const char *const *)o.profiles.ptr : NULL,
				    o.profiles.len, &err) != 0) {
		fprintf(stderr, "loopcheck: error: %s\n", err);
		free(err);
		return LC_EXIT_ERROR;
	}
	if (o.list_rules || o.list_profiles) {
		if (o.list_rules)
			list_rules(rs);
		if (o.list_profiles)
			list_profiles(rs);
		lc_ruleset_free(rs);
		return LC_EXIT_CLEAN;
	}

	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		lc_die("cannot get the current directory: %s", strerror(errno));
	char *srcroot = lc_path_normalize(o.report.srcroot ? o.report.srcroot : cwd, cwd);
	o.report.srcroot = srcroot;
	o.report.color = use_color(&o);

	double t0 = now();
	lc_compdb *db = load_compdb(&o);
	if (db->ntus == 0)
		lc_die("%s: the compile database has no entries",
		       o.build_dir ? o.build_dir : "command line");

	lc_parse_opts popts = { 0 };
	popts.jobs = o.jobs;
	popts.progress = o.progress == 1 || (o.progress == -1 && !o.report.quiet && isatty(STDERR_FILENO));
	lc_facts **facts = lc_parse_all(db, &popts);
	double t1 = now();

	int status = LC_EXIT_CLEAN;
	if (o.dump_facts) {
		for (size_t i = 0; i < db->ntus; i++)
			lc_facts_dump(facts[i], stdout);
	} else {
		lc_program *prog = lc_link(facts, db->ntus);
		double t2 = now();
		if (o.dump_callgraph) {
			lc_dump_callgraph(prog, rs, stdout);
		} else {
			lc_result *r = lc_result_new();
			add_notices(r, db);
			lc_solve(prog, rs, &o.solve, r);
			double t3 = now();
			r->stats.seconds_parse = t1 - t0;
			r->stats.seconds_link = t2 - t1;
			r->stats.seconds_solve = t3 - t2;
			r->stats.seconds_total = t3 - t0;
			char *text = lc_report_render(r, rs, &o.report);
			write_report(&o, text);
			free(text);
			for (size_t i = 0; i < r->findings.len; i++)
				if (!r->findings.ptr[i].suppressed &&
				    r->findings.ptr[i].severity >= o.fail_on)
					status = LC_EXIT_FINDINGS;
			lc_result_free(r);
		}
		lc_program_free(prog);
	}
	for (size_t i = 0; i < db->ntus; i++)
		lc_facts_free(facts[i]);
	free(facts);
	lc_compdb_free(db);
	lc_ruleset_free(rs);
	free(srcroot);
	for (size_t i = 0; i < o.profiles.len; i++)
		free(o.profiles.ptr[i]);
	lc_vec_free(&o.profiles);
	return o.exit_zero ? LC_EXIT_CLEAN : status;
}
