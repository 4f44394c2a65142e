/* test_rules.c - the rules loader, the built-in rules and the lookups. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "rules.h"

/* ---- helpers ----------------------------------------------------------- */

static lc_ruleset *load_builtin(void)
{
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	int rc = lc_ruleset_load_builtin(rs, NULL, 0, &err);
	cr_assert_eq(rc, 0, "builtin load failed: %s", err ? err : "(no message)");
	cr_assert_null(err);
	return rs;
}

/* A ruleset with rules.json only, ready for a user document. */
static lc_ruleset *with_rule_ids(void)
{
	lc_ruleset *rs = lc_ruleset_new();
	const lc_embedded_file *f = lc_embedded_find("rules/rules.json");
	cr_assert_not_null(f);
	char *err = NULL;
	cr_assert_eq(lc_ruleset_load_json(rs, f->path, f->data, f->size, &err), 0, "%s", err);
	return rs;
}

/* Load `text` as "myloop.json" on top of rules.json; returns the error or NULL. */
static char *load_text(const char *text)
{
	lc_ruleset *rs = with_rule_ids();
	char *err = NULL;
	int rc = lc_ruleset_load_json(rs, "myloop.json", text, strlen(text), &err);
	cr_assert_eq(rc == 0, err == NULL, "rc %d but err %s", rc, err ? err : "NULL");
	lc_ruleset_free(rs);
	return err;
}

