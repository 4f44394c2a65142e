/* rules.h - profiles and catalogues: what loopcheck knows, as data.
 *
 * In:  the JSON files of rules/ (compiled into the binary, see embedded.h)
 *      and, later, a user's config file in the same schema.
 * Out: an lc_ruleset: rule metadata, registrars (which argument of which
 *      function is a callback, and on which thread it runs), callback fields
 *      (struct fields whose stored function runs on a thread), the blocking
 *      and expensive-function catalogue with argument conditions, and the
 *      descriptor sources used to decide whether read()/send() can block.
 *
 * The schema is documented in docs/rules-schema.md. Function names may be
 * globs ('*', '?'). Ownership: everything lives in the ruleset's arena and is
 * freed by lc_ruleset_free.
 */
#ifndef LC_RULES_H
#define LC_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"
#include "util.h"

typedef enum lc_context {
	LC_CTX_LOOP = 0, /* the event-loop thread */
	LC_CTX_WORKER,   /* a thread pool (uv_queue_work, napi execute) */
	LC_CTX_THREAD,   /* a thread of its own (pthread_create, uv_thread_create) */
} lc_context;

typedef enum lc_severity {
	LC_SEV_NOTE = 0,
	LC_SEV_WARNING,
	LC_SEV_ERROR,
} lc_severity;

const char *lc_context_name(lc_context c);  /* "loop", "worker", "thread" */
const char *lc_severity_name(lc_severity s); /* "note", "warning", "error" */

/* A condition on one argument of a call. All members that are set must hold.
 * JSON: {"arg": 1, "in": ["F_SETLKW", 7]} / {"arg": 5, "null": true} /
 *       {"arg": 6, "has_bits": 3} / {"arg": 2, "text_contains": "O_NONBLOCK"} */
typedef struct lc_cond {
	int arg;                  /* 0-based argument index */
	bool null;                /* the argument is NULL / 0 */
	const char **in_text;     /* matches the argument's name or source text */
	size_t nin_text;
	long long *in_int;        /* matches the argument's constant value */
	size_t nin_int;
	long long has_bits;       /* constant value has all these bits (0: unused) */
	const char *text_contains; /* source text contains this (NULL: unused) */
	struct lc_cond *and;      /* further conditions that must hold too */
	size_t nand;
} lc_cond;

/* One callback argument of a registrar function.
 * JSON (in a profile): "registrars": [{"function": "uv_timer_start",
 *   "callbacks": [{"arg": 1, "context": "loop", "kind": "timer callback"}]}] */
typedef struct lc_registrar {
	const char *function; /* glob */
	int arg;              /* 0-based index of the callback argument */
	lc_context context;
	const char *kind;     /* "timer callback", for messages */
	const char *profile;  /* "libuv" */
	const char *family;   /* loop family for messages: "libuv" */
} lc_registrar;

/* A struct field whose stored function is called by the library.
 * JSON: "fields": [{"field": "uv_process_options_s.exit_cb", "context": "loop",
 *                   "kind": "process exit callback"}] */
typedef struct lc_field_entry {
	const char *field;    /* field key "struct.field", glob allowed */
	lc_context context;
	const char *kind;
	const char *profile;
	const char *family;
} lc_field_entry;

/* A function the library calls by name: it is an entry point wherever it is
 * defined (NAPI_MODULE_INIT defines napi_register_module_v1).
 * JSON: "entries": [{"function": "napi_register_module_v1", "context": "loop",
 *                    "kind": "module init"}] */
typedef struct lc_entry_fn {
	const char *function; /* glob */
	lc_context context;
	const char *kind;
	const char *profile;
	const char *family;
} lc_entry_fn;

/* A call that runs one iteration of the loop (event_base_loop(base,
 * EVLOOP_ONCE)): a program that calls it in a loop of its own runs the
 * rest of that loop's body on the loop thread, between iterations.
 * JSON: "iterations": [{"function": "event_base_loop",
 *                       "when": [{"arg": 1, "has_bits": 1}]}] */
typedef struct lc_iteration {
	const char *function; /* glob */
	lc_cond *when;        /* all must hold */
	size_t nwhen;
	const char *profile;
	const char *family;
} lc_iteration;

/* A blocking or expensive function.
 * JSON: "blocking": [{"function": "fopen", "rule": "blocking/file-io",
 *   "reason": "...", "alternative": "...", "severity": "warning",
 *   "when": [cond...], "unless": [cond...], "fd_arg": 0}] */
typedef struct lc_blocking {
	const char *function; /* glob */
	const char *rule;     /* rule id, e.g. "blocking/file-io" */
	const char *category; /* human label, e.g. "file I/O" (defaults from the rule) */
	const char *reason;
	const char *alternative;
	lc_severity severity;
	bool has_severity;    /* otherwise the rule's default severity */
	lc_cond *when;        /* all must hold for the call to block */
	size_t nwhen;
	lc_cond *unless;      /* if any holds, the call does not block */
	size_t nunless;
	int fd_arg;           /* >= 0: blocks only on a descriptor known to block */
	bool fd_stream_only;  /* ... and not on a datagram socket (connect) */
	const char *profile;
} lc_blocking;

/* A function whose result is a descriptor, for fd_arg tracking.
 * JSON: "descriptors": [{"function": "socket", "produces": "socket",
 *   "nonblocking_if": [cond...]}]   ("produces": "file" | "socket") */
