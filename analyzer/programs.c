/* programs.c - split a compile database into programs, merge their results
 * (see programs.h).
 *
 * The split is a linker's view of the TUs: each defines some external
 * symbols (non-static functions, file-scope variables) and refers to
 * others; a program grows from its seed by adding, for every symbol a TU
 * in it refers to and no TU in it defines, one TU that defines it.
 */
#define _GNU_SOURCE
#include "programs.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

/* ---- split ----------------------------------------------------------------- */

typedef LC_VEC(size_t) index_vec;

typedef struct splitter {
	lc_facts *const *facts;
	size_t n;
	lc_strmap symbols;           /* key of a defined external symbol -> id */
	LC_VEC(index_vec) definers;  /* by symbol id: the TUs defining it, ascending */
	bool *has_main;              /* by TU */
	size_t *ndefs;               /* by TU: external symbols it defines */
	/* The program being grown. */
	bool *in;                    /* by TU */
	index_vec queue;
	LC_VEC(uint32_t) choices;    /* symbols with several definers, to choose for */
	bool *to_choose;             /* by symbol: in `choices` */
	size_t seed;
	uint64_t *shared, *total;    /* by TU: argument similarity to the seed, memo */
	bool *known;
} splitter;

static void add_definition(splitter *s, const char *key, size_t tu)
{
	int added = 0;
	uint32_t id = lc_strmap_intern(&s->symbols, key, &added);
	if (added) {
		index_vec empty = { 0 };
		lc_vec_push(&s->definers, empty);
	}
	index_vec *d = &s->definers.ptr[id];
	if (!d->len || d->ptr[d->len - 1] != tu) {
		lc_vec_push(d, tu);
		s->ndefs[tu]++;
	}
}

static void index_definitions(splitter *s)
{
	for (size_t t = 0; t < s->n; t++) {
		const lc_facts *f = s->facts[t];
		if (!f)
			continue;
		for (size_t i = 0; i < f->functions.len; i++) {
			const lc_function *fn = &f->functions.ptr[i];
			if (fn->is_static)
				continue;
			add_definition(s, fn->key, t);
			if (fn->is_main)
				s->has_main[t] = true;
		}
		for (size_t i = 0; i < f->globals.len; i++)
			add_definition(s, f->globals.ptr[i], t);
	}
}

/* How alike two TUs' compile arguments are: the arguments they share
 * (as multisets) over all their distinct arguments, as shared/total. */
static void similarity(const lc_facts *a, const lc_facts *b, uint64_t *shared, uint64_t *total)
{
	bool *used = lc_xcalloc(b->args.len ? b->args.len : 1, sizeof(bool));
	uint64_t common = 0;
	for (size_t i = 0; i < a->args.len; i++) {
		for (size_t j = 0; j < b->args.len; j++) {
			if (!used[j] && strcmp(a->args.ptr[i], b->args.ptr[j]) == 0) {
				used[j] = true;
				common++;
				break;
			}
		}
	}
	free(used);
	*shared = common;
	*total = a->args.len + b->args.len - common;
	if (*total == 0) /* both without arguments: alike */
		*shared = *total = 1;
}

/* Should the program take TU `x` rather than TU `y` for a symbol both
 * define? The one built most like the seed; between equals, the one that
 * defines fewer symbols (redis-cli's redisassert.c, a stub of two
 * functions, rather than the server's debug.c, which defines the same two
 * and fifty more that would drag the server in). */
static bool better_definer(splitter *s, size_t x, size_t y)
{
	size_t tu[2] = { x, y };
	for (int k = 0; k < 2; k++) {
		if (!s->known[tu[k]]) {
			similarity(s->facts[s->seed], s->facts[tu[k]], &s->shared[tu[k]],
				   &s->total[tu[k]]);
			s->known[tu[k]] = true;
		}
	}
	uint64_t a = s->shared[x] * s->total[y], b = s->shared[y] * s->total[x];
	return a != b ? a > b : s->ndefs[x] < s->ndefs[y];
}

static void take(splitter *s, size_t tu)
{
	s->in[tu] = true;
	lc_vec_push(&s->queue, tu);
}

/* `key` is referred to from the program: unless a TU of the program
 * defines it, take its only definer, or note it to choose one later, when
 * the definers there is no choice about are in (one of them may define it:
 * the server's debug.c, taken for debugCommand, defines _serverAssert). */
