/* link.c - merge per-TU facts into one program and resolve function
 * pointers (see link.h). */
#include "link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A set of 64-bit keys (open addressing). */
typedef struct linker {
	lc_program *p;
	lc_arena *keys;     /* parameter slot keys built here */
	/* Pending site lists per function before they are grouped. */
	LC_VEC(uint32_t) *fn_sites;
	size_t fn_sites_cap;
	LC_VEC(lc_site) file_scope_sites;
	/* (slot, origin) pairs already present, and (from, to) flows. */
	lc_u64set seen;
	lc_u64set flows;
} linker;

static uint32_t fn_node(linker *l, const char *key, const char *name)
{
	int added;
	uint32_t id = lc_strmap_intern(&l->p->fn_ids, key, &added);
	if (added) {
		lc_fn fn = { 0 };
		fn.key = key;
		fn.name = name ? name : key;
		fn.first_site = 0;
		lc_vec_push(&l->p->fns, fn);
	} else if (name && l->p->fns.ptr[id].name == l->p->fns.ptr[id].key) {
		l->p->fns.ptr[id].name = name;
	}
	return id;
}

static uint32_t slot_node(linker *l, const char *key)
{
	int added;
	uint32_t id = lc_strmap_intern(&l->p->slot_ids, key, &added);
	if (added) {
		lc_slot s = { 0 };
		s.key = key;
		s.origin = LC_NONE;
		lc_vec_push(&l->p->slots, s);
	}
	return id;
}

static const char *param_slot_key(linker *l, const char *fn_key, int index)
{
	size_t n = strlen(fn_key) + 16;
	char *k = lc_arena_alloc(l->keys, n);
	snprintf(k, n, "%s#%d", fn_key, index);
	return k;
}

uint32_t lc_program_param_slot(const lc_program *p, const char *fn_key, int index)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s#%d", fn_key, index);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return LC_NONE;
	return lc_strmap_get(&p->slot_ids, buf);
}

static bool seen_insert(linker *l, uint32_t slot, uint32_t origin)
{
	return lc_u64set_insert(&l->seen, (uint64_t)slot << 32 | origin);
}

static uint32_t add_origin(linker *l, lc_loc loc, uint32_t in_fn, const char *through,
			   bool is_store)
{
	lc_origin o = { loc, in_fn, through, is_store };
	lc_vec_push(&l->p->origins, o);
	return (uint32_t)l->p->origins.len - 1;
}

/* A slot holds (function, origin) pairs: the same callback registered from
 * two places is two registrations (callback/nesting needs each), while the
 * call targets of a slot are its distinct functions. */
static void slot_add(linker *l, uint32_t slot, uint32_t fn, uint32_t origin)
{
	if (!seen_insert(l, slot, origin))
		return;
	lc_slot_value v = { fn, origin };
	lc_vec_push(&l->p->slots.ptr[slot].values, v);
}

static void slot_flow(linker *l, uint32_t from, uint32_t to)
{
	if (from == to || !lc_u64set_insert(&l->flows, (uint64_t)from << 32 | to))
		return;
	lc_vec_push(&l->p->slots.ptr[from].succ, to);
}

/* The slot a value names, if it is a slot (parameter, variable, field). */
static uint32_t value_slot(linker *l, const lc_value *v)
{
	switch (v->kind) {
	case LC_VAL_PARAM:
	case LC_VAL_VAR:
	case LC_VAL_FIELD:
		return v->key ? slot_node(l, v->key) : LC_NONE;
	default:
		return LC_NONE;
	}
}

/* `value` reaches `slot` at `loc` in function `in_fn`. */
static void flow_value(linker *l, const lc_value *value, uint32_t slot, lc_loc loc,
		       uint32_t in_fn, const char *through, bool is_store)
{
	if (value->kind == LC_VAL_FUNC && value->key) {
		uint32_t fn = fn_node(l, value->key, value->name);
		slot_add(l, slot, fn, add_origin(l, loc, in_fn, through, is_store));
		if (is_store && l->p->slots.ptr[slot].origin == LC_NONE)
			l->p->slots.ptr[slot].origin = (uint32_t)l->p->origins.len - 1;
		return;
	}
	uint32_t from = value_slot(l, value);
	if (from != LC_NONE)
		slot_flow(l, from, slot);
}