typedef struct lc_fd_source {
	const char *function;
	bool is_socket;
	lc_cond *nonblocking_if; /* any holds: the descriptor is non-blocking */
	size_t nnonblocking_if;
	lc_cond *datagram_if;    /* any holds: a datagram socket (no connection) */
	size_t ndatagram_if;
} lc_fd_source;

/* A call that makes a descriptor non-blocking.
 * JSON: "nonblocking_setters": [{"function": "fcntl", "fd_arg": 0,
 *   "when": [cond...]}] */
typedef struct lc_fd_setter {
	const char *function;
	int fd_arg;
	lc_cond *when;
	size_t nwhen;
} lc_fd_setter;

/* Rule metadata. JSON (rules/rules.json): "rules": [{"id": "blocking/file-io",
 *   "name": "BlockingFileIO", "short": "...", "full": "...",
 *   "severity": "warning", "precision": "high", "tags": ["reliability"]}] */
typedef struct lc_rule_info {
	const char *id;
	const char *name;        /* CamelCase, for SARIF rule names */
	const char *short_desc;
	const char *full_desc;
	const char *category;    /* human label: "file I/O" */
	lc_severity severity;
	const char *precision;   /* "very-high" | "high" | "medium" | "low" */
	const char **tags;
	size_t ntags;
	const char *help_markdown; /* docs/rules/<id with '/' as '-'>.md, NULL if absent */
} lc_rule_info;

typedef struct lc_profile_info {
	const char *name;        /* "libuv" */
	const char *family;      /* "libuv" */
	const char *description;
	const char *source;      /* "rules/libuv.json" or a config path */
	/* How to move blocking work off this loop, in its own terms; replaces
	 * a catalogue alternative written for libuv ("uv_fs_open() ..."). */
	const char *advice;
} lc_profile_info;

typedef struct lc_ruleset {
	lc_arena *arena;
	LC_VEC(lc_rule_info) rules;
	LC_VEC(lc_profile_info) profiles;
	LC_VEC(lc_registrar) registrars;
	LC_VEC(lc_field_entry) fields;
	LC_VEC(lc_entry_fn) entry_fns;
	LC_VEC(lc_iteration) iterations;
	LC_VEC(lc_blocking) blocking;
	LC_VEC(lc_fd_source) fd_sources;
	LC_VEC(lc_fd_setter) fd_setters;
} lc_ruleset;

lc_ruleset *lc_ruleset_new(void);
void lc_ruleset_free(lc_ruleset *rs);

/* Load the built-in rules (the rules/ JSON files from the embedded table). If
 * `only` is non-NULL, load only the profiles named there (rules.json and
 * catalogues without a "profile" key are always loaded). Returns 0, or -1
 * with a one-line heap message in *err ("unknown profile 'foo'"). */
int lc_ruleset_load_builtin(lc_ruleset *rs, const char *const *only, size_t nonly,
			    char **err);

/* Load one JSON document (a profile, a catalogue or rules.json) from text.
 * `path` is used in messages: "path:12:5: \"arg\" must be a non-negative
 * integer (registrars[3].callbacks[0])". Unknown keys, wrong types and bad
 * indexes are errors. Returns 0 or -1 with *err. */
int lc_ruleset_load_json(lc_ruleset *rs, const char *path, const char *text,
			 size_t len, char **err);

/* Load part of a larger JSON document that the caller has parsed from
 * `text` (a config file, see config.h): `root` is the parsed document and
 * `key_path` names the part ("loops[0]"; "" for the root). Validation is
 * that of lc_ruleset_load_json; messages give the line and column in `text`
 * and key paths from the document's root:
 *   ".loopcheck.json:9:26: \"arg\" must be ... (loops[0].registrars[1].callbacks[0])"
 * lc_ruleset_load_node loads the part as a whole document (a profile);
 * lc_ruleset_load_entries loads only the "blocking", "descriptors" and
 * "nonblocking_setters" members of the object there (as a catalogue without
 * a name) and leaves its other members to the caller. Returns 0 or -1 with
 * *err; on failure nothing from the part is kept. */
struct cJSON;
int lc_ruleset_load_node(lc_ruleset *rs, const char *path, const char *text, size_t len,
			 const struct cJSON *root, const char *key_path, char **err);
int lc_ruleset_load_entries(lc_ruleset *rs, const char *path, const char *text, size_t len,
			    const struct cJSON *root, const char *key_path, char **err);

/* Line and column (1-based) in `text` of `node`, a value inside `root`
 * parsed from `text` (of its key, when `at_key` and it is an object member).
 * 1:1 when it cannot be found. */
void lc_json_position(const char *text, size_t len, const struct cJSON *root,
		      const struct cJSON *node, bool at_key, unsigned *line, unsigned *col);

/* Lookups; each returns the first match in load order, or NULL. */
const lc_rule_info *lc_ruleset_rule(const lc_ruleset *rs, const char *id);
const lc_profile_info *lc_ruleset_profile(const lc_ruleset *rs, const char *name);
/* Blocking entries are tried in order; several may match one name (e.g. a
 * conditional entry and a fallback), so callers iterate with `from`. */
const lc_blocking *lc_ruleset_blocking(const lc_ruleset *rs, const char *function,
				       size_t *from);
const lc_fd_source *lc_ruleset_fd_source(const lc_ruleset *rs, const char *function);
const lc_fd_setter *lc_ruleset_fd_setter(const lc_ruleset *rs, const char *function,
					 size_t *from);

/* Does the argument value satisfy the condition? */
bool lc_cond_holds(const lc_cond *c, const lc_value *args, unsigned nargs);

#endif
