/* facts.c - see facts.h. */
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>

lc_facts *lc_facts_new(void)
{
	lc_facts *f = lc_xcalloc(1, sizeof(*f));
	f->arena = lc_arena_new();
	return f;
}

void lc_facts_free(lc_facts *f)
{
	if (!f)
		return;
	lc_vec_free(&f->functions);
	lc_vec_free(&f->calls);
	lc_vec_free(&f->stores);
	lc_vec_free(&f->loops);
	lc_vec_free(&f->diags);
	lc_vec_free(&f->files);
	lc_vec_free(&f->args);
	lc_vec_free(&f->globals);
	lc_vec_free(&f->uses);
	lc_arena_free(f->arena);
	free(f);
}

static const char *value_kind_name(lc_value_kind k)
{
	static const char *const names[] = {
		[LC_VAL_OTHER] = "other", [LC_VAL_FUNC] = "func",
		[LC_VAL_NULL] = "null",   [LC_VAL_INT] = "int",
		[LC_VAL_PARAM] = "param", [LC_VAL_VAR] = "var",
		[LC_VAL_FIELD] = "field", [LC_VAL_CALL] = "call",
		[LC_VAL_STRING] = "string",
	};
	return names[k];
}

static void dump_value(FILE *out, const lc_value *v)
{
	fprintf(out, "%s", value_kind_name(v->kind));
	if (v->key)
		fprintf(out, ":%s", v->key);
	if (v->has_ival)
		fprintf(out, "=%lld", v->ival);
	if (v->text)
		fprintf(out, " `%s`", v->text);
	if (v->holds)
		fprintf(out, " holds=%s", v->holds);
}

static void dump_loc(FILE *out, const lc_loc *l)
{
	fprintf(out, "%s:%u:%u", l->file ? l->file : "?", l->line, l->column);
}

void lc_facts_dump(const lc_facts *f, void *stream)
{
	FILE *out = stream;
	static const char *const call_kinds[] = { "direct", "field", "var", "param", "unknown" };
	static const char *const slot_kinds[] = { "field", "var", "param" };
	fprintf(out, "tu %s%s\n", f->main_file, f->failed ? " (failed)" : "");
	for (size_t i = 0; i < f->functions.len; i++) {
		const lc_function *fn = &f->functions.ptr[i];
		fprintf(out, "  function %zu %s key=%s params=%u%s%s ", i, fn->name, fn->key,
			fn->nparams, fn->is_static ? " static" : "", fn->is_noreturn ? " noreturn" : "");
		dump_loc(out, &fn->loc);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->calls.len; i++) {
		const lc_call *c = &f->calls.ptr[i];
		fprintf(out, "  call in %d %s %s (%s) ", c->caller, call_kinds[c->kind],
			c->name ? c->name : "?", c->callee ? c->callee : "-");
		dump_loc(out, &c->loc);
		if (c->macro)
			fprintf(out, " macro=%s", c->macro);
		if (c->loop_depth)
			fprintf(out, " loops=%u (innermost %d)", c->loop_depth, c->loop);
		if (c->guard)
			fprintf(out, " guard=%s#%d", c->guard < 0 ? "!" : "", abs(c->guard) - 1);
		if (c->off_loop)
			fprintf(out, " off-loop");
		for (unsigned a = 0; a < c->nargs; a++) {
			fprintf(out, a ? ", " : " args: ");
			dump_value(out, &c->args[a]);
		}
		if (c->result_to.kind != LC_VAL_OTHER) {
			fprintf(out, " -> ");
			dump_value(out, &c->result_to);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->stores.len; i++) {
		const lc_store *s = &f->stores.ptr[i];
		fprintf(out, "  store in %d %s %s <- ", s->function, slot_kinds[s->slot_kind], s->slot);
		dump_value(out, &s->value);
		fputc(' ', out);
		dump_loc(out, &s->loc);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->loops.len; i++) {
		const lc_loop *l = &f->loops.ptr[i];
		fprintf(out, "  loop %zu in %d parent=%d data=%d `%s` ", i, l->function, l->parent,
			l->bound_is_data, l->bound_text ? l->bound_text : "");
		dump_loc(out, &l->loc);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->globals.len; i++)
		fprintf(out, "  global %s\n", f->globals.ptr[i]);
	for (size_t i = 0; i < f->uses.len; i++)
		fprintf(out, "  uses %s\n", f->uses.ptr[i]);
	if (f->args.len) {
		fprintf(out, "  args");
		for (size_t i = 0; i < f->args.len; i++)
			fprintf(out, " %s", f->args.ptr[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->diags.len; i++) {
		fprintf(out, "  diag %s ", f->diags.ptr[i].fatal ? "fatal" : "error");
		dump_loc(out, &f->diags.ptr[i].loc);
		fprintf(out, " %s\n", f->diags.ptr[i].message);
	}
}
