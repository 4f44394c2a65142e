/* solve.c - find entry points, walk what runs on the loop, report blocking
 * calls (see solve.h). */
#include "solve.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

typedef struct entry {
	uint32_t fn;
	lc_context context;
	const char *registrar;  /* library function or field key */
	const char *kind;
	const char *profile, *family;
	uint32_t origin;        /* LC_NONE if unknown */
	int arg;                /* registrar argument index, -1 for fields and named entries */
	uint32_t between;       /* run between loop iterations: the site in the driving loop
				 * that calls it; else LC_NONE */
} entry;

typedef LC_VEC(entry) entry_vec;

/* What a descriptor variable may hold, ORed over every place it is set:
 * FD_STREAM marks a socket that is not known to carry datagrams. */
enum { FD_FILE = 1, FD_BLOCKING_SOCKET = 2, FD_NONBLOCKING = 4, FD_STREAM = 8 };

typedef struct solver {
	const lc_program *p;
	const lc_ruleset *rs;
	lc_result *r;
	entry_vec entries;
	lc_strmap fd_keys;
	LC_VEC(unsigned char) fd_flags;
	/* BFS state for the loop context. */
	uint32_t *parent_site;  /* site index that first reached a function */
	uint32_t *root;         /* entry index that reached it */
	unsigned char *on_loop;
	uint32_t *callers_first; /* per function: range in `callers` */
	uint32_t *callers;       /* direct call sites, grouped by callee */
	unsigned char *allowed;  /* per function: on the allow-list */
	unsigned char *opaque;   /* per function: not walked into. Catalogued as blocking
				  * unconditionally (the call is the finding, not what it does
				  * inside: aeWait -> poll), or noreturn (an exit path). */
	LC_VEC(uint32_t) finding_caller; /* per loop finding: its function */
	/* Calls through a parameter, resolved by the loop code's own calls (see
	 * walk_loop): per parameter slot, the functions loop code passes in. */
	LC_VEC(uint32_t) *passed;
	LC_VEC(uint32_t) *passed_at; /* per slot, parallel to `passed`: the passing site */
	lc_u64set passed_set;     /* (slot, function) pairs in `passed` */
	uint32_t *pslots_first;   /* per function: its parameter slots, CSR */
	uint32_t *pslots;
	uint32_t *psites_first;   /* per slot: the sites calling through it, CSR */
	uint32_t *psites;
	unsigned char *walked;    /* per function: its sites have been followed */
	unsigned char *skip;      /* per site: a guarded call loop code never lets run */
	uint32_t *through_param;  /* per function first reached as a passed argument:
				   * the call through the parameter; else LC_NONE.
				   * Its parent_site is then the site that passed it. */
} solver;

static void mark_allowed(solver *s, const lc_solve_opts *opts)
{
	const lc_program *p = s->p;
	s->allowed = lc_xcalloc(p->fns.len ? p->fns.len : 1, 1);
	s->opaque = lc_xcalloc(p->fns.len ? p->fns.len : 1, 1);
	for (size_t f = 0; f < p->fns.len; f++) {
		for (size_t i = 0; i < opts->nallow; i++)
			if (lc_glob_match(opts->allow[i], p->fns.ptr[f].name))
				s->allowed[f] = 1;
		if (!p->fns.ptr[f].def)
			continue;
		size_t from = 0;
		const lc_blocking *b;
		while ((b = lc_ruleset_blocking(s->rs, p->fns.ptr[f].name, &from)))
			if (!b->nwhen && !b->nunless && b->fd_arg < 0)
				s->opaque[f] = 1;
		/* A noreturn function is an exit or crash path (serverPanic):
		 * whatever it does before dying does not stall a running loop. */
		if (p->fns.ptr[f].def->is_noreturn)
			s->opaque[f] = 1;
	}
}

/* ---- entry points --------------------------------------------------------- */

static void add_slot_entries(solver *s, uint32_t slot, lc_context ctx, const char *registrar,
			     const char *kind, const char *profile, const char *family, int arg)
{
	const lc_slot *sl = &s->p->slots.ptr[slot];
	for (size_t i = 0; i < sl->values.len; i++) {
		entry e = { sl->values.ptr[i].fn, ctx, registrar, kind, profile, family,
			    sl->values.ptr[i].origin, arg, LC_NONE };
		lc_vec_push(&s->entries, e);
	}
}

static int loc_cmp(const lc_loc *a, const lc_loc *b)
{
	int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return 0;
}

static const lc_program *sort_program;

static int entry_cmp(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;
	if (a->context != b->context)
		return a->context < b->context ? -1 : 1;
	const lc_program *p = sort_program;
	if (a->origin != LC_NONE && b->origin != LC_NONE) {
		int c = loc_cmp(&p->origins.ptr[a->origin].loc, &p->origins.ptr[b->origin].loc);
		if (c)
			return c;
	} else if (a->origin != b->origin) {
		return a->origin == LC_NONE ? 1 : -1;
	}
	int c = strcmp(p->fns.ptr[a->fn].key, p->fns.ptr[b->fn].key);
	if (c)
		return c;
	c = strcmp(a->registrar, b->registrar);
	if (c)
		return c;
	if (a->between != b->between)
		return a->between < b->between ? -1 : 1;
	return a->arg - b->arg;
}

/* Is loop `inner` (an index into a TU's loops) `outer` or inside it? */
static bool loop_within(const lc_facts *f, int inner, int outer)
{
	for (int l = inner, hops = 0; l >= 0 && (size_t)l < f->loops.len && hops < 10000; hops++) {
		if (l == outer)
			return true;
		l = f->loops.ptr[l].parent;
	}
	return false;
}

static bool all_conds_hold(const lc_cond *c, size_t n, const lc_call *call);

/* A program that drives the loop itself (do event_base_loop(base,
 * EVLOOP_ONCE); while (idle_work() == 0);) runs the rest of that loop
 * statement on the loop thread: what it calls there is an entry. */
static void add_iteration_entries(solver *s)
{
	const lc_program *p = s->p;
	const lc_ruleset *rs = s->rs;
	if (!rs->iterations.len)
		return;
	uint32_t scratch;
	for (uint32_t u = 0; u < p->fns.len; u++) {
		const lc_fn *fn = &p->fns.ptr[u];
		if (!fn->def || fn->tu >= p->nfacts || !p->facts[fn->tu])
			continue;
		const lc_facts *facts = p->facts[fn->tu];
		for (uint32_t k = 0; k < fn->nsites; k++) {
			const lc_call *c = p->sites.ptr[fn->first_site + k].call;
			if (c->loop < 0 || (size_t)c->loop >= facts->loops.len || !c->name ||
			    c->off_loop)
				continue;
			const lc_iteration *it = NULL;
			for (size_t r = 0; r < rs->iterations.len && !it; r++)
				if (lc_glob_match(rs->iterations.ptr[r].function, c->name) &&
				    all_conds_hold(rs->iterations.ptr[r].when, rs->iterations.ptr[r].nwhen, c))
					it = &rs->iterations.ptr[r];
			if (!it)
				continue;
			for (uint32_t j = 0; j < fn->nsites; j++) {
				uint32_t si = fn->first_site + j;
				const lc_call *other = p->sites.ptr[si].call;
				if (j == k || !loop_within(facts, other->loop, c->loop))
					continue;
				const uint32_t *t;
				size_t nt = lc_site_targets(p, &p->sites.ptr[si], &t, &scratch);
				for (size_t x = 0; x < nt; x++) {
					if (!p->fns.ptr[t[x]].def)
						continue;
					entry e = { t[x], LC_CTX_LOOP, c->name, "work between loop iterations",
						    it->profile, it->family, LC_NONE, -1, si };
					lc_vec_push(&s->entries, e);
				}
			}
		}
	}
}

static void find_entries(solver *s)
{
	const lc_program *p = s->p;
	const lc_ruleset *rs = s->rs;
	for (size_t f = 0; f < p->fns.len; f++) {
		const lc_fn *fn = &p->fns.ptr[f];
		for (size_t r = 0; r < rs->registrars.len; r++) {
			const lc_registrar *reg = &rs->registrars.ptr[r];
			if (!lc_glob_match(reg->function, fn->name))
				continue;
			uint32_t slot = lc_program_param_slot(p, fn->key, reg->arg);
			if (slot != LC_NONE)
				add_slot_entries(s, slot, reg->context, fn->name, reg->kind,
						 reg->profile, reg->family, reg->arg);
		}
	}
	for (size_t f = 0; f < p->fns.len; f++) {
		const lc_fn *fn = &p->fns.ptr[f];
		for (size_t r = 0; fn->def && r < rs->entry_fns.len; r++) {
			const lc_entry_fn *ef = &rs->entry_fns.ptr[r];
			if (!lc_glob_match(ef->function, fn->name))
				continue;
			entry e = { (uint32_t)f, ef->context, ef->family ? ef->family : "the library",
				    ef->kind, ef->profile, ef->family, LC_NONE, -1, LC_NONE };
			lc_vec_push(&s->entries, e);
		}
	}
	for (size_t sl = 0; sl < p->slots.len; sl++) {
		const char *key = p->slots.ptr[sl].key;
		if (!strchr(key, '.') || strchr(key, '#'))
			continue;
		size_t klen = strlen(key);
		bool wildcard = klen > 2 && strcmp(key + klen - 2, ".*") == 0;
		for (size_t r = 0; r < rs->fields.len; r++) {
			const lc_field_entry *fe = &rs->fields.ptr[r];
			/* "T.*" holds what brace elision stored somewhere in a T: it
			 * is in every callback field of T (once per slot). */
			bool match = wildcard ? strncmp(fe->field, key, klen - 1) == 0
					      : lc_glob_match(fe->field, key);
			if (!match)
				continue;
			add_slot_entries(s, (uint32_t)sl, fe->context, wildcard ? fe->field : key,
					 fe->kind, fe->profile, fe->family, -1);
			if (wildcard)
				break;
		}
	}
	add_iteration_entries(s);
	sort_program = p;
	if (s->entries.len > 1)
		qsort(s->entries.ptr, s->entries.len, sizeof(entry), entry_cmp);
	sort_program = NULL;
}

