/* facts.h - what one translation unit says, independent of any rule.
 *
 * The extract stage (extract.c, the only user of libclang besides parse.c)
 * fills an lc_facts per translation unit and disposes the TU. Everything
 * after it (link, solve, report) works on these plain facts. Extraction
 * knows no rules: it records every call with the shape of its arguments and
 * every store of a function pointer, so editing rules/ or a config file
 * never invalidates facts.
 *
 * Keys name program entities across translation units:
 *   function  "c:@F@name" (its USR) for external linkage; for internal
 *             linkage the USR followed by "|" and the defining file's path,
 *             because libclang gives two static helpers in a/util.c and
 *             b/util.c the same USR.
 *   field     "struct_tag.field" (or "typedef_name.field" for an anonymous
 *             struct, or the field USR when neither exists).
 *   variable  its USR, plus "|file" when it has internal linkage or is local.
 *   parameter "<function key>#<index>" (0-based).
 *
 * Ownership: every string and array hangs off facts->arena and is freed by
 * lc_facts_free.
 */
#ifndef LC_FACTS_H
#define LC_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct lc_loc {
	const char *file; /* absolute path as the compiler saw it, NULL if none */
	unsigned line;    /* 1-based; for code in a macro body, the expansion site */
	unsigned column;  /* 1-based byte column */
} lc_loc;

/* The shape of an expression that matters to rules: a function reference,
 * NULL, an integer constant, a reference to a variable/field/parameter, or the
 * result of another call. */
typedef enum lc_value_kind {
	LC_VAL_OTHER = 0,
	LC_VAL_FUNC,   /* &f, f, (cast)f: `key` is the function key */
	LC_VAL_NULL,   /* NULL, 0, (void *)0 */
	LC_VAL_INT,    /* integer constant expression: `ival` */
	LC_VAL_PARAM,  /* a parameter of the enclosing function: `param`, `key` = its slot key */
	LC_VAL_VAR,    /* a variable: `key` is the variable key */
	LC_VAL_FIELD,  /* x.f or p->f: `key` is the field key */
	LC_VAL_CALL,   /* result of a call: `name` is the callee's name if direct */
	LC_VAL_STRING, /* a string literal */
} lc_value_kind;

typedef struct lc_value {
	lc_value_kind kind;
	const char *key;  /* FUNC, PARAM, VAR, FIELD */
	const char *name; /* spelled name: function, variable, field or callee */
	const char *text; /* source text of the expression, truncated to 80 bytes */
	long long ival;   /* INT */
	int param;        /* PARAM: index in the enclosing function */
	bool has_ival;    /* ival holds the constant value (INT, or a VAR/CALL that evaluates) */
	const char *holds; /* VAR: a local FILE * only ever set from these globals,
			    * sorted and joined with '|' ("stderr|stdout"); else NULL */
} lc_value;

typedef struct lc_function {
	const char *key;
	const char *name;
	lc_loc loc;       /* the name in the definition */
	unsigned nparams;
	bool is_static;
	bool is_main;     /* named "main" with external linkage */
	bool is_noreturn; /* noreturn / _Noreturn (a crash handler, an exit path) */
} lc_function;

typedef enum lc_callee_kind {
	LC_CALL_DIRECT = 0, /* f(...): `callee` is the function key */
	LC_CALL_FIELD,      /* p->cb(...): `callee` is the field key */
	LC_CALL_VAR,        /* fp(...) on a variable: `callee` is the variable key */
	LC_CALL_PARAM,      /* cb(...) on a parameter: `callee` is the parameter key */
	LC_CALL_UNKNOWN,    /* anything else (array element, call result): not guessed */
} lc_callee_kind;

typedef struct lc_call {
	int caller;          /* index into facts->functions; -1 at file scope */
	lc_callee_kind kind;
	const char *callee;  /* key, see lc_callee_kind */
	const char *name;    /* callee as spelled for messages: "fopen", "h->cb" */
	const char *macro;   /* the macro invoked at `loc` whose body holds the call, or NULL */
	lc_loc loc;          /* user-visible location of the call */
	lc_value *args;
	unsigned nargs;
	/* Where the call's result goes, for descriptor tracking:
	 * `fd = open(...)`, `int fd = socket(...)`, `c->fd = accept(...)`. */
	lc_value result_to; /* kind LC_VAL_VAR, LC_VAL_FIELD, LC_VAL_PARAM or OTHER */
	unsigned loop_depth; /* number of enclosing loops inside the function */
	int loop;            /* the innermost of them (index into facts->loops), -1 if none */
	int guard;           /* runs only where parameter |guard|-1 of the function is
			      * true (guard > 0) or false (guard < 0); 0: unconditional */
	bool off_loop;       /* in the child's branch after fork() (another process), or
			      * just before exit()/abort() (a process that is ending):
			      * nothing it calls is the loop's work */
} lc_call;

/* A store of a value into a slot: `w->cb = on_read`, `static T t = {.cb = f}`,
 * `fp = f`, `h.fn = param`. Only stores whose value is a function reference
 * or a function-pointer-typed parameter/variable/field are recorded. */
typedef enum lc_slot_kind {
	LC_SLOT_FIELD = 0,
	LC_SLOT_VAR,
	LC_SLOT_PARAM,
} lc_slot_kind;

typedef struct lc_store {
	int function;        /* enclosing function index, -1 at file scope */
	lc_slot_kind slot_kind;
	const char *slot;    /* key of the field, variable or parameter stored into */
	const char *slot_name; /* spelled, e.g. "exit_cb" */
	lc_value value;      /* LC_VAL_FUNC, LC_VAL_PARAM, LC_VAL_VAR or LC_VAL_FIELD */
	lc_loc loc;
} lc_store;

/* A loop statement (for/while/do) with what its bound depends on; used by
 * the cpu/hotspot rule. */
typedef struct lc_loop {
	int function;
	lc_loc loc;
	int parent;          /* index of the enclosing loop in this function, -1 if none */
	bool bound_is_data;  /* the condition compares against a non-constant */
	const char *bound_text; /* source text of that bound, truncated */
} lc_loop;

/* One diagnostic of severity error or fatal. */
typedef struct lc_diag {
	lc_loc loc;
	const char *message;
	bool fatal;
} lc_diag;

typedef struct lc_facts {
	lc_arena *arena;
	const char *main_file; /* absolute path of the TU's main file */
	LC_VEC(lc_function) functions;
	LC_VEC(lc_call) calls;
	LC_VEC(lc_store) stores;
	LC_VEC(lc_loop) loops;
	LC_VEC(lc_diag) diags;
	LC_VEC(const char *) files; /* every file the TU read (main first, then headers) */
	/* What programs.h needs to split one compile database into programs:
	 * the TU's sanitized compile arguments (compdb.h; set by parse.c, they
	 * tell two builds of one source apart), the keys of the external
	 * variables it defines at file scope, and the keys of the external
	 * functions and variables it refers to without defining them (its
	 * undefined symbols, as `nm -u` lists them; declarations from system
	 * headers left out), each once, in order of first use. */
	LC_VEC(const char *) args;
	LC_VEC(const char *) globals;
	LC_VEC(const char *) uses;
	bool failed;        /* no AST at all (lc_diag explains) */
} lc_facts;

lc_facts *lc_facts_new(void);
void lc_facts_free(lc_facts *f);

/* Print the facts in a readable form (for --dump-facts). */
void lc_facts_dump(const lc_facts *f, void *stream /* FILE* */);

#endif