static void expect_error(const char *text, const char *want)
{
	char *err = load_text(text);
	cr_assert_not_null(err, "expected an error containing \"%s\"", want);
	cr_expect(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
	cr_expect(strchr(err, '\n') == NULL, "error is not one line: %s", err);
	free(err);
}

static const lc_registrar *registrar(const lc_ruleset *rs, const char *fn, int arg)
{
	for (size_t i = 0; i < rs->registrars.len; i++)
		if (strcmp(rs->registrars.ptr[i].function, fn) == 0 &&
		    rs->registrars.ptr[i].arg == arg)
			return &rs->registrars.ptr[i];
	return NULL;
}

static const lc_field_entry *field(const lc_ruleset *rs, const char *key)
{
	for (size_t i = 0; i < rs->fields.len; i++)
		if (lc_glob_match(rs->fields.ptr[i].field, key))
			return &rs->fields.ptr[i];
	return NULL;
}

/* The first blocking entry for `fn` whose conditions hold for `args`. */
static const lc_blocking *blocks(const lc_ruleset *rs, const char *fn, const lc_value *args,
				 unsigned nargs)
{
	size_t from = 0;
	const lc_blocking *b;
	while ((b = lc_ruleset_blocking(rs, fn, &from))) {
		bool ok = true;
		for (size_t i = 0; i < b->nwhen; i++)
			ok = ok && lc_cond_holds(&b->when[i], args, nargs);
		for (size_t i = 0; i < b->nunless; i++)
			ok = ok && !lc_cond_holds(&b->unless[i], args, nargs);
		if (ok)
			return b;
	}
	return NULL;
}

static lc_value v_null(void)
{
	return (lc_value){.kind = LC_VAL_NULL, .text = "NULL"};
}
static lc_value v_int(long long i, const char *text)
{
	return (lc_value){.kind = LC_VAL_INT, .ival = i, .has_ival = true, .text = text};
}
static lc_value v_var(const char *name)
{
	return (lc_value){.kind = LC_VAL_VAR, .name = name, .text = name};
}
static lc_value v_func(const char *name)
{
	return (lc_value){.kind = LC_VAL_FUNC, .name = name, .text = name};
}

/* Line and column (1-based) of the first occurrence of `needle` in `text`. */
static void pos_of(const char *text, const char *needle, unsigned *line, unsigned *col)
{
	const char *p = strstr(text, needle);
	cr_assert_not_null(p, "fixture lacks %s", needle);
	*line = 1;
	const char *bol = text;
	for (const char *q = text; q < p; q++)
		if (*q == '\n') {
			(*line)++;
			bol = q + 1;
		}
	*col = (unsigned)(p - bol) + 1;
}

static void expect_error_at(const char *text, const char *needle, const char *want)
{
	unsigned line, col;
	pos_of(text, needle, &line, &col);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "myloop.json:%u:%u: ", line, col);
	char *err = load_text(text);
	cr_assert_not_null(err);
	cr_expect(strncmp(err, prefix, strlen(prefix)) == 0, "error \"%s\" does not start with \"%s\"",
		  err, prefix);
	cr_expect(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
	free(err);
}

/* ---- built-in rules ---------------------------------------------------- */

Test(builtin, loads_and_knows_libuv)
{
	lc_ruleset *rs = load_builtin();
	const lc_registrar *r = registrar(rs, "uv_timer_start", 1);
	cr_assert_not_null(r);
	cr_expect_eq(r->context, LC_CTX_LOOP);
	cr_expect_str_eq(r->profile, "libuv");
	cr_expect_str_eq(r->family, "libuv");
	cr_expect_str_eq(r->kind, "timer callback");

	r = registrar(rs, "uv_queue_work", 2);
	cr_assert_not_null(r);
	cr_expect_eq(r->context, LC_CTX_WORKER);
	r = registrar(rs, "uv_queue_work", 3);
	cr_assert_not_null(r);
	cr_expect_eq(r->context, LC_CTX_LOOP);

	cr_expect_not_null(registrar(rs, "uv_read_start", 1));
	cr_expect_not_null(registrar(rs, "uv_read_start", 2));
	cr_expect_not_null(registrar(rs, "uv_fs_open", 5));
	cr_expect_not_null(registrar(rs, "uv_fs_read", 6));
	cr_expect_not_null(registrar(rs, "uv_random", 5));
	cr_expect_eq(registrar(rs, "uv_thread_create", 1)->context, LC_CTX_THREAD);
	cr_expect_eq(registrar(rs, "pthread_create", 2)->context, LC_CTX_THREAD);
	cr_expect_null(registrar(rs, "uv_fs_req_cleanup", 0));

	const lc_field_entry *f = field(rs, "uv_process_options_s.exit_cb");
	cr_assert_not_null(f);
	cr_expect_eq(f->context, LC_CTX_LOOP);
	lc_ruleset_free(rs);
}

Test(builtin, napi_indexes)
{
	lc_ruleset *rs = load_builtin();
	cr_expect_eq(registrar(rs, "napi_create_function", 3)->context, LC_CTX_LOOP);
	cr_expect_eq(registrar(rs, "napi_create_async_work", 3)->context, LC_CTX_WORKER);
	cr_expect_eq(registrar(rs, "napi_create_async_work", 4)->context, LC_CTX_LOOP);
	cr_expect_not_null(registrar(rs, "napi_create_threadsafe_function", 9));
	cr_expect_str_eq(registrar(rs, "napi_wrap", 3)->family, "Node.js");
	cr_expect_not_null(field(rs, "napi_property_descriptor.getter"));
	cr_expect_not_null(field(rs, "napi_module.nm_register_func"));
	lc_ruleset_free(rs);
}

Test(builtin, rules_and_help)
{
	static const char *const ids[] = {
		"blocking/file-io",	   "blocking/network", "blocking/dns",
		"blocking/sleep",	   "blocking/process", "blocking/lock",
		"blocking/database",	   "blocking/sync-fs-request", "cpu/hotspot",
		"callback/nesting"};
	lc_ruleset *rs = load_builtin();
	cr_expect_eq(rs->rules.len, sizeof(ids) / sizeof(ids[0]));
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const lc_rule_info *r = lc_ruleset_rule(rs, ids[i]);
		cr_assert_not_null(r, "rule %s missing", ids[i]);
		cr_expect_not_null(r->help_markdown, "rule %s has no docs page", ids[i]);
		cr_expect(r->ntags > 0);
		cr_expect_not_null(r->precision);
	}
	cr_expect_str_eq(lc_ruleset_rule(rs, "blocking/file-io")->category, "file I/O");
	cr_expect_str_eq(lc_ruleset_rule(rs, "cpu/hotspot")->name, "CPUHotspotOnEventLoop");
	cr_expect_null(lc_ruleset_rule(rs, "blocking/nope"));
	lc_ruleset_free(rs);
}

Test(builtin, catalogue)
{
	lc_ruleset *rs = load_builtin();
	lc_value path = v_var("path"), mode = {.kind = LC_VAL_STRING, .text = "\"r\""};
	lc_value args[2] = {path, mode};
	const lc_blocking *b = blocks(rs, "fopen", args, 2);
	cr_assert_not_null(b);
	cr_expect_str_eq(b->rule, "blocking/file-io");
	cr_expect_str_eq(b->category, "file I/O");
	cr_expect_eq(b->severity, LC_SEV_WARNING);
	cr_expect_not_null(b->reason);
	cr_expect_not_null(b->alternative);
	cr_expect_null(b->profile);

	/* logging to stderr is not flagged; writing to a FILE is */
	lc_value fp[2] = {v_var("stderr"), {.kind = LC_VAL_STRING, .text = "\"x\""}};
	cr_expect_null(blocks(rs, "fprintf", fp, 2));
	fp[0] = v_var("log_file");
	cr_expect_not_null(blocks(rs, "fprintf", fp, 2));
	cr_expect_null(lc_ruleset_blocking(rs, "printf", NULL));

	/* read() only on a known descriptor */
	b = blocks(rs, "read", NULL, 0);
	cr_assert_not_null(b);
	cr_expect_eq(b->fd_arg, 0);

	/* fcntl: F_SETLKW blocks, F_SETLK does not */
	lc_value fc[3] = {v_var("fd"), v_int(7, "F_SETLKW"), v_var("lk")};
	b = blocks(rs, "fcntl", fc, 3);
	cr_assert_not_null(b);
	cr_expect_str_eq(b->rule, "blocking/lock");
	fc[1] = v_int(6, "F_SETLK");
	cr_expect_null(blocks(rs, "fcntl", fc, 3));

	/* getnameinfo with numeric flags does no lookup */
	lc_value gn[7] = {v_var("sa"), v_var("len"), v_var("h"), v_var("hl"),
			  v_var("s"),  v_var("sl"),  v_int(3, "NI_NUMERICHOST | NI_NUMERICSERV")};
	cr_expect_null(blocks(rs, "getnameinfo", gn, 7));
	gn[6] = v_int(0, "0");
	cr_expect_str_eq(blocks(rs, "getnameinfo", gn, 7)->rule, "blocking/dns");

	/* pthread_mutex_lock is a note */
	cr_expect_eq(blocks(rs, "pthread_mutex_lock", NULL, 0)->severity, LC_SEV_NOTE);
	cr_expect(blocks(rs, "pthread_mutex_lock", NULL, 0)->has_severity);
	lc_ruleset_free(rs);
}