static void add_site(linker *l, uint32_t caller, lc_site s)
{
	if (caller == LC_NONE) {
		lc_vec_push(&l->file_scope_sites, s);
		return;
	}
	if (caller >= l->fn_sites_cap) {
		size_t ncap = l->fn_sites_cap ? l->fn_sites_cap : 64;
		while (ncap <= caller)
			ncap *= 2;
		l->fn_sites = lc_xrealloc(l->fn_sites, ncap * sizeof(*l->fn_sites));
		memset(l->fn_sites + l->fn_sites_cap, 0,
		       (ncap - l->fn_sites_cap) * sizeof(*l->fn_sites));
		l->fn_sites_cap = ncap;
	}
	/* Sites are stored by index into a temporary pool, grouped afterwards. */
	lc_vec_push(&l->p->sites, s);
	lc_vec_push(&l->fn_sites[caller], (uint32_t)l->p->sites.len - 1);
}

static bool same_place(const lc_loc *a, const lc_loc *b)
{
	return a->line == b->line && a->column == b->column &&
	       (a->file == b->file || (a->file && b->file && strcmp(a->file, b->file) == 0));
}

static void link_tu(linker *l, lc_facts *f, uint32_t tu)
{
	uint32_t *local = lc_xcalloc(f->functions.len ? f->functions.len : 1, sizeof(uint32_t));
	bool *skip = lc_xcalloc(f->functions.len ? f->functions.len : 1, sizeof(bool));
	for (size_t i = 0; i < f->functions.len; i++) {
		const lc_function *def = &f->functions.ptr[i];
		uint32_t id = fn_node(l, def->key, def->name);
		lc_fn *fn = &l->p->fns.ptr[id];
		if (fn->def) {
			/* Two bodies for one key. A static function's key names its
			 * file: a static inline from a header seen by several TUs, the
			 * same code, skipped; so is one definition compiled twice (one
			 * source in two entries). An external function defined again
			 * elsewhere (two programs in one database) is an alternative
			 * (issue 10): counted, and its calls and stores are kept on the
			 * same node, so nothing it calls or registers is lost whichever
			 * definition comes first. */
			if (!def->is_static && !same_place(&fn->def->loc, &def->loc)) {
				fn->alternatives++;
				l->p->duplicate_definitions++;
			} else {
				skip[i] = true;
			}
		} else {
			fn->def = def;
			fn->tu = tu;
			fn->local = (int)i;
		}
		local[i] = id;
	}
	for (size_t i = 0; i < f->calls.len; i++) {
		const lc_call *c = &f->calls.ptr[i];
		if (c->caller >= 0 && skip[c->caller])
			continue;
		uint32_t caller = c->caller >= 0 ? local[c->caller] : LC_NONE;
		lc_site s = { c, caller, LC_NONE, LC_NONE };
		if (c->kind == LC_CALL_DIRECT && c->callee) {
			s.callee = fn_node(l, c->callee, c->name);
			for (unsigned a = 0; a < c->nargs; a++) {
				const lc_value *v = &c->args[a];
				if (v->kind != LC_VAL_FUNC && value_slot(l, v) == LC_NONE)
					continue;
				uint32_t ps = slot_node(l, param_slot_key(l, c->callee, (int)a));
				flow_value(l, v, ps, c->loc, caller, c->name, false);
			}
		} else if (c->kind != LC_CALL_UNKNOWN && c->callee) {
			s.slot = slot_node(l, c->callee);
		}
		add_site(l, caller, s);
	}
	for (size_t i = 0; i < f->stores.len; i++) {
		const lc_store *st = &f->stores.ptr[i];
		if (st->function >= 0 && skip[st->function])
			continue;
		uint32_t in_fn = st->function >= 0 ? local[st->function] : LC_NONE;
		flow_value(l, &st->value, slot_node(l, st->slot), st->loc, in_fn, st->slot_name,
			   true);
	}
	free(local);
	free(skip);
}