static void need(splitter *s, const char *key)
{
	if (!key)
		return;
	uint32_t id = lc_strmap_get(&s->symbols, key);
	if (id == LC_NONE)
		return; /* a library's, or nobody's */
	const index_vec *d = &s->definers.ptr[id];
	size_t eligible = 0, only = 0;
	for (size_t i = 0; i < d->len; i++) {
		size_t t = d->ptr[i];
		if (s->in[t])
			return;
		if (s->has_main[t])
			continue; /* another binary */
		eligible++;
		only = t;
	}
	if (eligible == 1) {
		take(s, only);
	} else if (eligible > 1 && !s->to_choose[id]) {
		s->to_choose[id] = true;
		lc_vec_push(&s->choices, id);
	}
}

/* Take the best definer of symbol `id`, unless the program has one now. */
static void choose(splitter *s, uint32_t id)
{
	const index_vec *d = &s->definers.ptr[id];
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < d->len; i++) {
		size_t t = d->ptr[i];
		if (s->in[t])
			return;
		if (!s->has_main[t] && (best == SIZE_MAX || better_definer(s, t, best)))
			best = t;
	}
	if (best != SIZE_MAX)
		take(s, best);
}

static void need_value(splitter *s, const lc_value *v)
{
	if (v->kind == LC_VAL_FUNC || v->kind == LC_VAL_VAR)
		need(s, v->key);
}

/* Everything TU `t` refers to. */
static void need_references(splitter *s, const lc_facts *f)
{
	for (size_t i = 0; i < f->calls.len; i++) {
		const lc_call *c = &f->calls.ptr[i];
		if (c->kind == LC_CALL_DIRECT || c->kind == LC_CALL_VAR)
			need(s, c->callee);
		for (unsigned a = 0; a < c->nargs; a++)
			need_value(s, &c->args[a]);
	}
	for (size_t i = 0; i < f->stores.len; i++)
		need_value(s, &f->stores.ptr[i].value);
	for (size_t i = 0; i < f->uses.len; i++)
		need(s, f->uses.ptr[i]);
}

/* Grow the program from the TUs already taken; record it as a part. */
static void close_program(splitter *s, lc_part_kind kind, lc_partition *out)
{
	memset(s->known, 0, s->n * sizeof(bool));
	memset(s->to_choose, 0, s->definers.len * sizeof(bool));
	s->choices.len = 0;
	for (size_t q = 0, c = 0;;) {
		while (q < s->queue.len)
			need_references(s, s->facts[s->queue.ptr[q++]]);
		if (c == s->choices.len)
			break;
		choose(s, s->choices.ptr[c++]);
	}
	lc_part part = { 0 };
	part.kind = kind;
	part.seed = s->seed;
	part.tus = lc_xcalloc(s->queue.len ? s->queue.len : 1, sizeof(size_t));
	part.facts = lc_xcalloc(s->queue.len ? s->queue.len : 1, sizeof(lc_facts *));
	for (size_t t = 0; t < s->n; t++) {
		if (!s->in[t])
			continue;
		part.tus[part.ntus] = t;
		part.facts[part.ntus++] = s->facts[t];
	}
	out->parts = lc_xrealloc(out->parts, (out->nparts + 1) * sizeof(lc_part));
	out->parts[out->nparts++] = part;
}

static void add_whole(lc_partition *out, lc_facts *const *facts, size_t n)
{
	lc_part part = { 0 };
	part.kind = LC_PART_WHOLE;
	part.tus = lc_xcalloc(n ? n : 1, sizeof(size_t));
	part.facts = lc_xcalloc(n ? n : 1, sizeof(lc_facts *));
	for (size_t t = 0; t < n; t++) {
		part.tus[t] = t;
		part.facts[t] = facts[t];
	}
	part.ntus = n;
	out->parts = lc_xcalloc(1, sizeof(lc_part));
	out->parts[0] = part;
	out->nparts = 1;
}