Test(builtin, sync_libuv_requests)
{
	lc_ruleset *rs = load_builtin();
	lc_value a[6] = {v_var("loop"), v_var("req"), v_var("path"),
			 v_int(0, "O_RDONLY"), v_int(0, "0"), v_null()};
	const lc_blocking *b = blocks(rs, "uv_fs_open", a, 6);
	cr_assert_not_null(b);
	cr_expect_str_eq(b->rule, "blocking/sync-fs-request");
	cr_expect_str_eq(b->profile, "libuv");
	a[5] = v_func("on_open");
	cr_expect_null(blocks(rs, "uv_fs_open", a, 6));

	lc_value g[6] = {v_var("loop"), v_var("req"), v_null(), v_var("host"), v_null(), v_null()};
	cr_expect_str_eq(blocks(rs, "uv_getaddrinfo", g, 6)->rule, "blocking/dns");
	cr_expect_str_eq(blocks(rs, "uv_sleep", NULL, 0)->rule, "blocking/sleep");
	lc_ruleset_free(rs);
}

Test(builtin, descriptors)
{
	lc_ruleset *rs = load_builtin();
	const lc_fd_source *s = lc_ruleset_fd_source(rs, "open");
	cr_assert_not_null(s);
	cr_expect(!s->is_socket);
	s = lc_ruleset_fd_source(rs, "socket");
	cr_assert_not_null(s);
	cr_expect(s->is_socket);
	lc_value sa[3] = {v_int(2, "AF_INET"), v_int(1 | 2048, "SOCK_STREAM | SOCK_NONBLOCK"),
			  v_int(0, "0")};
	bool nb = false;
	for (size_t i = 0; i < s->nnonblocking_if; i++)
		nb = nb || lc_cond_holds(&s->nonblocking_if[i], sa, 3);
	cr_expect(nb);
	cr_expect_null(lc_ruleset_fd_source(rs, "close"));

	size_t from = 0, n = 0;
	while (lc_ruleset_fd_setter(rs, "fcntl", &from))
		n++;
	cr_expect_eq(n, 1); /* any F_SETFL counts: the flags are usually a variable */
	from = 0;
	cr_expect_not_null(lc_ruleset_fd_setter(rs, "uv_tcp_open", &from));
	lc_ruleset_free(rs);
}

/* ---- `only` ------------------------------------------------------------- */

Test(only, filters_profiles)
{
	lc_ruleset *rs = lc_ruleset_new();
	const char *only[] = {"libuv"};
	char *err = NULL;
	cr_assert_eq(lc_ruleset_load_builtin(rs, only, 1, &err), 0, "%s", err);
	cr_expect_not_null(registrar(rs, "uv_timer_start", 1));
	cr_expect_null(registrar(rs, "napi_create_function", 3));
	cr_expect_null(registrar(rs, "pthread_create", 2));
	cr_expect_not_null(lc_ruleset_blocking(rs, "fopen", NULL)); /* catalogue stays */
	cr_expect_eq(rs->profiles.len, 1);
	cr_expect_str_eq(rs->profiles.ptr[0].name, "libuv");
	cr_expect_str_eq(rs->profiles.ptr[0].source, "rules/libuv.json");
	cr_expect_eq(rs->rules.len, 10);
	lc_ruleset_free(rs);
}

