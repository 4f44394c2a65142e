/* report_dot.c - the slice of the call graph that matters, as Graphviz DOT:
 * the registration sites, the callbacks they hand to the loop, the functions
 * on the way and the blocking calls, built only from the findings' chains
 * (never from the whole call graph, which the writers do not see).
 *
 *   "fn:main" -> "reg:server.c:86:2:uv_timer_start" [label="server.c:86"];
 *   "reg:server.c:86:2:uv_timer_start" -> "fn:on_tick" [style=dashed];
 *   "fn:on_tick" -> "fn:load_config" [label="server.c:69"];
 *   "fn:load_config" -> "find:config.c:11:12:blocking/file-io:fopen" [label="config.c:11"];
 *
 * Nodes:
 *   registration site  box, "uv_timer_start()" (a struct field without the
 *                      parentheses); one per call site (file, line, column,
 *                      registrar)
 *   callback           filled ellipse, coloured by the thread it runs on
 *                      (loop: light blue, worker: pale green, thread: khaki),
 *                      with the kind of callback when it is a finding's entry
 *   function           plain ellipse; functions are identified by name
 *   blocking call      red octagon, "fopen()" and the rule id; one per
 *                      finding location and rule; dashed and grey when the
 *                      finding is suppressed or in the --baseline; its
 *                      tooltip (SVG) is the finding's one-line summary
 * Edges: calls and registrations, labelled with the call site's file:line;
 * a dashed edge goes from a registration site to the callback it registers.
 *
 * Node ids are built from names and printed paths, not numbers, and nodes
 * and edges are printed sorted, so the same result gives the same bytes and
 * a change in the program changes only the lines it is about. Where
 * findings disagree about a node (two kinds of callback, two contexts), the
 * smallest value wins, so the order of the findings does not matter.
 */
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"
#include "strmap.h"

enum node_kind { NODE_REG = 0, NODE_FN, NODE_FINDING };

typedef struct dot_node {
	const char *id;
	enum node_kind kind;
	const char *label;   /* first line: registrar, function, callee */
	const char *detail;  /* second line (kind of callback, rule id), or NULL */
	const char *tooltip; /* findings: the (smallest) summary of the findings here */
	bool callback;
	lc_context context;
	size_t nfindings, ndim; /* findings at this node; suppressed or in the baseline */
} dot_node;

typedef struct dot_edge {
	const char *from, *to;
	const char *label; /* NULL: no label */
	bool dashed;
} dot_edge;

typedef struct dot_graph {
	lc_arena *arena;
	lc_strmap ids;
	LC_VEC(dot_node) nodes; /* by strmap id */
	LC_VEC(dot_edge) edges;
	const lc_report_opts *opts;
} dot_graph;

/* a + b + c, in the graph's arena. */
static const char *cat(dot_graph *g, const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *s = lc_arena_alloc(g->arena, na + nb + nc + 1);
	memcpy(s, a, na);
	memcpy(s + na, b, nb);
	memcpy(s + na + nb, c, nc + 1);
	return s;
}

/* The node with this id, created with `kind` and `label` if new. */
static dot_node *node(dot_graph *g, const char *id, enum node_kind kind, const char *label)
{
	int added;
	uint32_t i = lc_strmap_intern(&g->ids, id, &added);
	if (added) {
		dot_node n = {0};
		n.id = id; /* in the arena, as every id */
		n.kind = kind;
		n.label = label;
		lc_vec_push(&g->nodes, n);
	}
	return &g->nodes.ptr[i];
}

static dot_node *fn_node(dot_graph *g, const char *name)
{
	name = name ? name : "?";
	return node(g, cat(g, "fn:", name, ""), NODE_FN, name);
}

/* "server.c:86" (or "server.c:86:3" with the column) in the graph's arena;
 * "?" without a file. */
static const char *where(dot_graph *g, const lc_loc *loc, bool column)
{
	char *path, *s;
	const char *r;
	if (!loc->file)
		return "?";
	path = lc_report_path(loc->file, g->opts);
	if (column)
		s = lc_xasprintf("%s:%u:%u", path, loc->line, loc->column);
	else if (loc->line)
		s = lc_xasprintf("%s:%u", path, loc->line);
	else
		s = lc_xstrdup(path);
	r = lc_arena_strdup(g->arena, s);
	free(s);
	free(path);
	return r;
}

/* Takes ids, not nodes: creating a node may move the others. */
static void edge(dot_graph *g, const char *from, const char *to, const char *label, bool dashed)
{
	dot_edge e = {from, to, label, dashed};
	lc_vec_push(&g->edges, e);
}

/* The smaller of two optional strings (NULL counts as absent). */
static const char *min_str(const char *a, const char *b)
{
	if (!a || !b)
		return a ? a : b;
	return strcmp(a, b) <= 0 ? a : b;
}

/* A callback: coloured by the thread it runs on, labelled with its kind
 * when it is the finding's entry. */