/* Stores under brace elision went to "T.*": let them reach every T.f. */
static void connect_wildcard_fields(linker *l)
{
	size_t n = l->p->slots.len;
	for (size_t i = 0; i < n; i++) {
		const char *key = l->p->slots.ptr[i].key;
		const char *dot = strrchr(key, '.');
		if (!dot || strcmp(dot, ".*") == 0 || strchr(key, '#') || strchr(key, '@'))
			continue;
		char buf[512];
		int len = snprintf(buf, sizeof(buf), "%.*s.*", (int)(dot - key), key);
		if (len < 0 || (size_t)len >= sizeof(buf))
			continue;
		uint32_t any = lc_strmap_get(&l->p->slot_ids, buf);
		if (any != LC_NONE)
			slot_flow(l, any, (uint32_t)i);
	}
}

/* Propagate slot values along flows until nothing changes. Iterative, with
 * a worklist: each (slot, function) pair is added once, so this ends. */
static void propagate(linker *l)
{
	lc_program *p = l->p;
	LC_VEC(uint32_t) work = { 0 };
	/* How many values of each slot have been pushed to its successors. */
	size_t *done = lc_xcalloc(p->slots.len ? p->slots.len : 1, sizeof(size_t));
	bool *queued = lc_xcalloc(p->slots.len ? p->slots.len : 1, sizeof(bool));
	for (uint32_t i = 0; i < p->slots.len; i++)
		if (p->slots.ptr[i].values.len && p->slots.ptr[i].succ.len) {
			lc_vec_push(&work, i);
			queued[i] = true;
		}
	while (work.len) {
		uint32_t s = work.ptr[--work.len];
		queued[s] = false;
		size_t from = done[s];
		size_t to = p->slots.ptr[s].values.len;
		done[s] = to;
		for (size_t k = 0; k < p->slots.ptr[s].succ.len; k++) {
			uint32_t t = p->slots.ptr[s].succ.ptr[k];
			size_t before = p->slots.ptr[t].values.len;
			for (size_t v = from; v < to; v++) {
				lc_slot_value val = p->slots.ptr[s].values.ptr[v];
				slot_add(l, t, val.fn, val.origin);
			}
			if (p->slots.ptr[t].values.len != before && !queued[t] &&
			    p->slots.ptr[t].succ.len) {
				lc_vec_push(&work, t);
				queued[t] = true;
			}
		}
	}
	free(done);
	free(queued);
	lc_vec_free(&work);
}

/* Reorder sites so each function's sites are contiguous, in facts order. */
static void group_sites(linker *l)
{
	lc_program *p = l->p;
	size_t total = p->sites.len + l->file_scope_sites.len;
	lc_site *grouped = lc_xcalloc(total ? total : 1, sizeof(lc_site));
	size_t n = 0;
	for (uint32_t f = 0; f < p->fns.len; f++) {
		p->fns.ptr[f].first_site = (uint32_t)n;
		p->fns.ptr[f].nsites = 0;
		if (f >= l->fn_sites_cap)
			continue;
		for (size_t i = 0; i < l->fn_sites[f].len; i++)
			grouped[n++] = p->sites.ptr[l->fn_sites[f].ptr[i]];
		p->fns.ptr[f].nsites = (uint32_t)l->fn_sites[f].len;
		lc_vec_free(&l->fn_sites[f]);
	}
	for (size_t i = 0; i < l->file_scope_sites.len; i++)
		grouped[n++] = l->file_scope_sites.ptr[i];
	free(p->sites.ptr);
	p->sites.ptr = grouped;
	p->sites.len = n;
	p->sites.cap = total ? total : 1;
	free(l->fn_sites);
	lc_vec_free(&l->file_scope_sites);
}

static void count_edges(lc_program *p)
{
	uint32_t scratch;
	for (size_t i = 0; i < p->sites.len; i++) {
		const uint32_t *t;
		size_t n = lc_site_targets(p, &p->sites.ptr[i], &t, &scratch);
		for (size_t k = 0; k < n; k++)
			if (p->fns.ptr[t[k]].def)
				p->call_edges++;
	}
}

/* Keeps a linker's key arena alive with the program. */
typedef struct program_box {
	lc_program p;
	lc_arena *keys;
	LC_VEC(uint32_t) target_cache; /* flattened slot targets */
	uint32_t *slot_targets_first;  /* per slot: index into target_cache */
} program_box;