lc_partition *lc_partition_programs(lc_facts *const *facts, size_t n)
{
	lc_partition *out = lc_xcalloc(1, sizeof(*out));
	out->nfacts = n;
	splitter s = { 0 };
	s.facts = facts;
	s.n = n;
	size_t m = n ? n : 1;
	s.has_main = lc_xcalloc(m, sizeof(bool));
	s.ndefs = lc_xcalloc(m, sizeof(size_t));
	s.in = lc_xcalloc(m, sizeof(bool));
	s.known = lc_xcalloc(m, sizeof(bool));
	s.shared = lc_xcalloc(m, sizeof(uint64_t));
	s.total = lc_xcalloc(m, sizeof(uint64_t));
	index_definitions(&s);
	s.to_choose = lc_xcalloc(s.definers.len ? s.definers.len : 1, sizeof(bool));

	bool *reached = lc_xcalloc(m, sizeof(bool));
	for (size_t t = 0; t < n; t++) {
		if (!s.has_main[t])
			continue;
		memset(s.in, 0, n * sizeof(bool));
		s.queue.len = 0;
		s.seed = t;
		take(&s, t);
		close_program(&s, LC_PART_MAIN, out);
		for (size_t u = 0; u < n; u++)
			reached[u] |= s.in[u];
	}
	if (!out->nparts) {
		add_whole(out, facts, n);
	} else {
		memset(s.in, 0, n * sizeof(bool));
		s.queue.len = 0;
		s.seed = SIZE_MAX;
		for (size_t t = 0; t < n; t++) {
			if (reached[t] || !facts[t])
				continue;
			if (s.seed == SIZE_MAX)
				s.seed = t;
			take(&s, t);
		}
		size_t unreached = s.queue.len;
		if (s.seed != SIZE_MAX) {
			close_program(&s, LC_PART_REST, out);
			out->parts[out->nparts - 1].nunreached = unreached;
		}
	}

	free(reached);
	for (size_t i = 0; i < s.definers.len; i++)
		lc_vec_free(&s.definers.ptr[i]);
	lc_vec_free(&s.definers);
	lc_strmap_free(&s.symbols);
	lc_vec_free(&s.queue);
	lc_vec_free(&s.choices);
	free(s.to_choose);
	free(s.ndefs);
	free(s.has_main);
	free(s.in);
	free(s.known);
	free(s.shared);
	free(s.total);
	return out;
}

void lc_partition_free(lc_partition *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nparts; i++) {
		free(p->parts[i].tus);
		free(p->parts[i].facts);
	}
	free(p->parts);
	free(p);
}

static bool has_arg(const lc_facts *f, const char *arg)
{
	for (size_t i = 0; i < f->args.len; i++)
		if (strcmp(f->args.ptr[i], arg) == 0)
			return true;
	return false;
}

/* ", build K of N (-DX ...)" when the seed's file is compiled N times:
 * the arguments listed are those some other build lacks. */
static void describe_build(lc_sb *sb, const lc_partition *p, lc_facts *const *facts,
			   size_t seed)
{
	const lc_facts *me = facts[seed];
	size_t k = 0, builds = 0;
	for (size_t t = 0; t < p->nfacts; t++) {
		if (!facts[t] || strcmp(facts[t]->main_file, me->main_file) != 0)
			continue;
		builds++;
		if (t <= seed)
			k = builds;
	}
	if (builds < 2)
		return;
	lc_sb_addf(sb, ", build %zu of %zu", k, builds);
	const char *sep = " (";
	for (size_t i = 0; i < me->args.len; i++) {
		bool everywhere = true;
		for (size_t t = 0; t < p->nfacts && everywhere; t++)
			if (facts[t] && strcmp(facts[t]->main_file, me->main_file) == 0)
				everywhere = has_arg(facts[t], me->args.ptr[i]);
		if (!everywhere) {
			lc_sb_addf(sb, "%s%s", sep, me->args.ptr[i]);
			sep = " ";
		}
	}
	if (sep[0] == ' ' && sep[1] == '\0')
		lc_sb_addc(sb, ')');
}

char *lc_part_describe(const lc_partition *p, size_t i, lc_facts *const *facts)
{
	const lc_part *part = &p->parts[i];
	lc_sb sb;
	switch (part->kind) {
	case LC_PART_MAIN:
		lc_sb_init(&sb);
		lc_sb_addf(&sb, "program %zu of %zu: main in %s", i + 1, p->nparts,
			   facts[part->seed]->main_file);
		describe_build(&sb, p, facts, part->seed);
		return lc_sb_detach(&sb);
	case LC_PART_REST:
		lc_sb_init(&sb);
		lc_sb_addf(&sb, "program %zu of %zu: %zu translation unit%s that no main reaches",
			   i + 1, p->nparts, part->nunreached, part->nunreached == 1 ? "" : "s");
		if (part->ntus > part->nunreached)
			lc_sb_addf(&sb, " (%zu with what they use)", part->ntus);
		return lc_sb_detach(&sb);
	default:
		return lc_xasprintf("program %zu of %zu: the whole database", i + 1, p->nparts);
	}
}