Test(only, unknown_profile)
{
	lc_ruleset *rs = lc_ruleset_new();
	const char *only[] = {"libuv", "libfoo"};
	char *err = NULL;
	cr_assert_eq(lc_ruleset_load_builtin(rs, only, 2, &err), -1);
	cr_assert_not_null(err);
	cr_expect(strstr(err, "unknown profile 'libfoo' (known: ") != NULL, "%s", err);
	cr_expect(strstr(err, "libuv") != NULL, "%s", err);
	cr_expect(strstr(err, "napi") != NULL, "%s", err);
	cr_expect_eq(rs->registrars.len, 0); /* nothing half-loaded */
	cr_expect_eq(rs->rules.len, 0);
	free(err);
	lc_ruleset_free(rs);
}

/* ---- glob and conditions ----------------------------------------------- */

Test(glob, match)
{
	cr_expect(lc_glob_match("uv_fs_*", "uv_fs_open"));
	cr_expect(lc_glob_match("*", ""));
	cr_expect(lc_glob_match("PKCS5_PBKDF2_HMAC*", "PKCS5_PBKDF2_HMAC_SHA1"));
	cr_expect(lc_glob_match("read?", "readv"));
	cr_expect(!lc_glob_match("read?", "read"));
	cr_expect(!lc_glob_match("uv_fs_*", "uv_timer_start"));
	cr_expect(lc_glob_match("fopen", "fopen"));
	cr_expect(!lc_glob_match("fopen", "fopen64"));
}

Test(cond, null)
{
	lc_cond c = {.arg = 1, .null = true};
	lc_value a[2] = {v_var("x"), v_null()};
	cr_expect(lc_cond_holds(&c, a, 2));
	a[1] = v_int(0, "0");
	cr_expect(lc_cond_holds(&c, a, 2));
	a[1] = v_func("cb");
	cr_expect(!lc_cond_holds(&c, a, 2));
	a[1] = v_int(4, "4");
	cr_expect(!lc_cond_holds(&c, a, 2));
	cr_expect(!lc_cond_holds(&c, a, 1)); /* beyond nargs */
	cr_expect(!lc_cond_holds(&c, NULL, 0));
}

Test(cond, in)
{
	const char *texts[] = {"F_SETLKW", "stdout"};
	long long ints[] = {7};
	lc_cond c = {.arg = 0, .in_text = texts, .nin_text = 2, .in_int = ints, .nin_int = 1};
	lc_value v = v_int(7, "cmd");
	cr_expect(lc_cond_holds(&c, &v, 1)); /* by value */
	v = (lc_value){.kind = LC_VAL_OTHER, .text = "F_SETLKW"};
	cr_expect(lc_cond_holds(&c, &v, 1)); /* by text */
	v = v_var("stdout");
	cr_expect(lc_cond_holds(&c, &v, 1)); /* by name */
	v = (lc_value){.kind = LC_VAL_VAR, .name = "out", .text = "(stdout)"};
	cr_expect(!lc_cond_holds(&c, &v, 1)); /* exact strings only */
	v = v_int(6, "F_SETLK");
	cr_expect(!lc_cond_holds(&c, &v, 1));
	v = v_var("cmd"); /* unknown value */
	cr_expect(!lc_cond_holds(&c, &v, 1));
}

Test(cond, has_bits)
{
	lc_cond c = {.arg = 0, .has_bits = 3};
	lc_value v = v_int(3 | 8, "f");
	cr_expect(lc_cond_holds(&c, &v, 1));
	v = v_int(1, "NI_NUMERICHOST");
	cr_expect(!lc_cond_holds(&c, &v, 1));
	v = v_var("flags");
	cr_expect(!lc_cond_holds(&c, &v, 1));
}

Test(cond, text_contains)
{
	lc_cond c = {.arg = 2, .text_contains = "O_NONBLOCK"};
	lc_value a[3] = {v_var("fd"), v_int(4, "F_SETFL"),
			 {.kind = LC_VAL_OTHER, .text = "flags | O_NONBLOCK"}};
	cr_expect(lc_cond_holds(&c, a, 3));
	a[2].text = "flags";
	cr_expect(!lc_cond_holds(&c, a, 3));
	a[2].text = NULL;
	cr_expect(!lc_cond_holds(&c, a, 3));
	cr_expect(!lc_cond_holds(&c, a, 2));
}

Test(cond, all_members_must_hold)
{
	long long ints[] = {4};
	lc_cond c = {.arg = 0, .in_int = ints, .nin_int = 1, .text_contains = "F_"};
	lc_value v = v_int(4, "F_SETFL");
	cr_expect(lc_cond_holds(&c, &v, 1));
	v = v_int(4, "4");
	cr_expect(!lc_cond_holds(&c, &v, 1));
}