static void build_target_cache(program_box *b)
{
	lc_program *p = &b->p;
	b->slot_targets_first = lc_xcalloc(p->slots.len + 1, sizeof(uint32_t));
	uint32_t *stamp = lc_xcalloc(p->fns.len + 1, sizeof(uint32_t));
	for (size_t s = 0; s < p->slots.len; s++) {
		b->slot_targets_first[s] = (uint32_t)b->target_cache.len;
		for (size_t v = 0; v < p->slots.ptr[s].values.len; v++) {
			uint32_t fn = p->slots.ptr[s].values.ptr[v].fn;
			if (stamp[fn] == s + 1)
				continue;
			stamp[fn] = (uint32_t)s + 1;
			lc_vec_push(&b->target_cache, fn);
		}
	}
	b->slot_targets_first[p->slots.len] = (uint32_t)b->target_cache.len;
	free(stamp);
}

size_t lc_site_targets(const lc_program *p, const lc_site *s, const uint32_t **out,
		       uint32_t *scratch)
{
	/* After fork(), the child is another process: what it calls runs on
	 * none of this program's threads (and never on the loop). */
	if (s->call->off_loop) {
		*out = NULL;
		return 0;
	}
	if (s->callee != LC_NONE) {
		*scratch = s->callee;
		*out = scratch;
		return 1;
	}
	if (s->slot == LC_NONE) {
		*out = NULL;
		return 0;
	}
	return lc_slot_targets(p, s->slot, out);
}

size_t lc_slot_targets(const lc_program *p, uint32_t slot, const uint32_t **out)
{
	const program_box *b = (const program_box *)p;
	uint32_t first = b->slot_targets_first[slot];
	*out = b->target_cache.ptr + first;
	return b->slot_targets_first[slot + 1] - first;
}

/* Parameter slots are keyed "function-key#index": note whose they are. */
static void name_param_slots(lc_program *p)
{
	lc_sb prefix;
	lc_sb_init(&prefix);
	for (size_t i = 0; i < p->slots.len; i++) {
		lc_slot *sl = &p->slots.ptr[i];
		sl->param_fn = sl->param_index = LC_NONE;
		const char *hash = strrchr(sl->key, '#');
		if (!hash || !hash[1] || strspn(hash + 1, "0123456789") != strlen(hash + 1))
			continue;
		prefix.len = 0;
		lc_sb_addn(&prefix, sl->key, (size_t)(hash - sl->key));
		uint32_t fn = lc_strmap_get(&p->fn_ids, prefix.buf);
		if (fn == LC_NONE)
			continue;
		sl->param_fn = fn;
		sl->param_index = (uint32_t)strtoul(hash + 1, NULL, 10);
	}
	lc_sb_release(&prefix);
}

lc_program *lc_link(lc_facts **facts, size_t nfacts)
{
	program_box *b = lc_xcalloc(1, sizeof(*b));
	b->keys = lc_arena_new();
	linker l = { 0 };
	l.p = &b->p;
	l.keys = b->keys;
	l.p->facts = facts;
	l.p->nfacts = nfacts;
	for (size_t i = 0; i < nfacts; i++)
		if (facts[i])
			link_tu(&l, facts[i], (uint32_t)i);
	connect_wildcard_fields(&l);
	propagate(&l);
	group_sites(&l);
	lc_u64set_free(&l.seen);
	lc_u64set_free(&l.flows);
	build_target_cache(b);
	name_param_slots(l.p);
	count_edges(l.p);
	return l.p;
}

void lc_program_free(lc_program *p)
{
	if (!p)
		return;
	program_box *b = (program_box *)p;
	for (size_t i = 0; i < p->slots.len; i++) {
		lc_vec_free(&p->slots.ptr[i].values);
		lc_vec_free(&p->slots.ptr[i].succ);
	}
	lc_vec_free(&p->slots);
	lc_vec_free(&p->fns);
	lc_vec_free(&p->sites);
	lc_vec_free(&p->origins);
	lc_strmap_free(&p->fn_ids);
	lc_strmap_free(&p->slot_ids);
	lc_vec_free(&b->target_cache);
	free(b->slot_targets_first);
	lc_arena_free(b->keys);
	free(b);
}