/* ---- descriptors ---------------------------------------------------------- */

static void mark_fd(solver *s, const char *key, unsigned char flags)
{
	int added;
	uint32_t id = lc_strmap_intern(&s->fd_keys, key, &added);
	if (added)
		lc_vec_push(&s->fd_flags, 0);
	s->fd_flags.ptr[id] |= flags;
}

/* An argument value as seen at one call, after following parameters back
 * to the calls that supply them: fprintf(f, ...) in a helper whose every
 * caller passes stderr is logging, not file I/O. */
typedef struct arg_leaf {
	const lc_call *call;
	int arg;
} arg_leaf;

typedef LC_VEC(arg_leaf) leaf_vec;

enum { RESOLVE_DEPTH = 4, RESOLVE_LEAVES = 64 };

static void resolve_arg(solver *s, const lc_call *call, int arg, uint32_t caller, int depth,
			leaf_vec *out)
{
	if (out->len >= RESOLVE_LEAVES)
		return;
	const lc_value *v = arg >= 0 && (unsigned)arg < call->nargs ? &call->args[arg] : NULL;
	if (v && v->kind == LC_VAL_PARAM && caller != LC_NONE && depth < RESOLVE_DEPTH &&
	    s->callers_first[caller] != s->callers_first[caller + 1]) {
		for (uint32_t k = s->callers_first[caller]; k < s->callers_first[caller + 1]; k++) {
			const lc_site *site = &s->p->sites.ptr[s->callers[k]];
			resolve_arg(s, site->call, v->param, site->caller, depth + 1, out);
		}
		return;
	}
	arg_leaf leaf = { call, arg };
	lc_vec_push(out, leaf);
}

/* c's own tests (not its "and" part) on one value of the argument. */
static bool cond_at(const lc_cond *c, const arg_leaf *leaf)
{
	lc_cond moved = *c;
	moved.arg = leaf->arg;
	moved.nand = 0;
	return lc_cond_holds(&moved, leaf->call->args, leaf->call->nargs);
}

/* `all`: the condition holds for every value the argument may have (used for
 * "unless"); otherwise for at least one (used for "when"). */
static bool cond_resolved(solver *s, const lc_cond *c, const lc_call *call, uint32_t caller,
			  bool all)
{
	leaf_vec leaves = { 0 };
	resolve_arg(s, call, c->arg, caller, 0, &leaves);
	bool result = all && leaves.len > 0;
	for (size_t i = 0; i < leaves.len; i++) {
		bool h = cond_at(c, &leaves.ptr[i]);
		if (all && !h) {
			result = false;
			break;
		}
		if (!all && h) {
			result = true;
			break;
		}
	}
	lc_vec_free(&leaves);
	for (size_t i = 0; result && i < c->nand; i++)
		result = cond_resolved(s, &c->and[i], call, caller, all);
	return result;
}

static bool any_cond_holds(const lc_cond *c, size_t n, const lc_call *call)
{
	for (size_t i = 0; i < n; i++)
		if (lc_cond_holds(&c[i], call->args, call->nargs))
			return true;
	return false;
}

static bool all_conds_hold(const lc_cond *c, size_t n, const lc_call *call)
{
	for (size_t i = 0; i < n; i++)
		if (!lc_cond_holds(&c[i], call->args, call->nargs))
			return false;
	return true;
}

/* Classify every descriptor-holding variable and field in the program:
 * where it comes from (open, socket, accept...) and whether anything makes
 * it non-blocking. Flow-insensitive: one classification per key. */
static void classify_descriptors(solver *s)
{
	const lc_program *p = s->p;
	for (size_t i = 0; i < p->sites.len; i++) {
		const lc_call *c = p->sites.ptr[i].call;
		if (c->kind != LC_CALL_DIRECT || !c->name)
			continue;
		if (c->result_to.kind == LC_VAL_VAR || c->result_to.kind == LC_VAL_FIELD) {
			const lc_fd_source *src = lc_ruleset_fd_source(s->rs, c->name);
			if (src) {
				unsigned char fl = src->is_socket ? FD_BLOCKING_SOCKET : FD_FILE;
				if (src->is_socket &&
				    !any_cond_holds(src->datagram_if, src->ndatagram_if, c))
					fl |= FD_STREAM;
				if (any_cond_holds(src->nonblocking_if, src->nnonblocking_if, c))
					fl = FD_NONBLOCKING;
				mark_fd(s, c->result_to.key, fl);
			}
		}
		size_t from = 0;
		const lc_fd_setter *set;
		while ((set = lc_ruleset_fd_setter(s->rs, c->name, &from))) {
			if (set->fd_arg < 0 || (unsigned)set->fd_arg >= c->nargs ||
			    !all_conds_hold(set->when, set->nwhen, c))
				continue;
			/* The descriptor may come through a helper's parameter
			 * (anetNonBlock(fd) -> fcntl(fd, ...)): mark what every
			 * caller passes. */
			leaf_vec leaves = { 0 };
			resolve_arg(s, c, set->fd_arg, p->sites.ptr[i].caller, 0, &leaves);
			for (size_t k = 0; k < leaves.len; k++) {
				const arg_leaf *l = &leaves.ptr[k];
				if (l->arg < 0 || (unsigned)l->arg >= l->call->nargs)
					continue;
				const lc_value *fd = &l->call->args[l->arg];
				if ((fd->kind == LC_VAL_VAR || fd->kind == LC_VAL_FIELD) && fd->key)
					mark_fd(s, fd->key, FD_NONBLOCKING);
			}
			lc_vec_free(&leaves);
		}
	}
}

/* FD_FILE or FD_BLOCKING_SOCKET when the descriptor is known to block (and,
 * with `stream_only`, may be a stream socket), else 0. */
static unsigned fd_value_blocks(solver *s, const lc_value *fd, bool stream_only)
{
	if (fd->kind == LC_VAL_CALL && fd->name) {
		const lc_fd_source *src = lc_ruleset_fd_source(s->rs, fd->name);
		return src && !src->is_socket ? FD_FILE : 0;
	}
	if ((fd->kind != LC_VAL_VAR && fd->kind != LC_VAL_FIELD) || !fd->key)
		return 0;
	uint32_t id = lc_strmap_get(&s->fd_keys, fd->key);
	if (id == LC_NONE)
		return 0;
	unsigned char fl = s->fd_flags.ptr[id];
	if (fl & FD_NONBLOCKING)
		return 0;
	if (stream_only && !(fl & FD_STREAM))
		return 0;
	return fl & FD_FILE ? FD_FILE : fl & FD_BLOCKING_SOCKET;
}

static unsigned fd_blocks(solver *s, const lc_call *call, int arg, uint32_t caller,
			  bool stream_only)
{
	leaf_vec leaves = { 0 };
	resolve_arg(s, call, arg, caller, 0, &leaves);
	unsigned blocks = 0;
	for (size_t i = 0; i < leaves.len && !blocks; i++) {
		const arg_leaf *l = &leaves.ptr[i];
		if (l->arg >= 0 && (unsigned)l->arg < l->call->nargs)
			blocks = fd_value_blocks(s, &l->call->args[l->arg], stream_only);
	}
	lc_vec_free(&leaves);
	return blocks;
}

/* The catalogue entry a call matches, if its conditions hold. *fd_kind
 * tells what kind of descriptor made an fd_arg entry match. */
static const lc_blocking *match_blocking(solver *s, const char *name, const lc_call *call,
					 uint32_t caller, unsigned *fd_kind)
{
	size_t from = 0;
	const lc_blocking *b;
	*fd_kind = 0;
	while ((b = lc_ruleset_blocking(s->rs, name, &from))) {
		bool ok = true;
		for (size_t i = 0; ok && i < b->nwhen; i++)
			ok = cond_resolved(s, &b->when[i], call, caller, false);
		for (size_t i = 0; ok && i < b->nunless; i++)
			ok = !cond_resolved(s, &b->unless[i], call, caller, true);
		if (ok && b->fd_arg >= 0)
			ok = (*fd_kind = fd_blocks(s, call, b->fd_arg, caller, b->fd_stream_only)) != 0;
		if (ok)
			return b;
	}
	return NULL;
}