Test(cond, and_tests_other_arguments)
{
	lc_cond service_null = {.arg = 1, .null = true};
	lc_cond c = {.arg = 0, .has_bits = 1, .and = &service_null, .nand = 1};
	lc_value a[2] = {v_int(1, "NI_NUMERICHOST"), {.kind = LC_VAL_NULL, .text = "NULL"}};
	cr_expect(lc_cond_holds(&c, a, 2));
	a[1] = v_var("serv");
	cr_expect(!lc_cond_holds(&c, a, 2), "a service buffer: the and part fails");
	a[0] = v_int(8, "NI_NAMEREQD");
	a[1] = (lc_value){.kind = LC_VAL_NULL, .text = "NULL"};
	cr_expect(!lc_cond_holds(&c, a, 2), "the own test fails");
	cr_expect(!lc_cond_holds(&c, a, 1), "the and part's argument is missing");
}

Test(builtin, getnameinfo_numeric_only)
{
	lc_ruleset *rs = load_builtin();
	lc_value none = {.kind = LC_VAL_NULL, .text = "NULL"};
	lc_value a[7] = {v_var("sa"), v_var("len"), v_var("host"), v_int(1025, "sizeof host"),
			 none, v_int(0, "0"), v_int(1, "NI_NUMERICHOST")};
	cr_expect_null(blocks(rs, "getnameinfo", a, 7), "numeric host, no service");
	a[4] = v_var("serv");
	cr_expect_not_null(blocks(rs, "getnameinfo", a, 7), "the service is looked up");
	a[6] = v_int(3, "NI_NUMERICHOST | NI_NUMERICSERV");
	cr_expect_null(blocks(rs, "getnameinfo", a, 7));
	a[2] = none;
	a[6] = v_int(2, "NI_NUMERICSERV");
	cr_expect_null(blocks(rs, "getnameinfo", a, 7), "numeric service, no host");
	a[6] = v_int(8, "NI_NAMEREQD");
	a[2] = v_var("host");
	a[4] = none;
	cr_expect_not_null(blocks(rs, "getnameinfo", a, 7));
	lc_ruleset_free(rs);
}

/* ---- user documents ---------------------------------------------------- */

static const char good_profile[] =
	"{\n"
	"  \"$schema\": \"https://example.invalid/loopcheck.schema.json\",\n"
	"  \"$comment\": \"a custom loop\",\n"
	"  \"profile\": \"myloop\",\n"
	"  \"family\": \"MyLoop\",\n"
	"  \"description\": \"Our own reactor.\",\n"
	"  \"registrars\": [\n"
	"    {\"function\": \"ml_on_*\", \"$comment\": \"any object may hold one\",\n"
	"     \"callbacks\": [{\"arg\": 1, \"kind\": \"event handler\"}]},\n"
	"    {\"function\": \"ml_offload\", \"callbacks\": [{\"arg\": 1, \"context\": \"worker\"},\n"
	"                                            {\"arg\": 2, \"context\": \"loop\"}]}\n"
	"  ],\n"
	"  \"fields\": [{\"field\": \"ml_handler.fn\", \"context\": \"loop\"}],\n"
	"  \"iterations\": [{\"function\": \"ml_poll_once\",\n"
	"                  \"when\": [{\"arg\": 1, \"in\": [\"ML_ONCE\", 1]}]}],\n"
	"  \"blocking\": [{\"function\": \"ml_sync_get\", \"rule\": \"blocking/network\",\n"
	"                \"reason\": \"waits for the server\", \"severity\": \"error\",\n"
	"                \"category\": \"RPC\",\n"
	"                \"unless\": [{\"arg\": 2, \"in\": [\"ML_NOWAIT\", 1]}]}],\n"
	"  \"descriptors\": [{\"function\": \"ml_socket\", \"produces\": \"socket\",\n"
	"                   \"nonblocking_if\": [{\"arg\": 0, \"has_bits\": 2048}]}],\n"
	"  \"nonblocking_setters\": [{\"function\": \"ml_set_nb\", \"fd_arg\": 0}]\n"
	"}\n";