static void mark_callback(dot_node *n, const lc_finding *f, const char *name)
{
	if (!n->callback || f->entry.context < n->context)
		n->context = f->entry.context;
	n->callback = true;
	if (f->entry.callback && name && strcmp(name, f->entry.callback) == 0)
		n->detail = min_str(n->detail, f->entry.kind); /* in the result's arena */
}

static bool same_loc(const lc_loc *a, const lc_loc *b)
{
	return a->file && b->file && a->line == b->line && a->column == b->column &&
	       strcmp(a->file, b->file) == 0;
}

static void add_finding(dot_graph *g, const lc_finding *f)
{
	bool dim = f->suppressed || f->baseline_state == LC_BASELINE_UNCHANGED;

	for (size_t i = 0; i < f->nchain; i++) {
		const lc_step *s = &f->chain[i];
		const lc_step *next = i + 1 < f->nchain ? &f->chain[i + 1] : NULL;
		const char *callee = s->callee ? s->callee : "?";
		const char *from;
		dot_node *to;

		switch (s->kind) {
		case LC_STEP_REGISTRATION:
			/* The entry's registrar names a struct field registration in
			 * full ("napi_property_descriptor.method"); a function gets (). */
			if (f->entry.registrar && same_loc(&s->loc, &f->entry.registration))
				callee = f->entry.registrar;
			from = fn_node(g, s->function)->id;
			to = node(g, cat(g, "reg:", where(g, &s->loc, true), cat(g, ":", callee, "")),
				  NODE_REG, cat(g, callee, strchr(callee, '.') ? "" : "()", ""));
			edge(g, from, to->id, where(g, &s->loc, false), false);
			from = to->id;
			/* The step after a registration is in the callback it registered
			 * (its definition, or the next registration of a nesting chain). */
			if (next && next->function &&
			    !(s->function && strcmp(next->function, s->function) == 0)) {
				dot_node *cb = fn_node(g, next->function);
				mark_callback(cb, f, next->function);
				edge(g, from, cb->id, NULL, true);
			}
			break;
		case LC_STEP_CALLBACK:
			mark_callback(fn_node(g, s->function), f, s->function);
			break;
		case LC_STEP_CALL:
			from = fn_node(g, s->function)->id;
			to = fn_node(g, s->callee);
			edge(g, from, to->id, where(g, &s->loc, false), false);
			break;
		case LC_STEP_BLOCKING:
		default:
			from = fn_node(g, s->function)->id;
			/* The finding itself: keyed by where it is and what it is. */
			to = node(g, cat(g, "find:", where(g, &f->loc, true),
					 cat(g, ":", f->rule ? f->rule : "?",
					     f->callee ? cat(g, ":", f->callee, "") : "")),
				  NODE_FINDING,
				  f->callee ? cat(g, f->callee, "()", "")
				  : f->category ? f->category : "finding");
			to->detail = f->rule;
			to->tooltip = min_str(to->tooltip, f->summary ? f->summary : f->message);
			to->nfindings++;
			to->ndim += dim;
			edge(g, from, to->id, where(g, &s->loc, false), false);
			break;
		}
	}
	/* A chain without a callback step still names its entry: mark it if it
	 * is on the graph. */
	if (f->entry.callback) {
		uint32_t i = lc_strmap_get(&g->ids, cat(g, "fn:", f->entry.callback, ""));
		if (i != LC_NONE)
			mark_callback(&g->nodes.ptr[i], f, f->entry.callback);
	}
}

/* Append s as the inside of a DOT quoted string. */
static void add_quoted(lc_sb *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			lc_sb_addc(out, '\\');
		if (*s == '\n' || *s == '\r')
			lc_sb_addc(out, ' ');
		else
			lc_sb_addc(out, *s);
	}
}