/* Direct call sites by callee, for following parameters back. */
static void index_callers(solver *s)
{
	const lc_program *p = s->p;
	s->callers_first = lc_xcalloc(p->fns.len + 1, sizeof(uint32_t));
	for (size_t i = 0; i < p->sites.len; i++)
		if (p->sites.ptr[i].callee != LC_NONE)
			s->callers_first[p->sites.ptr[i].callee + 1]++;
	for (size_t f = 0; f < p->fns.len; f++)
		s->callers_first[f + 1] += s->callers_first[f];
	s->callers = lc_xmalloc((s->callers_first[p->fns.len] + 1) * sizeof(uint32_t));
	uint32_t *fill = lc_xcalloc(p->fns.len + 1, sizeof(uint32_t));
	for (size_t i = 0; i < p->sites.len; i++) {
		uint32_t c = p->sites.ptr[i].callee;
		if (c != LC_NONE)
			s->callers[s->callers_first[c] + fill[c]++] = (uint32_t)i;
	}
	free(fill);
}

/* ---- reachability ------------------------------------------------------- */

/* The functions a site may call. A call through a parameter of a function
 * on the loop calls only what loop code passes for that parameter: a
 * generic apply(list, fn) called with count_one from a timer and with
 * remove_file from main after the loop must not make the timer reach
 * remove_file. */
/* A call through a parameter of the function it is in. */
static bool calls_own_parameter(const lc_program *p, const lc_site *site)
{
	return site->slot != LC_NONE && site->caller != LC_NONE &&
	       p->slots.ptr[site->slot].param_fn == site->caller;
}

static size_t site_targets(const solver *s, const lc_site *site, const uint32_t **out,
			   uint32_t *scratch)
{
	if (s->skip && s->skip[site - s->p->sites.ptr]) {
		*out = NULL;
		return 0;
	}
	if (s->passed && calls_own_parameter(s->p, site) && s->on_loop[site->caller] &&
	    !site->call->off_loop) {
		*out = s->passed[site->slot].ptr;
		return s->passed[site->slot].len;
	}
	return lc_site_targets(s->p, site, out, scratch);
}