Test(user, good_profile)
{
	lc_ruleset *rs = with_rule_ids();
	char *err = NULL;
	cr_assert_eq(lc_ruleset_load_json(rs, "myloop.json", good_profile, strlen(good_profile),
					  &err),
		     0, "%s", err);
	const lc_registrar *r = registrar(rs, "ml_on_*", 1);
	cr_assert_not_null(r);
	cr_expect_eq(r->context, LC_CTX_LOOP); /* default */
	cr_expect_str_eq(r->kind, "event handler");
	cr_expect_str_eq(r->family, "MyLoop");
	cr_expect_str_eq(r->profile, "myloop");
	cr_expect_eq(registrar(rs, "ml_offload", 1)->context, LC_CTX_WORKER);
	cr_expect_str_eq(registrar(rs, "ml_offload", 2)->kind, "callback");
	cr_expect_not_null(field(rs, "ml_handler.fn"));
	const lc_blocking *b = lc_ruleset_blocking(rs, "ml_sync_get", NULL);
	cr_assert_not_null(b);
	cr_expect_eq(b->severity, LC_SEV_ERROR);
	cr_expect(b->has_severity);
	cr_expect_str_eq(b->category, "RPC");
	cr_expect_eq(b->fd_arg, -1);
	cr_expect_null(b->alternative);
	cr_expect_eq(b->nunless, 1);
	cr_expect_eq(b->unless[0].nin_text, 1);
	cr_expect_eq(b->unless[0].nin_int, 1);
	cr_expect_str_eq(rs->profiles.ptr[0].description, "Our own reactor.");
	cr_expect(lc_ruleset_fd_source(rs, "ml_socket")->is_socket);
	cr_expect_eq(lc_ruleset_fd_setter(rs, "ml_set_nb", NULL)->nwhen, 0);
	cr_assert_eq(rs->iterations.len, 1);
	cr_expect_str_eq(rs->iterations.ptr[0].function, "ml_poll_once");
	cr_expect_str_eq(rs->iterations.ptr[0].profile, "myloop");
	cr_expect_eq(rs->iterations.ptr[0].nwhen, 1);

	/* the same profile twice is an error, and leaves the ruleset alone */
	size_t n = rs->registrars.len;
	cr_expect_eq(lc_ruleset_load_json(rs, "again.json", good_profile, strlen(good_profile),
					  &err),
		     -1);
	cr_expect(strstr(err, "profile \"myloop\" is already loaded (from myloop.json)") != NULL,
		  "%s", err);
	cr_expect_eq(rs->registrars.len, n);
	cr_expect_eq(rs->iterations.len, 1);
	free(err);
	lc_ruleset_free(rs);
}

Test(user, catalogue_defaults)
{
	lc_ruleset *rs = with_rule_ids();
	const char *t = "{\"catalogue\": \"mine\", \"blocking\": [{\"function\": \"slow\", "
			"\"rule\": \"blocking/sleep\", \"reason\": \"sleeps\", \"fd_arg\": 0}]}";
	char *err = NULL;
	cr_assert_eq(lc_ruleset_load_json(rs, "c.json", t, strlen(t), &err), 0, "%s", err);
	const lc_blocking *b = lc_ruleset_blocking(rs, "slow", NULL);
	cr_expect_str_eq(b->category, "sleep");
	cr_expect_eq(b->severity, LC_SEV_WARNING);
	cr_expect(!b->has_severity);
	cr_expect_eq(b->fd_arg, 0);
	cr_expect_null(b->profile);
	cr_expect_eq(rs->profiles.len, 0);
	lc_ruleset_free(rs);
}

static const char unknown_key[] =
	"{\n"
	"  \"profile\": \"myloop\",\n"
	"  \"registrars\": [\n"
	"    {\n"
	"      \"function\": \"ml_watch\",\n"
	"      \"callbacks\": [{\"arg\": 1}],\n"
	"      \"cb_arg\": 2\n"
	"    }\n"
	"  ]\n"
	"}\n";

Test(errors, unknown_key)
{
	expect_error_at(unknown_key, "\"cb_arg\"", "unknown key \"cb_arg\" in registrars[0]");
	char *err = load_text(unknown_key);
	cr_expect_str_eq(err, "myloop.json:7:7: unknown key \"cb_arg\" in registrars[0]");
	free(err);
	expect_error_at("{\"profile\": \"p\", \"registrar\": []}", "\"registrar\"",
			"unknown key \"registrar\" at the top level");
	expect_error_at("{\"profile\": \"p\",\n \"registrars\": [{\"function\": \"f\", "
			"\"callbacks\": [{\"arg\": 1, \"ctx\": \"loop\"}]}]}",
			"\"ctx\"", "unknown key \"ctx\" in registrars[0].callbacks[0]");
	expect_error_at("{\"catalogue\": \"c\", \"registrars\": []}", "\"registrars\"",
			"unknown key \"registrars\"");
	expect_error("{\"profile\": \"p\", \"a\\nb\": 1}", "unknown key \"a?b\" at the top level");
}

Test(errors, wrong_type)
{
	const char *t = "{\"profile\": \"p\",\n \"registrars\": [{\"function\": 42, "
			"\"callbacks\": [{\"arg\": 1}]}]}";
	expect_error_at(t, "42", "\"function\" must be a string (registrars[0])");
	expect_error_at("{\"profile\": \"p\", \"registrars\": {}}", "{}",
			"\"registrars\" must be an array");
	expect_error_at("{\"profile\": \"p\", \"registrars\": [\"uv_run\"]}", "\"uv_run\"",
			"a registrar must be an object (registrars[0])");
	expect_error_at("{\"profile\": 7}", "7", "\"profile\" must be a string");
	expect_error("[1, 2]", "the document must be a JSON object");
	expect_error_at("{\"profile\": \"p\", \"registrars\": [{\"function\": \"f\"}]}",
			"{\"function\"", "missing required key \"callbacks\" (registrars[0])");
	expect_error("{\"description\": \"nothing\"}",
		     "needs a \"profile\", \"catalogue\" or \"rules\" key");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", "
		     "\"rule\": \"blocking/sleep\", \"reason\": \"r\", \"when\": [{\"arg\": 0, "
		     "\"null\": \"yes\"}]}]}",
		     "\"null\" must be true or false (blocking[0].when[0])");
}