/* ---- merge ----------------------------------------------------------------- */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* What makes two findings one: the same rule at the same call site. */
static const char *finding_key(lc_arena *a, const lc_finding *f)
{
	char *k = lc_xasprintf("%s|%s|%u|%u|%s", f->rule, or_empty(f->loc.file), f->loc.line,
			       f->loc.column, or_empty(f->callee));
	const char *r = lc_arena_strdup(a, k);
	free(k);
	return r;
}

static const char *error_key(lc_arena *a, const lc_error *e)
{
	char *k = lc_xasprintf("%d|%s|%s|%u|%u|%s|%s", (int)e->kind, or_empty(e->file),
			       or_empty(e->loc.file), e->loc.line, e->loc.column,
			       or_empty(e->message), or_empty(e->id));
	const char *r = lc_arena_strdup(a, k);
	free(k);
	return r;
}

/* Two findings of two programs may have the same fingerprint (the same
 * function names at different places): the later one, in report order,
 * gets its fingerprint hashed again with its occurrence. */
static void distinct_fingerprints(lc_result *r)
{
	lc_strmap seen = { 0 };
	for (size_t i = 0; i < r->findings.len; i++) {
		lc_finding *f = &r->findings.ptr[i];
		if (!f->fingerprint)
			continue;
		int added = 0;
		lc_strmap_intern(&seen, f->fingerprint, &added);
		for (unsigned occurrence = 1; !added; occurrence++) {
			char buf[64];
			int len = snprintf(buf, sizeof(buf), "%s|%u", f->fingerprint, occurrence);
			char *fp = lc_xasprintf("%016llx", lc_hash64(buf, (size_t)len, 0));
			f->fingerprint = lc_arena_strdup(r->arena, fp);
			free(fp);
			lc_strmap_intern(&seen, f->fingerprint, &added);
		}
	}
	lc_strmap_free(&seen);
}

void lc_programs_merge(lc_result *into, lc_result *const *results, size_t n,
		       lc_facts *const *facts, size_t nfacts)
{
	lc_strmap findings = { 0 }, errors = { 0 };
	/* By finding key: how many the merged result holds, and how many the
	 * program being merged has had so far. One program may report two
	 * findings with one key (two calls in one macro expansion): a key is
	 * kept as many times as the program reporting it most often does. */
	LC_VEC(size_t) kept = { 0 }, mine = { 0 };
	for (size_t k = 0; k < n; k++) {
		const lc_result *from = results[k];
		for (size_t i = 0; i < mine.len; i++)
			mine.ptr[i] = 0;
		for (size_t i = 0; i < from->findings.len; i++) {
			const lc_finding *f = &from->findings.ptr[i];
			int added = 0;
			uint32_t id = lc_strmap_intern(&findings, finding_key(into->arena, f), &added);
			if (added) {
				lc_vec_push(&kept, 0);
				lc_vec_push(&mine, 0);
			}
			if (++mine.ptr[id] <= kept.ptr[id])
				continue;
			kept.ptr[id] = mine.ptr[id];
			lc_vec_push(&into->findings, *f);
		}
		for (size_t i = 0; i < from->errors.len; i++) {
			int added = 0;
			lc_strmap_intern(&errors, error_key(into->arena, &from->errors.ptr[i]), &added);
			if (added)
				lc_vec_push(&into->errors, from->errors.ptr[i]);
		}
		const lc_stats *st = &from->stats;
		into->stats.functions += st->functions;
		into->stats.call_edges += st->call_edges;
		into->stats.entries_loop += st->entries_loop;
		into->stats.entries_worker += st->entries_worker;
		into->stats.duplicate_definitions += st->duplicate_definitions;
	}
	/* TU counts: each TU once, however many programs it is in. */
	for (size_t t = 0; t < nfacts; t++) {
		const lc_facts *f = facts[t];
		if (!f)
			continue;
		into->stats.tus++;
		if (f->failed)
			into->stats.tus_failed++;
		else if (f->diags.len)
			into->stats.tus_partial++;
	}
	lc_result_sort(into);
	distinct_fingerprints(into);
	lc_vec_free(&kept);
	lc_vec_free(&mine);
	lc_strmap_free(&findings);
	lc_strmap_free(&errors);
}