/* Index parameter slots by function and calls through them by slot. */
static void index_parameters(solver *s)
{
	const lc_program *p = s->p;
	size_t nf = p->fns.len, ns = p->slots.len;
	s->passed = lc_xcalloc(ns ? ns : 1, sizeof(*s->passed));
	s->passed_at = lc_xcalloc(ns ? ns : 1, sizeof(*s->passed_at));
	s->walked = lc_xcalloc(nf ? nf : 1, 1);
	s->through_param = lc_xmalloc((nf ? nf : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < nf; i++)
		s->through_param[i] = LC_NONE;
	s->pslots_first = lc_xcalloc(nf + 1, sizeof(uint32_t));
	s->psites_first = lc_xcalloc(ns + 1, sizeof(uint32_t));
	for (size_t i = 0; i < ns; i++)
		if (p->slots.ptr[i].param_fn != LC_NONE)
			s->pslots_first[p->slots.ptr[i].param_fn + 1]++;
	for (size_t i = 0; i < p->sites.len; i++)
		if (p->sites.ptr[i].slot != LC_NONE)
			s->psites_first[p->sites.ptr[i].slot + 1]++;
	for (size_t f = 0; f < nf; f++)
		s->pslots_first[f + 1] += s->pslots_first[f];
	for (size_t i = 0; i < ns; i++)
		s->psites_first[i + 1] += s->psites_first[i];
	s->pslots = lc_xmalloc((s->pslots_first[nf] + 1) * sizeof(uint32_t));
	s->psites = lc_xmalloc((s->psites_first[ns] + 1) * sizeof(uint32_t));
	uint32_t *fill = lc_xcalloc((nf > ns ? nf : ns) + 1, sizeof(uint32_t));
	for (size_t i = 0; i < ns; i++) {
		uint32_t f = p->slots.ptr[i].param_fn;
		if (f != LC_NONE)
			s->pslots[s->pslots_first[f] + fill[f]++] = (uint32_t)i;
	}
	memset(fill, 0, ((nf > ns ? nf : ns) + 1) * sizeof(uint32_t));
	for (size_t i = 0; i < p->sites.len; i++) {
		uint32_t sl = p->sites.ptr[i].slot;
		if (sl != LC_NONE)
			s->psites[s->psites_first[sl] + fill[sl]++] = (uint32_t)i;
	}
	free(fill);
}

static uint32_t param_slot_of(const solver *s, uint32_t fn, unsigned index)
{
	for (uint32_t k = s->pslots_first[fn]; k < s->pslots_first[fn + 1]; k++)
		if (s->p->slots.ptr[s->pslots[k]].param_index == index)
			return s->pslots[k];
	return LC_NONE;
}

/* Function `fn` handed to parameter slot `slot` by loop code at `site`. */
typedef struct passing {
	uint32_t slot, fn, site;
} passing;

typedef struct walk {
	solver *s;
	uint32_t *queue;
	size_t tail;
	LC_VEC(passing) pending;
} walk;

/* `v` is called from loop code: at `via_site` in function `from`. */
static bool reach(walk *w, uint32_t v, uint32_t via_site, uint32_t from)
{
	solver *s = w->s;
	const lc_program *p = s->p;
	if (s->on_loop[v] || !p->fns.ptr[v].def || s->allowed[v] || s->opaque[v])
		return false;
	s->on_loop[v] = 1;
	s->parent_site[v] = via_site;
	s->root[v] = s->root[from];
	w->queue[w->tail++] = v;
	return true;
}

static void pass(walk *w, uint32_t slot, uint32_t fn, uint32_t site)
{
	if (slot != LC_NONE && fn != LC_NONE &&
	    lc_u64set_insert(&w->s->passed_set, (uint64_t)slot << 32 | fn))
		lc_vec_push(&w->pending, ((passing){ slot, fn, site }));
}

/* What site `si` hands to callee `t`: functions named as arguments, and
 * what fields and variables given as arguments hold. A parameter handed
 * on is followed from the parameter's own slot (slot flows). */
static void pass_arguments(walk *w, uint32_t si, uint32_t t)
{
	const lc_program *p = w->s->p;
	const lc_call *c = p->sites.ptr[si].call;
	if (w->s->pslots_first[t] == w->s->pslots_first[t + 1])
		return;
	for (unsigned a = 0; a < c->nargs; a++) {
		const lc_value *v = &c->args[a];
		if (!v->key || (v->kind != LC_VAL_FUNC && v->kind != LC_VAL_FIELD &&
				v->kind != LC_VAL_VAR))
			continue;
		uint32_t ps = param_slot_of(w->s, t, a);
		if (ps == LC_NONE)
			continue;
		if (v->kind == LC_VAL_FUNC) {
			pass(w, ps, lc_strmap_get(&p->fn_ids, v->key), si);
			continue;
		}
		uint32_t from = lc_strmap_get(&p->slot_ids, v->key);
		const uint32_t *held;
		size_t n = from == LC_NONE ? 0 : lc_slot_targets(p, from, &held);
		for (size_t k = 0; k < n; k++)
			pass(w, ps, held[k], si);
	}
}

/* The calls through parameter pg.slot in `owner` (walked) call pg.fn. Its
 * chain runs through the site that passed it: the loop code that chose it. */
static void call_passed(walk *w, uint32_t owner, passing pg)
{
	solver *s = w->s;
	const lc_program *p = s->p;
	for (uint32_t k = s->psites_first[pg.slot]; k < s->psites_first[pg.slot + 1]; k++) {
		uint32_t si = s->psites[k];
		if (p->sites.ptr[si].caller != owner || p->sites.ptr[si].call->off_loop)
			continue;
		if (reach(w, pg.fn, pg.site, p->sites.ptr[pg.site].caller))
			s->through_param[pg.fn] = si;
		pass_arguments(w, si, pg.fn);
	}
}

/* Deliver pending (slot, function) pairs: the function becomes a target of
 * the calls through that parameter in functions already walked, and flows
 * on to the parameters the slot is handed to. */
static void deliver(walk *w)
{
	solver *s = w->s;
	const lc_program *p = s->p;
	while (w->pending.len) {
		passing pg = w->pending.ptr[--w->pending.len];
		lc_vec_push(&s->passed[pg.slot], pg.fn);
		lc_vec_push(&s->passed_at[pg.slot], pg.site);
		uint32_t owner = p->slots.ptr[pg.slot].param_fn;
		if (s->walked[owner])
			call_passed(w, owner, pg);
		const lc_slot *sl = &p->slots.ptr[pg.slot];
		for (size_t k = 0; k < sl->succ.len; k++)
			if (p->slots.ptr[sl->succ.ptr[k]].param_fn != LC_NONE &&
			    !s->allowed[owner] && !s->opaque[owner])
				pass(w, sl->succ.ptr[k], pg.fn, pg.site);
	}
}

/* Breadth first from the loop entries, so each function's parent site
 * gives a shortest chain. */
static void walk_loop(solver *s)
{
	const lc_program *p = s->p;
	size_t n = p->fns.len ? p->fns.len : 1;
	s->parent_site = lc_xmalloc(n * sizeof(uint32_t));
	s->root = lc_xmalloc(n * sizeof(uint32_t));
	s->on_loop = lc_xcalloc(n, 1);
	for (size_t i = 0; i < p->fns.len; i++)
		s->parent_site[i] = s->root[i] = LC_NONE;
	index_parameters(s);
	walk w = { s, lc_xmalloc(n * sizeof(uint32_t)), 0, { 0 } };
	for (size_t e = 0; e < s->entries.len; e++) {
		const entry *en = &s->entries.ptr[e];
		if (en->context != LC_CTX_LOOP || s->on_loop[en->fn] || s->allowed[en->fn])
			continue;
		s->on_loop[en->fn] = 1;
		s->root[en->fn] = (uint32_t)e;
		w.queue[w.tail++] = en->fn;
	}
	uint32_t scratch;
	for (size_t head = 0; head < w.tail; head++) {
		uint32_t u = w.queue[head];
		const lc_fn *fn = &p->fns.ptr[u];
		s->walked[u] = 1;
		/* Calls through u's parameters call what loop code passed so far
		 * (later passings are delivered to them as they come). */
		for (uint32_t k = s->pslots_first[u]; k < s->pslots_first[u + 1]; k++) {
			uint32_t ps = s->pslots[k];
			for (size_t i = 0; i < s->passed[ps].len; i++)
				call_passed(&w, u, (passing){ ps, s->passed[ps].ptr[i],
							      s->passed_at[ps].ptr[i] });
		}
		deliver(&w);
		for (uint32_t k = 0; k < fn->nsites; k++) {
			uint32_t si = fn->first_site + k;
			if (calls_own_parameter(p, &p->sites.ptr[si]))
				continue; /* call_passed's */
			const uint32_t *t;
			size_t nt = site_targets(s, &p->sites.ptr[si], &t, &scratch);
			for (size_t j = 0; j < nt; j++) {
				uint32_t v = t[j];
				reach(&w, v, si, u);
				pass_arguments(&w, si, v);
			}
			deliver(&w);
		}
	}
	free(w.queue);
	lc_vec_free(&w.pending);
}

static void free_walk(solver *s)
{
	for (size_t i = 0; s->passed && i < s->p->slots.len; i++) {
		lc_vec_free(&s->passed[i]);
		lc_vec_free(&s->passed_at[i]);
	}
	free(s->passed);
	free(s->passed_at);
	free(s->through_param);
	lc_u64set_free(&s->passed_set);
	free(s->pslots_first);
	free(s->pslots);
	free(s->psites_first);
	free(s->psites);
	free(s->walked);
	free(s->parent_site);
	free(s->root);
	free(s->on_loop);
	s->passed = NULL;
	s->passed_at = NULL;
	s->through_param = s->pslots_first = s->pslots = s->psites_first = s->psites = NULL;
	s->walked = s->on_loop = NULL;
	s->parent_site = s->root = NULL;
}

/* May loop code let a call guarded by parameter test `guard` in function
 * `fn` run? Only direct calls from the loop tell: a loop entry, or a
 * function whose address is taken, may get any value. */
static bool guard_may_hold(const solver *s, uint32_t fn, int guard, const unsigned char *open)
{
	if (open[fn])
		return true;
	unsigned idx = (unsigned)(guard < 0 ? -guard : guard) - 1;
	bool any = false;
	for (uint32_t k = s->callers_first[fn]; k < s->callers_first[fn + 1]; k++) {
		uint32_t si = s->callers[k];
		const lc_site *site = &s->p->sites.ptr[si];
		if (site->caller == LC_NONE || !s->on_loop[site->caller] || site->call->off_loop ||
		    (s->skip && s->skip[si]))
			continue;
		any = true;
		const lc_value *v = idx < site->call->nargs ? &site->call->args[idx] : NULL;
		if (!v || !(v->has_ival || v->kind == LC_VAL_NULL))
			return true;
		long long value = v->kind == LC_VAL_NULL ? 0 : v->ival;
		if ((guard > 0) == (value != 0))
			return true;
	}
	return !any;
}

/* Calls under a parameter test that every loop caller fails
 * (stop_crawler(NOWAIT) on the loop; `if (wait && pthread_join(...))`)
 * do not run on the loop: skip them and walk again, until nothing changes
 * (skipping can only take functions off the loop, never add them). */
static void prune_guarded_calls(solver *s)
{
	const lc_program *p = s->p;
	unsigned char *open = lc_xcalloc(p->fns.len ? p->fns.len : 1, 1);
	for (size_t e = 0; e < s->entries.len; e++)
		open[s->entries.ptr[e].fn] = 1;
	for (size_t i = 0; i < p->slots.len; i++)
		for (size_t k = 0; k < p->slots.ptr[i].values.len; k++)
			open[p->slots.ptr[i].values.ptr[k].fn] = 1;
	for (int round = 0; round < 8; round++) {
		bool changed = false;
		for (uint32_t u = 0; u < p->fns.len; u++) {
			const lc_fn *fn = &p->fns.ptr[u];
			if (!s->on_loop[u])
				continue;
			for (uint32_t k = 0; k < fn->nsites; k++) {
				uint32_t si = fn->first_site + k;
				int guard = p->sites.ptr[si].call->guard;
				if (!guard || (s->skip && s->skip[si]) || guard_may_hold(s, u, guard, open))
					continue;
				if (!s->skip)
					s->skip = lc_xcalloc(p->sites.len ? p->sites.len : 1, 1);
				s->skip[si] = 1;
				changed = true;
			}
		}
		if (!changed)
			break;
		free_walk(s);
		walk_loop(s);
	}
	free(open);
}

/* The loop-thread call edges of function u: defined, not allowed targets. */
#define FOR_EACH_LOOP_EDGE(s, u, v, body)                                                \
	do {                                                                             \
		const lc_fn *fe_fn_ = &(s)->p->fns.ptr[u];                               \
		uint32_t fe_scratch_;                                                    \
		for (uint32_t fe_k_ = 0; fe_k_ < fe_fn_->nsites; fe_k_++) {              \
			const uint32_t *fe_t_;                                           \
			size_t fe_nt_ = site_targets(                                    \
				(s), &(s)->p->sites.ptr[fe_fn_->first_site + fe_k_],     \
				&fe_t_, &fe_scratch_);                                   \
			for (size_t fe_j_ = 0; fe_j_ < fe_nt_; fe_j_++) {                \
				uint32_t v = fe_t_[fe_j_];                               \
				if (!(s)->p->fns.ptr[v].def || (s)->allowed[v])          \
					continue;                                        \
				body;                                                    \
			}                                                                \
		}                                                                        \
	} while (0)

/* Strongly connected components of the loop-thread graph (iterative
 * Tarjan). Returns the component of each function (LC_NONE off the loop)
 * and the components' count; components are numbered in reverse
 * topological order (callees before callers). */
static uint32_t *loop_components(solver *s, uint32_t *ncomp)
{
	const lc_program *p = s->p;
	size_t n = p->fns.len ? p->fns.len : 1;
	uint32_t *comp = lc_xmalloc(n * sizeof(uint32_t));
	uint32_t *index = lc_xmalloc(n * sizeof(uint32_t));
	uint32_t *low = lc_xmalloc(n * sizeof(uint32_t));
	unsigned char *on_stack = lc_xcalloc(n, 1);
	uint32_t *stack = lc_xmalloc(n * sizeof(uint32_t));
	/* Explicit call stack: (function, next site, next target). */
	typedef struct frame {
		uint32_t fn, site, target;
	} frame;
	frame *frames = lc_xmalloc(n * sizeof(frame));
	for (size_t i = 0; i < p->fns.len; i++)
		comp[i] = index[i] = LC_NONE;
	uint32_t next_index = 0, sp = 0, nc = 0, scratch;
	for (uint32_t root = 0; root < p->fns.len; root++) {
		if (!s->on_loop[root] || index[root] != LC_NONE)
			continue;
		size_t depth = 0;
		frames[depth++] = (frame){ root, 0, 0 };
		index[root] = low[root] = next_index++;
		stack[sp++] = root;
		on_stack[root] = 1;
		while (depth) {
			frame *fr = &frames[depth - 1];
			const lc_fn *fn = &p->fns.ptr[fr->fn];
			bool descended = false;
			while (fr->site < fn->nsites && !descended) {
				const uint32_t *t;
				size_t nt = site_targets(s, &p->sites.ptr[fn->first_site + fr->site], &t,
							    &scratch);
				while (fr->target < nt) {
					uint32_t v = t[fr->target++];
					if (!p->fns.ptr[v].def || s->allowed[v] || !s->on_loop[v])
						continue;
					if (index[v] == LC_NONE) {
						index[v] = low[v] = next_index++;
						stack[sp++] = v;
						on_stack[v] = 1;
						frames[depth++] = (frame){ v, 0, 0 };
						descended = true;
						break;
					}
					if (on_stack[v] && index[v] < low[fr->fn])
						low[fr->fn] = index[v];
				}
				if (!descended) {
					fr->site++;
					fr->target = 0;
				}
			}
			if (descended)
				continue;
			uint32_t u = fr->fn;
			if (low[u] == index[u]) {
				uint32_t w;
				do {
					w = stack[--sp];
					on_stack[w] = 0;
					comp[w] = nc;
				} while (w != u);
				nc++;
			}
			depth--;
			if (depth && low[u] < low[frames[depth - 1].fn])
				low[frames[depth - 1].fn] = low[u];
		}
	}
	free(index);
	free(low);
	free(on_stack);
	free(stack);
	free(frames);
	*ncomp = nc;
	return comp;
}

/* How many distinct loop entries reach each function: entry bits are
 * pushed along the component DAG, 64 entries per pass, so the cost is
 * (entries / 64) x (functions + edges). */
static size_t *count_reaching(solver *s)
{
	const lc_program *p = s->p;
	size_t n = p->fns.len ? p->fns.len : 1;
	size_t *count = lc_xcalloc(n, sizeof(size_t));
	uint32_t ncomp;
	uint32_t *comp = loop_components(s, &ncomp);
	/* Functions grouped by component, components in topological order. */
	uint32_t *first = lc_xcalloc((size_t)ncomp + 1, sizeof(uint32_t));
	for (size_t f = 0; f < p->fns.len; f++)
		if (comp[f] != LC_NONE)
			first[comp[f] + 1]++;
	for (uint32_t c = 0; c < ncomp; c++)
		first[c + 1] += first[c];
	uint32_t *members = lc_xmalloc(n * sizeof(uint32_t));
	uint32_t *fill = lc_xcalloc((size_t)ncomp + 1, sizeof(uint32_t));
	for (uint32_t f = 0; f < p->fns.len; f++)
		if (comp[f] != LC_NONE)
			members[first[comp[f]] + fill[comp[f]]++] = f;
	free(fill);

	LC_VEC(uint32_t) roots = { 0 };
	unsigned char *seen = lc_xcalloc(n, 1);
	for (size_t e = 0; e < s->entries.len; e++) {
		const entry *en = &s->entries.ptr[e];
		if (en->context == LC_CTX_LOOP && !seen[en->fn] && comp[en->fn] != LC_NONE) {
			seen[en->fn] = 1;
			lc_vec_push(&roots, en->fn);
		}
	}
	free(seen);
	uint64_t *bits = lc_xmalloc(((size_t)ncomp + 1) * sizeof(uint64_t));
	for (size_t chunk = 0; chunk < roots.len; chunk += 64) {
		memset(bits, 0, ((size_t)ncomp + 1) * sizeof(uint64_t));
		for (size_t k = chunk; k < roots.len && k < chunk + 64; k++)
			bits[comp[roots.ptr[k]]] |= 1ULL << (k - chunk);
		/* Tarjan numbers callees first: walk from the highest component. */
		for (uint32_t c = ncomp; c-- > 0;) {
			if (!bits[c])
				continue;
			unsigned pop = (unsigned)__builtin_popcountll(bits[c]);
			for (uint32_t m = first[c]; m < first[c + 1]; m++) {
				uint32_t u = members[m];
				count[u] += pop;
				FOR_EACH_LOOP_EDGE(s, u, v, {
					if (comp[v] != c && comp[v] != LC_NONE)
						bits[comp[v]] |= bits[c];
				});
			}
		}
	}
	free(bits);
	lc_vec_free(&roots);
	free(members);
	free(first);
	free(comp);
	return count;
}

/* ---- findings ------------------------------------------------------------ */

static const char *fn_name(const lc_program *p, uint32_t fn)
{
	return fn == LC_NONE ? "(file scope)" : p->fns.ptr[fn].name;
}

static char *arena_printf(lc_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *arena_printf(lc_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return lc_arena_strdup(a, "");
	char *r = lc_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return r;
}

/* The chain from entry `e` down to `caller`: registration, callback, each
 * call; `last` (the finding's own step) is appended. */
static void build_chain(solver *s, lc_finding *f, uint32_t caller, const entry *e,
			const char *thread, const lc_step *last)
{
	const lc_program *p = s->p;
	lc_arena *a = s->r->arena;
	LC_VEC(uint32_t) path = { 0 };
	for (uint32_t v = caller; s->parent_site[v] != LC_NONE;
	     v = p->sites.ptr[s->parent_site[v]].caller)
		lc_vec_push(&path, s->parent_site[v]);
	size_t n = path.len + 3;
	f->chain = lc_arena_alloc(a, n * sizeof(lc_step));
	size_t k = 0;
	lc_step *st;
	const char *cb = p->fns.ptr[e->fn].name;
	if (e->between != LC_NONE) {
		const lc_site *ds = &p->sites.ptr[e->between];
		st = &f->chain[k++];
		st->kind = LC_STEP_REGISTRATION;
		st->loc = ds->call->loc;
		st->function = fn_name(p, ds->caller);
		st->callee = ds->call->name;
		st->message = arena_printf(a, "%s calls %s between iterations of %s()", st->function,
					   cb, e->registrar);
	} else if (e->origin != LC_NONE) {
		/* Entries the library calls by name have no registration step. */
		st = &f->chain[k++];
		st->kind = LC_STEP_REGISTRATION;
		const lc_origin *o = &p->origins.ptr[e->origin];
		st->loc = o->loc;
		st->function = fn_name(p, o->in_function);
		st->callee = o->through;
		if (o->is_store && strchr(e->registrar, '.'))
			st->message = arena_printf(a, "%s stored in %s (%s) in %s", cb, e->registrar,
						   e->kind, st->function);
		else if (o->is_store)
			st->message = arena_printf(a, "%s stored in %s in %s, then registered as %s with %s()",
						   cb, o->through ? o->through : "a variable", st->function,
						   e->kind, e->registrar);
		else if (o->through && strcmp(o->through, e->registrar) != 0)
			st->message = arena_printf(a, "%s registered as %s with %s() through %s() in %s",
						   cb, e->kind, e->registrar, o->through,
						   st->function);
		else
			st->message = arena_printf(a, "%s registered as %s with %s() in %s", cb,
						   e->kind, e->registrar, st->function);
	}
	st = &f->chain[k++];
	st->kind = LC_STEP_CALLBACK;
	st->loc = p->fns.ptr[e->fn].def->loc;
	st->function = cb;
	st->message = arena_printf(a, "%s %s runs on the %s", e->kind, cb, thread);
	for (size_t i = path.len; i-- > 0;) {
		const lc_site *ps = &p->sites.ptr[path.ptr[i]];
		uint32_t callee = i ? p->sites.ptr[path.ptr[i - 1]].caller : caller;
		st = &f->chain[k++];
		st->kind = LC_STEP_CALL;
		st->loc = ps->call->loc;
		st->function = fn_name(p, ps->caller);
		st->callee = p->fns.ptr[callee].name;
		uint32_t tp = s->through_param[callee];
		if (tp != LC_NONE && s->parent_site[callee] == path.ptr[i]) {
			/* The function was passed here and is called through a
			 * parameter further down. */
			const lc_site *cs = &p->sites.ptr[tp];
			st->message = arena_printf(
				a, "%s calls %s, passing %s, which %s calls through %s", st->function,
				ps->callee != LC_NONE ? p->fns.ptr[ps->callee].name
						      : ps->call->name ? ps->call->name : "a pointer",
				st->callee, fn_name(p, cs->caller),
				cs->call->name ? cs->call->name : "a parameter");
		} else if (ps->callee != LC_NONE)
			st->message = arena_printf(a, "%s calls %s", st->function, st->callee);
		else
			st->message = arena_printf(a, "%s calls %s through %s", st->function,
						   st->callee, ps->call->name ? ps->call->name : "a pointer");
	}
	f->chain[k++] = *last;
	f->nchain = k;
	lc_vec_free(&path);
}

static const char *thread_long(solver *s, const entry *e)
{
	if (e->family && strcmp(e->family, "Node.js") == 0)
		return "Node.js main thread";
	return arena_printf(s->r->arena, "%s loop thread", e->family ? e->family : "event");
}

/* A finding at `loc` in `caller`, which runs on the loop: entry, message
 * ("<lead> runs on the <thread>, reached from <kind> <callback>. <tail>")
 * and chain ending with `last`. */
static lc_finding *loop_finding(solver *s, uint32_t caller, const char *rule, lc_loc loc,
				const char *lead, const char *tail, const lc_step *last)
{
	const lc_program *p = s->p;
	lc_arena *a = s->r->arena;
	const entry *e = &s->entries.ptr[s->root[caller]];
	const lc_rule_info *info = lc_ruleset_rule(s->rs, rule);
	lc_finding f = { 0 };
	f.rule = rule;
	f.severity = info ? info->severity : LC_SEV_WARNING;
	f.category = info && info->category ? info->category : rule;
	f.loc = loc;
	f.function = fn_name(p, caller);
	f.entry.callback = p->fns.ptr[e->fn].name;
	f.entry.registrar = e->registrar;
	f.entry.kind = e->kind;
	f.entry.profile = e->profile;
	f.entry.family = e->family;
	f.entry.context = e->context;
	f.entry.definition = p->fns.ptr[e->fn].def->loc;
	if (e->between != LC_NONE) {
		f.entry.registration = p->sites.ptr[e->between].call->loc;
	} else if (e->origin != LC_NONE) {
		const lc_origin *o = &p->origins.ptr[e->origin];
		f.entry.registration = o->loc;
		if (!o->is_store && o->through && strcmp(o->through, e->registrar) != 0)
			f.entry.via = o->through;
	}
	const char *thread = thread_long(s, e);
	lc_sb msg;
	lc_sb_init(&msg);
	lc_sb_addf(&msg, "%s runs on the %s, reached from %s %s.", lead, thread, e->kind,
		   f.entry.callback);
	if (strcmp(thread, "Node.js main thread") == 0)
		lc_sb_add(&msg, " While it runs, no JavaScript callback can run.");
	if (tail && *tail)
		lc_sb_addf(&msg, " %s", tail);
	f.message = lc_arena_strdup(a, msg.buf);
	lc_sb_release(&msg);
	build_chain(s, &f, caller, e, thread, last);
	lc_vec_push(&s->r->findings, f);
	lc_vec_push(&s->finding_caller, caller);
	return &s->r->findings.ptr[s->r->findings.len - 1];
}

/* The catalogue's alternatives are written in libuv terms; a finding under
 * another loop gets that profile's own advice instead. */
static const char *advice_for(solver *s, uint32_t caller, const char *alternative)
{
	const entry *e = &s->entries.ptr[s->root[caller]];
	if (!alternative || !strstr(alternative, "uv_") || !e->profile ||
	    strcmp(e->profile, "libuv") == 0)
		return alternative;
	const lc_profile_info *pi = lc_ruleset_profile(s->rs, e->profile);
	return pi && pi->advice ? pi->advice : alternative;
}

static void add_finding(solver *s, uint32_t caller, const lc_site *site, const char *callee,
			const lc_blocking *b)
{
	lc_arena *a = s->r->arena;
	const lc_rule_info *info = lc_ruleset_rule(s->rs, b->rule);
	const char *category = b->category ? b->category
				: info && info->category ? info->category : b->rule;
	bool cpu = strncmp(b->rule, "cpu/", 4) == 0;
	const char *alternative = advice_for(s, caller, b->alternative);
	lc_sb tail;
	lc_sb_init(&tail);
	if (b->reason)
		lc_sb_addf(&tail, "%s%s", b->reason,
			   b->reason[0] && b->reason[strlen(b->reason) - 1] == '.' ? "" : ".");
	if (alternative)
		lc_sb_addf(&tail, "%sAlternative: %s%s", tail.len ? " " : "", alternative,
			   alternative[0] && alternative[strlen(alternative) - 1] == '.' ? "" : ".");
	lc_step last = { 0 };
	last.kind = LC_STEP_BLOCKING;
	last.loc = site->call->loc;
	last.function = fn_name(s->p, caller);
	last.callee = callee;
	last.message = b->reason ? arena_printf(a, "%s calls %s(), which blocks: %s", last.function,
						callee, b->reason)
				 : arena_printf(a, "%s calls %s(), which blocks", last.function, callee);
	const char *lead = arena_printf(a, "%s %s %s()", cpu ? "CPU-heavy" : "Blocking", category,
					callee);
	lc_finding *f = loop_finding(s, caller, b->rule, site->call->loc, lead, tail.buf, &last);
	lc_sb_release(&tail);
	if (b->has_severity)
		f->severity = b->severity;
	f->category = category;
	f->reason = b->reason;
	f->alternative = alternative;
	f->callee = callee;
	/* The reported text is the callee, or the macro whose body calls it. */
	const char *shown = site->call->macro ? site->call->macro : callee;
	f->end_column = f->loc.column + (unsigned)strlen(shown);
	/* The thread phrase is the last words of the chain's callback step. */
	const char *thread = strstr(f->chain[1].message, " runs on the ");
	f->summary = arena_printf(a, "%s %s '%s' on the %s", cpu ? "CPU-heavy" : "blocking",
				  category, callee, thread ? thread + 13 : "loop thread");
}

static void collect_findings(solver *s)
{
	const lc_program *p = s->p;
	uint32_t scratch;
	for (uint32_t u = 0; u < p->fns.len; u++) {
		if (!s->on_loop[u])
			continue;
		const lc_fn *fn = &p->fns.ptr[u];
		for (uint32_t k = 0; k < fn->nsites; k++) {
			const lc_site *site = &p->sites.ptr[fn->first_site + k];
			const uint32_t *t;
			size_t nt = site_targets(s, site, &t, &scratch);
			for (size_t j = 0; j < nt; j++) {
				if (s->allowed[t[j]])
					continue;
				const char *name = p->fns.ptr[t[j]].name;
				unsigned fd_kind;
				const lc_blocking *b = match_blocking(s, name, site->call, u, &fd_kind);
				if (!b)
					continue;
				lc_blocking on_socket;
				if (fd_kind == FD_BLOCKING_SOCKET && strcmp(b->rule, "blocking/file-io") == 0) {
					/* read()/write() are catalogued as file I/O; on a
					 * blocking socket they wait for the peer instead. */
					on_socket = *b;
					on_socket.rule = "blocking/network";
					on_socket.category = NULL;
					on_socket.reason = arena_printf(s->r->arena,
						"%s() on a blocking socket waits for the peer", name);
					on_socket.alternative = "uv_read_start()/uv_write() on a uv_tcp_t, or a socket made non-blocking (SOCK_NONBLOCK, O_NONBLOCK)";
					b = &on_socket;
				}
				add_finding(s, u, site, name, b);
				break; /* one finding per call site */
			}
		}
	}
}

/* A loop condition "i < r->nitems" split into the counter ("i") and the
 * bound ("r->nitems"); false if it is not of that shape. */
static bool split_bound(const char *cond, char *var, size_t nvar, const char **bound)
{
	const char *op = strpbrk(cond, "<>!=");
	if (!op || op == cond)
		return false;
	const char *end = op;
	while (end > cond && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	const char *start = end;
	while (start > cond && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
		start--;
	if (start == end || (size_t)(end - start) >= nvar || start != cond)
		return false;
	memcpy(var, start, (size_t)(end - start));
	var[end - start] = '\0';
	op += strspn(op, "<>!=");
	*bound = op + strspn(op, " \t");
	return **bound != '\0';
}

/* Does `text` use identifier `id` as a whole word? */
static bool mentions(const char *text, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = strstr(text, id); p; p = strstr(p + 1, id)) {
		bool before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* Two nested loops are quadratic in one quantity when they run to the same
 * bound (i < n, j < n) or the inner bound moves with the outer counter
 * (j < i, j < i + k). Different bounds (rows and columns of a screen, a
 * canvas's height and width) make an n*m walk over a 2-D structure. */
static bool one_quantity(const lc_loop *outer, const lc_loop *inner)
{
	char ov[64], iv[64];
	const char *ob, *ib;
	if (!outer->bound_text || !inner->bound_text ||
	    !split_bound(outer->bound_text, ov, sizeof ov, &ob) ||
	    !split_bound(inner->bound_text, iv, sizeof iv, &ib))
		return true; /* shapes not understood: keep the finding */
	return strcmp(ob, ib) == 0 || mentions(ib, ov);
}

/* cpu/hotspot: nested loops whose bounds all depend on runtime data, at the
 * outermost such loop (intra-procedural: a loop calling a function that
 * loops is not counted). */
static void collect_loop_hotspots(solver *s, unsigned min_depth)
{
	const lc_program *p = s->p;
	lc_arena *a = s->r->arena;
	if (min_depth < 2)
		min_depth = 2;
	for (uint32_t u = 0; u < p->fns.len; u++) {
		const lc_fn *fn = &p->fns.ptr[u];
		if (!s->on_loop[u] || !fn->def)
			continue;
		const lc_facts *f = p->facts[fn->tu];
		/* A function's loops are contiguous (extraction walks one body at a
		 * time): find them by binary search, not by scanning the TU. */
		size_t lo = 0, hi = f->loops.len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (f->loops.ptr[mid].function < fn->local)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t end = lo;
		while (end < f->loops.len && f->loops.ptr[end].function == fn->local)
			end++;
		if (lo == end)
			continue;
		/* Per outermost data-bounded loop: its deepest data-bounded nest. */
		unsigned *best_depth = lc_xcalloc(end - lo, sizeof(unsigned)); /* by loop - lo */
		size_t *best_inner = lc_xcalloc(end - lo, sizeof(size_t));
		for (size_t i = lo; i < end; i++) {
			const lc_loop *l = &f->loops.ptr[i];
			if (!l->bound_is_data)
				continue;
			unsigned depth = 0;
			int outer = -1;
			for (int k = (int)i; k >= 0; k = f->loops.ptr[k].parent)
				if (f->loops.ptr[k].bound_is_data) {
					depth++;
					outer = k;
				}
			if (depth > best_depth[outer - (int)lo]) {
				best_depth[outer - (int)lo] = depth;
				best_inner[outer - (int)lo] = i;
			}
		}
		for (size_t outer = lo; outer < end; outer++) {
			unsigned depth = best_depth[outer - lo];
			if (depth < min_depth)
				continue;
			const lc_loop *inner = &f->loops.ptr[best_inner[outer - lo]];
			const lc_loop *ol = &f->loops.ptr[outer];
			const char *ob = ol->bound_text ? ol->bound_text : "runtime data";
			const char *ib = inner->bound_text ? inner->bound_text : "runtime data";
			/* Two loops over two sizes walk a 2-D structure once. */
			if (depth == 2 && !one_quantity(ol, inner))
				continue;
			const char *order = depth == 2 ? "O(n^2)" : arena_printf(a, "O(n^%u)", depth);
			lc_step last = { 0 };
			last.kind = LC_STEP_BLOCKING;
			last.loc = ol->loc;
			last.function = fn->name;
			last.message = arena_printf(a, "loop bounded by `%s` contains a loop bounded by `%s`",
						    ob, ib);
			const char *lead = arena_printf(a, "A loop nest over runtime data (%u levels, %s) in %s",
							depth, order, fn->name);
			const char *tail = arena_printf(
				a, "The outer loop is bounded by `%s` and the inner loop by `%s`, both data-dependent. "
				   "Move the work to a worker (uv_queue_work()), or bound or index the data.",
				ob, ib);
			lc_finding *fd = loop_finding(s, u, "cpu/hotspot", ol->loc, lead, tail, &last);
			fd->callee = NULL;
			fd->reason = lc_arena_strdup(a, "nested loops over runtime data");
			fd->summary = arena_printf(a, "%u nested loops over runtime data (%s) on the %s", depth,
						   order, strstr(fd->chain[1].message, " runs on the ") + 13);
		}
		free(best_depth);
		free(best_inner);
	}
}

/* callback/nesting: a callback registered from non-callback code is level
 * 1; one registered while a level-N callback runs (in it or in anything it
 * calls) is level N+1. Levels are minimal (breadth-first), so a callback
 * re-registering itself, or any cycle, adds no depth. */
static void collect_nesting(solver *s, unsigned limit)
{
	const lc_program *p = s->p;
	lc_arena *a = s->r->arena;
	size_t nf = p->fns.len ? p->fns.len : 1;
	/* Entries registered from each function. */
	uint32_t *by_origin_first = lc_xcalloc(nf + 2, sizeof(uint32_t));
	for (size_t e = 0; e < s->entries.len; e++) {
		uint32_t o = s->entries.ptr[e].origin;
		uint32_t in = o == LC_NONE ? LC_NONE : p->origins.ptr[o].in_function;
		by_origin_first[(in == LC_NONE ? p->fns.len : in) + 1]++;
	}
	for (size_t f = 0; f <= p->fns.len; f++)
		by_origin_first[f + 1] += by_origin_first[f];
	uint32_t *by_origin = lc_xmalloc((s->entries.len + 1) * sizeof(uint32_t));
	uint32_t *fill = lc_xcalloc(nf + 1, sizeof(uint32_t));
	for (size_t e = 0; e < s->entries.len; e++) {
		uint32_t o = s->entries.ptr[e].origin;
		uint32_t in = o == LC_NONE ? LC_NONE : p->origins.ptr[o].in_function;
		uint32_t slot = in == LC_NONE ? (uint32_t)p->fns.len : in;
		by_origin[by_origin_first[slot] + fill[slot]++] = (uint32_t)e;
	}
	free(fill);

	/* Functions that run inside some callback. */
	unsigned char *in_callback = lc_xcalloc(nf, 1);
	uint32_t *stack = lc_xmalloc((nf + 1) * sizeof(uint32_t));
	uint32_t scratch;
	size_t top = 0;
	for (size_t e = 0; e < s->entries.len; e++) {
		uint32_t fn = s->entries.ptr[e].fn;
		if (!in_callback[fn] && p->fns.ptr[fn].def) {
			in_callback[fn] = 1;
			stack[top++] = fn;
		}
	}
	while (top) {
		const lc_fn *fn = &p->fns.ptr[stack[--top]];
		for (uint32_t k = 0; k < fn->nsites; k++) {
			const uint32_t *t;
			size_t nt = site_targets(s, &p->sites.ptr[fn->first_site + k], &t, &scratch);
			for (size_t j = 0; j < nt; j++)
				if (!in_callback[t[j]] && p->fns.ptr[t[j]].def) {
					in_callback[t[j]] = 1;
					stack[top++] = t[j];
				}
		}
	}

	unsigned *level = lc_xcalloc(nf, sizeof(unsigned));     /* per callback, 0 = none */
	uint32_t *made_by = lc_xmalloc(nf * sizeof(uint32_t));  /* entry that set the level */
	uint32_t *owner = lc_xmalloc(nf * sizeof(uint32_t));    /* callback whose run reaches fn */
	unsigned char *visited = lc_xcalloc(nf, 1);
	LC_VEC(uint32_t) frontier = { 0 }, next = { 0 };
	for (size_t f = 0; f < p->fns.len; f++)
		made_by[f] = owner[f] = LC_NONE;
	for (size_t e = 0; e < s->entries.len; e++) {
		const entry *en = &s->entries.ptr[e];
		uint32_t in = en->origin == LC_NONE ? LC_NONE : p->origins.ptr[en->origin].in_function;
		if ((in == LC_NONE || !in_callback[in]) && !level[en->fn] && p->fns.ptr[en->fn].def) {
			level[en->fn] = 1;
			made_by[en->fn] = (uint32_t)e;
			lc_vec_push(&frontier, en->fn);
		}
	}
	for (unsigned lv = 1; frontier.len; lv++) {
		next.len = 0;
		for (size_t i = 0; i < frontier.len; i++) {
			uint32_t cb = frontier.ptr[i];
			if (visited[cb])
				continue;
			visited[cb] = 1;
			owner[cb] = cb;
			top = 0;
			stack[top++] = cb;
			while (top) {
				uint32_t u = stack[--top];
				for (uint32_t k = by_origin_first[u]; k < by_origin_first[u + 1]; k++) {
					const entry *en = &s->entries.ptr[by_origin[k]];
					if (level[en->fn] || !p->fns.ptr[en->fn].def)
						continue;
					level[en->fn] = lv + 1;
					made_by[en->fn] = by_origin[k];
					lc_vec_push(&next, en->fn);
				}
				const lc_fn *fn = &p->fns.ptr[u];
				for (uint32_t k = 0; k < fn->nsites; k++) {
					const uint32_t *t;
					size_t nt = site_targets(s, &p->sites.ptr[fn->first_site + k], &t,
								    &scratch);
					for (size_t j = 0; j < nt; j++)
						if (!visited[t[j]] && p->fns.ptr[t[j]].def) {
							visited[t[j]] = 1;
							owner[t[j]] = cb;
							stack[top++] = t[j];
						}
				}
			}
		}
		/* Report the registrations that create the first level past the limit. */
		if (lv + 1 == limit + 1) {
			for (size_t i = 0; i < next.len; i++) {
				uint32_t d = next.ptr[i];
				const entry *en = &s->entries.ptr[made_by[d]];
				const lc_origin *o = &p->origins.ptr[en->origin];
				/* One finding per registration call: for a call that
				 * registers several callbacks (uv_read_start's alloc and
				 * read), name the last argument, the continuation. */
				bool shadowed = false;
				for (size_t j = 0; j < next.len && !shadowed; j++) {
					const entry *other = &s->entries.ptr[made_by[next.ptr[j]]];
					if (j == i || other->origin == LC_NONE ||
					    loc_cmp(&p->origins.ptr[other->origin].loc, &o->loc) != 0)
						continue;
					shadowed = other->arg > en->arg || (other->arg == en->arg && j < i);
				}
				if (shadowed)
					continue;
				/* Registration chain, outermost first. */
				LC_VEC(uint32_t) regs = { 0 };
				for (uint32_t c = d; c != LC_NONE && made_by[c] != LC_NONE;) {
					lc_vec_push(&regs, made_by[c]);
					const entry *ce = &s->entries.ptr[made_by[c]];
					uint32_t in = ce->origin == LC_NONE ? LC_NONE
									   : p->origins.ptr[ce->origin].in_function;
					if (in == LC_NONE || level[c] <= 1)
						break;
					c = owner[in];
				}
				lc_finding f = { 0 };
				f.entries_reaching = 1;
				const lc_rule_info *info = lc_ruleset_rule(s->rs, "callback/nesting");
				f.rule = "callback/nesting";
				f.severity = info ? info->severity : LC_SEV_WARNING;
				f.category = info && info->category ? info->category : "callback nesting";
				f.loc = o->loc;
				f.function = fn_name(p, o->in_function);
				f.callee = en->registrar;
				const entry *first = &s->entries.ptr[regs.ptr[regs.len - 1]];
				f.entry.callback = p->fns.ptr[first->fn].name;
				f.entry.registrar = first->registrar;
				f.entry.kind = first->kind;
				f.entry.profile = first->profile;
				f.entry.family = first->family;
				f.entry.context = first->context;
				f.entry.definition = p->fns.ptr[first->fn].def->loc;
				if (first->origin != LC_NONE)
					f.entry.registration = p->origins.ptr[first->origin].loc;
				const char *outer_cb = fn_name(p, owner[o->in_function]);
				f.message = arena_printf(
					a,
					"Callback nesting level %u exceeds the limit of %u: %s is registered as %s "
					"from inside level-%u callback %s, in a chain of callbacks that starts at %s. "
					"Deep chains of callbacks registering callbacks are hard to follow and to "
					"get right on errors; consider an explicit state machine (one handler and "
					"a state field), or async/await-like helpers where the library offers them.",
					limit + 1, limit, p->fns.ptr[d].name, en->kind, limit, outer_cb,
					f.entry.callback);
				f.summary = arena_printf(a, "callback nesting level %u exceeds the limit of %u ('%s')",
							 limit + 1, limit, p->fns.ptr[d].name);
				f.chain = lc_arena_alloc(a, regs.len * sizeof(lc_step));
				for (size_t r = regs.len; r-- > 0;) {
					const entry *re = &s->entries.ptr[regs.ptr[r]];
					lc_step *st = &f.chain[f.nchain++];
					st->kind = r ? LC_STEP_REGISTRATION : LC_STEP_BLOCKING;
					if (re->origin != LC_NONE) {
						st->loc = p->origins.ptr[re->origin].loc;
						st->function = fn_name(p, p->origins.ptr[re->origin].in_function);
					}
					st->callee = re->registrar;
					st->message = arena_printf(a, "level %u: %s registered as %s with %s() in %s",
								   level[re->fn], p->fns.ptr[re->fn].name,
								   re->kind, re->registrar,
								   st->function ? st->function : "(file scope)");
				}
				lc_vec_free(&regs);
				lc_vec_push(&s->r->findings, f);
			}
		}
		lc_vec_free(&frontier);
		frontier = next;
		next.ptr = NULL;
		next.len = next.cap = 0;
	}
	lc_vec_free(&frontier);
	lc_vec_free(&next);
	free(level);
	free(made_by);
	free(owner);
	free(visited);
	free(in_callback);
	free(stack);
	free(by_origin);
	free(by_origin_first);
}

/* Fingerprints name what a finding is, not where: rule, enclosing function,
 * callee, entry callback, and the occurrence among identical tuples (in
 * source order), so inserting unrelated lines changes nothing. */
static void fingerprint(lc_result *r)
{
	lc_strmap seen = { 0 };
	LC_VEC(unsigned) occurrences = { 0 };
	for (size_t i = 0; i < r->findings.len; i++) {
		lc_finding *f = &r->findings.ptr[i];
		const char *tuple = arena_printf(r->arena, "%s|%s|%s|%s", f->rule, f->function,
						 f->callee ? f->callee : "", f->entry.callback);
		int added;
		uint32_t id = lc_strmap_intern(&seen, tuple, &added);
		if (added)
			lc_vec_push(&occurrences, 0);
		unsigned occurrence = occurrences.ptr[id]++;
		char buf[1100];
		int n = snprintf(buf, sizeof(buf), "%s|%u", tuple, occurrence);
		size_t len = n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
		f->fingerprint = arena_printf(r->arena, "%016llx", lc_hash64(buf, len, 0));
	}
	lc_strmap_free(&seen);
	lc_vec_free(&occurrences);
}

static void report_tu_errors(const lc_program *p, lc_result *r)
{
	for (size_t i = 0; i < p->nfacts; i++) {
		const lc_facts *f = p->facts[i];
		if (!f)
			continue;
		r->stats.tus++;
		if (!f->failed && f->diags.len == 0)
			continue;
		lc_error e = { 0 };
		e.kind = f->failed ? LC_ERR_FAILED : LC_ERR_PARTIAL;
		e.file = f->main_file;
		if (f->diags.len) {
			/* Name the TU; the first error may be in a header it includes
			 * (then the message says where). */
			const lc_loc *d = &f->diags.ptr[0].loc;
			bool in_main = d->file && strcmp(d->file, f->main_file) == 0;
			e.loc = in_main ? *d : (lc_loc){ f->main_file, 0, 0 };
			const char *base = d->file ? strrchr(d->file, '/') : NULL;
			const char *where = in_main || !d->file
						    ? ""
						    : arena_printf(r->arena, "%s:%u:%u: ",
								   base ? base + 1 : d->file, d->line,
								   d->column);
			e.message = f->failed ? f->diags.ptr[0].message
					      : arena_printf(r->arena, "parsed with %zu error%s; analysed as far as possible (first: %s%s)",
							     f->diags.len, f->diags.len == 1 ? "" : "s", where,
							     f->diags.ptr[0].message);
		}
		if (f->failed)
			r->stats.tus_failed++;
		else
			r->stats.tus_partial++;
		lc_vec_push(&r->errors, e);
	}
}

void lc_solve(const lc_program *p, const lc_ruleset *rs, const lc_solve_opts *opts,
	      lc_result *r)
{
	solver s = { 0 };
	s.p = p;
	s.rs = rs;
	s.r = r;
	report_tu_errors(p, r);
	find_entries(&s);
	index_callers(&s);
	classify_descriptors(&s);
	mark_allowed(&s, opts);
	walk_loop(&s);
	prune_guarded_calls(&s);
	size_t first = r->findings.len;
	collect_findings(&s);
	collect_loop_hotspots(&s, opts->hotspot_loop_depth);

	size_t *count = count_reaching(&s);
	for (size_t i = 0; i < s.finding_caller.len; i++)
		r->findings.ptr[first + i].entries_reaching = count[s.finding_caller.ptr[i]];
	free(count);
	lc_vec_free(&s.finding_caller);

	unsigned char *counted = lc_xcalloc(p->fns.len ? p->fns.len : 1, 1);
	for (size_t e = 0; e < s.entries.len; e++) {
		const entry *en = &s.entries.ptr[e];
		unsigned char bit = en->context == LC_CTX_LOOP ? 1 : 2;
		if (counted[en->fn] & bit)
			continue;
		counted[en->fn] |= bit;
		if (bit == 1)
			r->stats.entries_loop++;
		else
			r->stats.entries_worker++;
	}
	free(counted);
	r->stats.functions = 0;
	for (size_t i = 0; i < p->fns.len; i++)
		if (p->fns.ptr[i].def)
			r->stats.functions++;
	r->stats.call_edges = p->call_edges;

	collect_nesting(&s, opts->nesting_limit);
	lc_result_sort(r);
	fingerprint(r);
	free_walk(&s);
	free(s.skip);
	free(s.callers_first);
	free(s.callers);
	free(s.allowed);
	free(s.opaque);
	lc_vec_free(&s.entries);
	lc_vec_free(&s.fd_flags);
	lc_strmap_free(&s.fd_keys);
}

void lc_dump_callgraph(const lc_program *p, const lc_ruleset *rs, FILE *out)
{
	solver s = { 0 };
	s.p = p;
	s.rs = rs;
	find_entries(&s);
	static const char *const ctx[] = { "loop", "worker", "thread" };
	fprintf(out, "# entries\n");
	for (size_t e = 0; e < s.entries.len; e++) {
		const entry *en = &s.entries.ptr[e];
		fprintf(out, "entry %s %s via %s (%s)", ctx[en->context], p->fns.ptr[en->fn].name,
			en->registrar, en->kind);
		if (en->origin != LC_NONE) {
			const lc_loc *l = &p->origins.ptr[en->origin].loc;
			fprintf(out, " at %s:%u:%u", l->file ? l->file : "?", l->line, l->column);
		}
		fputc('\n', out);
	}
	fprintf(out, "# calls\n");
	uint32_t scratch;
	for (uint32_t u = 0; u < p->fns.len; u++) {
		const lc_fn *fn = &p->fns.ptr[u];
		if (!fn->def)
			continue;
		fprintf(out, "%s:\n", fn->name);
		for (uint32_t k = 0; k < fn->nsites; k++) {
			const lc_site *site = &p->sites.ptr[fn->first_site + k];
			const uint32_t *t;
			size_t nt = lc_site_targets(p, site, &t, &scratch);
			fprintf(out, "  %u:%u %s ->", site->call->loc.line, site->call->loc.column,
				site->call->name ? site->call->name : "?");
			for (size_t j = 0; j < nt; j++)
				fprintf(out, " %s%s", p->fns.ptr[t[j]].name,
					p->fns.ptr[t[j]].def ? "" : "(ext)");
			if (!nt)
				fprintf(out, " (unresolved)");
			fputc('\n', out);
		}
	}
	lc_vec_free(&s.entries);
}