Test(errors, bad_context)
{
	const char *t = "{\"profile\": \"p\", \"registrars\": [{\"function\": \"f\",\n"
			"  \"callbacks\": [{\"arg\": 0, \"context\": \"main\"}]}]}";
	expect_error_at(t, "\"main\"",
			"\"context\" must be one of \"loop\", \"worker\", \"thread\", not \"main\" "
			"(registrars[0].callbacks[0])");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"severity\": \"fatal\"}]}",
		     "\"severity\" must be one of \"note\", \"warning\", \"error\"");
	expect_error("{\"catalogue\": \"c\", \"descriptors\": [{\"function\": \"f\", "
		     "\"produces\": \"pipe\"}]}",
		     "\"produces\" must be one of \"file\", \"socket\"");
}

Test(errors, bad_arg_index)
{
	const char *big = "{\"profile\": \"p\", \"registrars\": [{\"function\": \"f\",\n"
			  "  \"callbacks\": [{\"arg\": 32}]}]}";
	expect_error_at(big, "32", "\"arg\" must be an argument index from 0 to 31");
	expect_error("{\"profile\": \"p\", \"registrars\": [{\"function\": \"f\", "
		     "\"callbacks\": [{\"arg\": -1}]}]}",
		     "\"arg\" must be an argument index");
	expect_error("{\"profile\": \"p\", \"registrars\": [{\"function\": \"f\", "
		     "\"callbacks\": [{\"arg\": 1.5}]}]}",
		     "\"arg\" must be an argument index");
	expect_error("{\"profile\": \"p\", \"registrars\": [{\"function\": \"f\", "
		     "\"callbacks\": [{\"arg\": \"1\"}]}]}",
		     "\"arg\" must be an argument index");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"fd_arg\": 1000000}]}",
		     "\"fd_arg\" must be an argument index from 0 to 31 (0 is the first "
		     "argument) (blocking[0])");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"when\": [{\"arg\": 99, "
		     "\"null\": true}]}]}",
		     "\"arg\" must be an argument index from 0 to 31 (0 is the first argument) "
		     "(blocking[0].when[0])");
}

Test(errors, conditions)
{
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"when\": [{\"arg\": 1}]}]}",
		     "a condition needs one of");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"when\": [{\"arg\": 1, \"in\": []}]}]}",
		     "\"in\" must not be empty");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"when\": [{\"arg\": 1, \"in\": "
		     "[\"A\", true]}]}]}",
		     "members of \"in\" must be names (strings) or integers "
		     "(blocking[0].when[0].in[1])");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"unless\": [{\"arg\": 1, "
		     "\"has_bits\": 0}]}]}",
		     "\"has_bits\" must be a positive integer");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"unless\": [{\"arg\": 1, "
		     "\"null\": false}]}]}",
		     "\"null\": false is not a condition");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"unless\": [{\"arg\": 1, "
		     "\"null\": true, \"and\": [{\"arg\": 2}]}]}]}",
		     "a condition needs one of \"null\", \"in\", \"has_bits\" or "
		     "\"text_contains\" (blocking[0].unless[0].and[0])");
	expect_error("{\"catalogue\": \"c\", \"blocking\": [{\"function\": \"f\", \"rule\": "
		     "\"blocking/sleep\", \"reason\": \"r\", \"fd_stream_only\": true}]}",
		     "\"fd_stream_only\" needs \"fd_arg\" (blocking[0])");
}

Test(errors, unknown_rule)
{
	const char *t = "{\"catalogue\": \"c\",\n \"blocking\": [{\"function\": \"f\", "
			"\"rule\": \"blocking/disk\", \"reason\": \"r\"}]}";
	expect_error_at(t, "\"blocking/disk\"",
			"unknown rule \"blocking/disk\" (known: blocking/file-io, ");

	/* without rules.json loaded first, no rule is known */
	lc_ruleset *rs = lc_ruleset_new();
	char *err = NULL;
	cr_expect_eq(lc_ruleset_load_json(rs, "x.json", t, strlen(t), &err), -1);
	cr_expect(strstr(err, "load rules.json first") != NULL, "%s", err);
	free(err);
	lc_ruleset_free(rs);
}