static int cmp_node(const void *a, const void *b)
{
	const dot_node *x = *(const dot_node *const *)a, *y = *(const dot_node *const *)b;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	/* Callbacks before the other functions. */
	if (x->callback != y->callback)
		return x->callback ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_edge(const void *a, const void *b)
{
	const dot_edge *x = a, *y = b;
	int c = strcmp(x->from, y->from);
	if (!c)
		c = strcmp(x->to, y->to);
	if (!c)
		c = cmp_opt(x->label, y->label);
	if (!c)
		c = (int)x->dashed - (int)y->dashed;
	return c;
}

static const char *context_colour(lc_context c)
{
	switch (c) {
	case LC_CTX_WORKER: return "palegreen";
	case LC_CTX_THREAD: return "khaki";
	case LC_CTX_LOOP:
	default: return "lightblue";
	}
}

static void print_node(lc_sb *out, const dot_node *n)
{
	lc_sb_add(out, "  \"");
	add_quoted(out, n->id);
	lc_sb_add(out, "\" [");
	switch (n->kind) {
	case NODE_REG:
		lc_sb_add(out, "shape=box");
		break;
	case NODE_FINDING:
		if (n->nfindings && n->ndim == n->nfindings)
			lc_sb_add(out, "shape=octagon, style=dashed, color=grey50, fontcolor=grey50");
		else
			lc_sb_add(out, "shape=octagon, style=filled, color=red, fillcolor=mistyrose, "
				       "fontcolor=red3");
		break;
	case NODE_FN:
	default:
		if (n->callback)
			lc_sb_addf(out, "shape=ellipse, style=filled, fillcolor=%s, tooltip=\"runs on "
					"the %s thread\"",
				   context_colour(n->context), lc_context_name(n->context));
		else
			lc_sb_add(out, "shape=ellipse");
		break;
	}
	if (n->tooltip) {
		lc_sb_add(out, ", tooltip=\"");
		add_quoted(out, n->tooltip);
		lc_sb_addc(out, '"');
	}
	lc_sb_add(out, ", label=\"");
	add_quoted(out, n->label);
	if (n->kind == NODE_FINDING && n->detail) {
		lc_sb_add(out, "\\n[");
		add_quoted(out, n->detail);
		lc_sb_addc(out, ']');
	} else if (n->detail) {
		lc_sb_add(out, "\\n");
		add_quoted(out, n->detail);
	}
	lc_sb_add(out, "\"];\n");
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void lc_report_dot(lc_sb *out, const lc_result *r, const lc_ruleset *rs,
		   const lc_report_opts *opts)
{
	dot_graph g = {0};
	const dot_node **sorted;
	size_t shown = 0, hidden = 0;
	static const char *const sections[] = {
		[NODE_REG] = "registration sites",
		[NODE_FN] = "callbacks and functions",
		[NODE_FINDING] = "findings",
	};

	(void)rs;
	g.arena = lc_arena_new();
	g.opts = opts;
	for (size_t i = 0; i < r->findings.len; i++) {
		const lc_finding *f = &r->findings.ptr[i];
		if (f->suppressed || f->baseline_state == LC_BASELINE_UNCHANGED)
			hidden++;
		else
			shown++;
		add_finding(&g, f);
	}

	lc_sb_add(out, "// loopcheck --format dot: entries, the paths to findings, the findings.\n"
		       "// Render with: dot -Tsvg FILE.dot -o FILE.svg\n");
	lc_sb_addf(out, "// %zu %s analysed", r->stats.tus, plural(r->stats.tus, "TU", "TUs"));
	if (r->stats.tus_partial)
		lc_sb_addf(out, ", %zu partial", r->stats.tus_partial);
	if (r->stats.tus_failed)
		lc_sb_addf(out, ", %zu failed", r->stats.tus_failed);
	lc_sb_add(out, "\ndigraph loopcheck {\n"
		       "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=\"");
	if (shown)
		lc_sb_addf(out, "loopcheck: %zu %s", shown, plural(shown, "finding", "findings"));
	else
		lc_sb_add(out, "loopcheck: no findings");
	if (hidden)
		lc_sb_addf(out, " (%zu suppressed or in the baseline)", hidden);
	lc_sb_add(out, "\"];\n"
		       "  node [fontname=\"Helvetica\", fontsize=11];\n"
		       "  edge [fontname=\"Helvetica\", fontsize=9];\n");

	sorted = lc_xcalloc(g.nodes.len + 1, sizeof(*sorted));
	for (size_t i = 0; i < g.nodes.len; i++)
		sorted[i] = &g.nodes.ptr[i];
	qsort(sorted, g.nodes.len, sizeof(*sorted), cmp_node);
	for (size_t i = 0; i < g.nodes.len; i++) {
		if (i == 0 || sorted[i]->kind != sorted[i - 1]->kind)
			lc_sb_addf(out, "\n  // %s\n", sections[sorted[i]->kind]);
		print_node(out, sorted[i]);
	}
	free(sorted);

	if (g.edges.len)
		qsort(g.edges.ptr, g.edges.len, sizeof(*g.edges.ptr), cmp_edge);
	for (size_t i = 0; i < g.edges.len; i++) {
		const dot_edge *e = &g.edges.ptr[i];
		if (i > 0 && cmp_edge(e, &g.edges.ptr[i - 1]) == 0)
			continue;
		if (i == 0)
			lc_sb_add(out, "\n  // calls and registrations\n");
		lc_sb_add(out, "  \"");
		add_quoted(out, e->from);
		lc_sb_add(out, "\" -> \"");
		add_quoted(out, e->to);
		lc_sb_addc(out, '"');
		if (e->label || e->dashed) {
			lc_sb_add(out, " [");
			if (e->dashed)
				lc_sb_add(out, "style=dashed");
			if (e->label) {
				lc_sb_add(out, e->dashed ? ", label=\"" : "label=\"");
				add_quoted(out, e->label);
				lc_sb_addc(out, '"');
			}
			lc_sb_addc(out, ']');
		}
		lc_sb_add(out, ";\n");
	}
	lc_sb_add(out, "}\n");

	lc_vec_free(&g.edges);
	lc_vec_free(&g.nodes);
	lc_strmap_free(&g.ids);
	lc_arena_free(g.arena);
}
