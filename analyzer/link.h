/* link.h - the link stage: per-TU facts in, one whole-program graph out.
 *
 * Functions are merged across translation units by key (facts.h). Function
 * pointers are followed by a flow-insensitive, field-based points-to
 * analysis over "slots": a struct field (all objects of the type share it),
 * a variable, or a parameter. A function stored into field T.f anywhere
 * may be called by any call through T.f; a function passed as argument i of
 * g flows into g's parameter i; a parameter or variable stored or passed on
 * carries everything it holds. Calls through expressions that name no slot
 * get no targets: they are not guessed.
 *
 * The parameters of library functions (which have no body here) are slots
 * too: "c:@F@uv_timer_start#1" holds every function that reaches
 * uv_timer_start's callback argument, directly or through user wrappers.
 * That is how the solver finds entry points, to any depth of wrapping.
 *
 * Duplicate definitions: an external function defined at different places
 * in the TUs linked together is one node whose `def` is the first definition
 * in TU order and whose call sites are those of every definition;
 * `alternatives` counts the others. The pipeline links each program of a
 * compile database on its own (programs.h), so this happens only when the
 * TUs of one program disagree.
 *
 * Ownership: the program borrows the facts (they must outlive it) and owns
 * everything else; lc_program_free releases it.
 */
#ifndef LC_LINK_H
#define LC_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts.h"
#include "strmap.h"

/* Where a function reference was taken: an argument of a call, or the value
 * of a store. The solver reports it as the registration site. */
typedef struct lc_origin {
	lc_loc loc;
	uint32_t in_function;  /* function node, LC_NONE at file scope */
	const char *through;   /* callee name (argument) or field/variable name (store) */
	bool is_store;
} lc_origin;

typedef struct lc_fn {
	const char *key;
	const char *name;
	const lc_function *def;   /* NULL for functions without a body here */
	uint32_t first_site;      /* this function's call sites: sites[first_site ..] */
	uint32_t nsites;
	uint32_t alternatives;    /* further definitions of the same external key
				   * elsewhere: their calls and stores are this
				   * node's too; `def` is the first in TU order */
	uint32_t tu;              /* facts index of the definition (if def) */
	int local;                /* index of the definition in that TU's functions */
} lc_fn;

typedef struct lc_site {
	const lc_call *call;
	uint32_t caller;  /* function node, LC_NONE at file scope */
	uint32_t callee;  /* direct calls: function node; else LC_NONE */
	uint32_t slot;    /* calls through a field/variable/parameter; else LC_NONE */
} lc_site;

typedef struct lc_slot_value {
	uint32_t fn;
	uint32_t origin;  /* index into program->origins */
} lc_slot_value;

typedef struct lc_slot {
	const char *key;
	LC_VEC(lc_slot_value) values;
	LC_VEC(uint32_t) succ;    /* slots this one flows into */
	uint32_t origin;          /* first store into this slot, LC_NONE if none */
	uint32_t param_fn;        /* a parameter's slot: its function node; else LC_NONE */
	uint32_t param_index;     /* ... and which parameter */
} lc_slot;

typedef struct lc_program {
	lc_facts **facts;         /* borrowed */
	size_t nfacts;
	lc_strmap fn_ids;
	LC_VEC(lc_fn) fns;
	LC_VEC(lc_site) sites;    /* grouped by caller; file-scope sites last */
	lc_strmap slot_ids;
	LC_VEC(lc_slot) slots;
	LC_VEC(lc_origin) origins;
	size_t duplicate_definitions; /* sum of the fns' alternatives */
	size_t call_edges;        /* resolved caller -> defined callee edges */
} lc_program;

lc_program *lc_link(lc_facts **facts, size_t nfacts);
void lc_program_free(lc_program *p);

/* The slot for parameter `index` of function `key`, or LC_NONE. */
uint32_t lc_program_param_slot(const lc_program *p, const char *fn_key, int index);

/* The distinct functions slot `slot` may hold. Returns the count; *out
 * points into program storage. */
size_t lc_slot_targets(const lc_program *p, uint32_t slot, const uint32_t **out);

/* Every function node a site may call: the direct callee, or the values of
 * the slot it calls through; none for a call in fork()'s child branch. Returns the count; *out points into program
 * storage (valid until lc_program_free). */
size_t lc_site_targets(const lc_program *p, const lc_site *s, const uint32_t **out,
		       uint32_t *scratch);

#endif