Test(errors, duplicate_key)
{
	const char *t = "{\"profile\": \"p\",\n \"registrars\": [{\"function\": \"f\",\n"
			"  \"callbacks\": [{\"arg\": 1, \"arg\": 2}]}]}";
	char *err = load_text(t);
	cr_assert_not_null(err);
	cr_expect_str_eq(err, "myloop.json:3:28: duplicate key \"arg\" in "
			      "registrars[0].callbacks[0]");
	free(err);
	expect_error("{\"profile\": \"p\", \"profile\": \"q\"}",
		     "myloop.json:1:18: duplicate key \"profile\" at the top level");
}

Test(errors, duplicate_rule)
{
	lc_ruleset *rs = with_rule_ids();
	const lc_embedded_file *f = lc_embedded_find("rules/rules.json");
	char *err = NULL;
	cr_expect_eq(lc_ruleset_load_json(rs, f->path, f->data, f->size, &err), -1);
	cr_expect(strstr(err, "rule \"blocking/file-io\" is already defined (rules[0])") != NULL,
		  "%s", err);
	cr_expect_eq(rs->rules.len, 10);
	free(err);
	lc_ruleset_free(rs);
}

Test(errors, malformed_json)
{
	char *err = load_text("{\n  \"profile\": \"p\",\n  \"registrars\": [,]\n}\n");
	cr_assert_not_null(err);
	cr_expect_str_eq(err, "myloop.json:3:18: malformed JSON");
	free(err);
	err = load_text("{\"profile\": \"p\"");
	cr_expect(strstr(err, "malformed JSON: unexpected end of input") != NULL, "%s", err);
	free(err);
	err = load_text("{\"profile\": \"p\"} trailing");
	cr_expect(strncmp(err, "myloop.json:1:18: malformed JSON", 32) == 0, "%s", err);
	free(err);
	err = load_text("");
	cr_expect(strncmp(err, "myloop.json:1:1: malformed JSON", 31) == 0, "%s", err);
	free(err);

	lc_ruleset *rs = with_rule_ids();
	err = NULL;
	cr_expect_eq(lc_ruleset_load_json(rs, "nul.json", "{\"a\":\0}", 7, &err), -1);
	cr_expect_str_eq(err, "nul.json:1:6: NUL byte in JSON text");
	free(err);
	lc_ruleset_free(rs);
}

Test(names, context_and_severity)
{
	cr_expect_str_eq(lc_context_name(LC_CTX_LOOP), "loop");
	cr_expect_str_eq(lc_context_name(LC_CTX_WORKER), "worker");
	cr_expect_str_eq(lc_context_name(LC_CTX_THREAD), "thread");
	cr_expect_str_eq(lc_severity_name(LC_SEV_NOTE), "note");
	cr_expect_str_eq(lc_severity_name(LC_SEV_WARNING), "warning");
	cr_expect_str_eq(lc_severity_name(LC_SEV_ERROR), "error");
}

/* Every file under rules/ in the source tree is the embedded one. */
Test(builtin, embedded_matches_source)
{
	static const char *const files[] = {"rules/rules.json", "rules/libuv.json",
					    "rules/posix.json", "rules/pthread.json",
					    "rules/napi.json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", LC_SOURCE_DIR, files[i]);
		size_t len;
		char *text = lc_read_file(path, &len);
		cr_assert_not_null(text, "cannot read %s", path);
		const lc_embedded_file *f = lc_embedded_find(files[i]);
		cr_assert_not_null(f, "%s not embedded", files[i]);
		cr_expect_eq(f->size, len, "%s: embedded copy is stale; rebuild", files[i]);
		free(text);
	}
}

/* The worked example in docs/rules-schema.md loads as documented. */
Test(docs, schema_example_loads)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/docs/rules-schema.md", LC_SOURCE_DIR);
	size_t len;
	char *md = lc_read_file(path, &len);
	cr_assert_not_null(md);
	const char *start = strstr(md, "Its configuration declares");
	cr_assert_not_null(start);
	start = strstr(start, "```json\n");
	cr_assert_not_null(start);
	start += strlen("```json\n");
	const char *end = strstr(start, "```");
	cr_assert_not_null(end);

	lc_ruleset *rs = with_rule_ids();
	char *err = NULL;
	cr_assert_eq(lc_ruleset_load_json(rs, "evq.json", start, (size_t)(end - start), &err), 0,
		     "%s", err);
	cr_expect_eq(registrar(rs, "evq_defer", 1)->context, LC_CTX_WORKER);
	cr_expect_not_null(field(rs, "evq_handler.on_event"));
	lc_value a[4] = {v_var("store"), {.kind = LC_VAL_STRING, .text = "\"hint\""}, v_var("v"),
			 v_int(16, "STORE_NOWAIT")};
	cr_expect_null(blocks(rs, "store_get_sync", a, 4));
	a[3] = v_int(0, "0");
	cr_expect_not_null(blocks(rs, "store_get_sync", a, 4));
	lc_ruleset_free(rs);
	free(md);
}
