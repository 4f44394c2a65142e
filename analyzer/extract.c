/* extract.c - walk one libclang AST and record its facts (see extract.h).
 *
 * The walk is driven by clang_visitChildren. Context that must be popped
 * (the current function, the stack of enclosing loops) is handled by
 * visiting such subtrees with a nested clang_visitChildren call and
 * returning CXChildVisit_Continue, since a plain Recurse never tells us when
 * a subtree ends.
 */
#define _GNU_SOURCE
#include "extract.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

enum { TEXT_MAX = 80, DIAGS_MAX = 20 };

/* A call whose result is stored somewhere, noted when the store is visited
 * (its parent) and consumed when the call itself is visited. */
typedef struct pending_result {
	CXCursor call;
	lc_value target;
} pending_result;

/* A counted loop being walked: its counter, and where its body starts (a
 * change of the counter in the header is its init or step; in the body it
 * is not). */
struct loop_ctx {
	int index;          /* in facts->loops */
	CXCursor counter;   /* the counter's VarDecl */
	unsigned body_start; /* file offset of the body: changes before it are the header's */
};

/* Canonical VarDecl cursors, compared with clang_equalCursors. */
typedef LC_VEC(CXCursor) cursor_set;

typedef struct walker {
	CXTranslationUnit tu;
	lc_facts *f;
	int function;          /* index in f->functions, -1 at file scope */
	CXCursor function_cursor;
	const char *function_key;
	int loop;              /* innermost loop index in f->loops, -1 if none */
	unsigned loop_depth;
	LC_VEC(pending_result) pending;
	LC_VEC(struct loop_ctx) loops; /* enclosing counted loops, innermost last */
	unsigned fork_child;  /* > 0 inside the child's branch of a fork() test */
	unsigned dying;       /* > 0 in statements that run just before exit()/abort() */
	bool fork_switch;     /* the next block is the body of switch (fork()) */
	lc_u64set noreturn_yes, noreturn_no; /* callees by clang_hashCursor, see ends_process */
	bool runs_once;       /* the next loop is followed by a return: it does not
			       * nest in the loop around it (see visit_compound) */
	/* Variables capped by a constant in the current function (see clamped). */
	cursor_set clamped;
	bool clamp_scanned;
	/* local_stream_holds's answers for the current function's locals. */
	LC_VEC(struct held { CXCursor var; const char *holds; }) held;
	int guard;            /* the innermost parameter test around the code being walked:
			       * +(i+1) where parameter i is true, -(i+1) where false, 0 none */
	bool is_c;            /* C (or Objective-C), not C++: see dead_if_branch */
	/* Variables changed somewhere in the current function, and in the
	 * whole TU, collected on first need (see constant_flag). */
	cursor_set fn_written, tu_written;
	bool fn_scanned, tu_scanned;
	const char *last_path; /* the last file path interned into f's arena */
	/* Cache of the last file's contents, for expression text. */
	CXFile text_file;
	const char *text;
	size_t text_len;
	lc_strmap used;        /* external symbols met so far (kept or not), for f->uses */
} walker;

/* ---- small libclang helpers -------------------------------------------- */

static const char *arena_cxstring(lc_arena *a, CXString s)
{
	const char *c = clang_getCString(s);
	const char *r = lc_arena_strdup(a, c ? c : "");
	clang_disposeString(s);
	return r;
}

static const char *file_path(walker *w, CXFile file)
{
	if (!file)
		return NULL;
	CXString s = clang_File_tryGetRealPathName(file);
	const char *c = clang_getCString(s);
	if (!c || !*c) {
		clang_disposeString(s);
		s = clang_getFileName(file);
		c = clang_getCString(s);
	}
	/* Reuse the last path: most locations repeat the same file. */
	const char *r;
	if (w->last_path && c && strcmp(w->last_path, c) == 0)
		r = w->last_path;
	else
		r = lc_arena_strdup(w->f->arena, c ? c : "");
	w->last_path = r;
	clang_disposeString(s);
	return r;
}

/* The location as the user sees it: for code from a macro body, the macro's
 * call site; for a macro argument, where the argument was written. */
static lc_loc user_loc(walker *w, CXSourceLocation sl)
{
	CXFile file;
	unsigned line, col, off;
	clang_getFileLocation(sl, &file, &line, &col, &off);
	lc_loc l = { file_path(w, file), line, col };
	return l;
}

static lc_loc cursor_loc(walker *w, CXCursor c)
{
	return user_loc(w, clang_getCursorLocation(c));
}

/* Library code: a system header, or any header installed under the
 * system's include directories even when reached through -I (GLib's
 * <glib.h> is found with -I/usr/include/glib-2.0, so clang does not call it
 * a system header, and its ~1,000 static inline helpers would otherwise be
 * extracted from every TU that includes it). */
static bool in_system_header(CXCursor c)
{
	CXSourceLocation l = clang_getCursorLocation(c);
	if (clang_Location_isInSystemHeader(l))
		return true;
	CXFile file;
	clang_getExpansionLocation(l, &file, NULL, NULL, NULL);
	if (!file)
		return false;
	CXString name = clang_getFileName(file);
	const char *n = clang_getCString(name);
	bool lib = n && (strncmp(n, "/usr/include/", 13) == 0 ||
			 strncmp(n, "/usr/local/include/", 19) == 0);
	clang_disposeString(name);
	return lib;
}

static enum CXChildVisitResult first_child_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	*(CXCursor *)d = c;
	return CXChildVisit_Break;
}

static CXCursor first_child(CXCursor c)
{
	CXCursor r = clang_getNullCursor();
	clang_visitChildren(c, first_child_visitor, &r);
	return r;
}

typedef struct children {
	CXCursor items[8];
	unsigned n;
} children;

static enum CXChildVisitResult children_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	children *ch = d;
	if (ch->n < 8)
		ch->items[ch->n] = c;
	ch->n++;
	return CXChildVisit_Continue;
}

/* Up to eight direct children; ch->n counts them all. */
static void get_children(CXCursor c, children *ch)
{
	ch->n = 0;
	clang_visitChildren(c, children_visitor, ch);
}

/* Strip what does not change which value an expression denotes. */
static CXCursor strip(CXCursor c)
{
	for (;;) {
		enum CXCursorKind k = clang_getCursorKind(c);
		if (k != CXCursor_UnexposedExpr && k != CXCursor_ParenExpr &&
		    k != CXCursor_CStyleCastExpr)
			return c;
		children ch;
		get_children(c, &ch);
		if (ch.n == 0)
			return c;
		/* A cast's children may start with a TypeRef: the value is last. */
		CXCursor next = ch.items[(ch.n > 8 ? 8 : ch.n) - 1];
		if (k == CXCursor_UnexposedExpr && ch.n != 1)
			return c; /* e.g. a designated initializer: not a wrapper */
		c = next;
	}
}

static bool is_function_pointer_type(CXType t)
{
	t = clang_getCanonicalType(t);
	if (t.kind != CXType_Pointer)
		return false;
	CXType p = clang_getCanonicalType(clang_getPointeeType(t));
	return p.kind == CXType_FunctionProto || p.kind == CXType_FunctionNoProto;
}

static bool is_record_or_array(CXType t)
{
	t = clang_getCanonicalType(t);
	return t.kind == CXType_Record || t.kind == CXType_ConstantArray ||
	       t.kind == CXType_IncompleteArray;
}

/* Make w->text the contents of `file` (kept while the TU lives); false if
 * libclang has none. */
static bool load_text(walker *w, CXFile file)
{
	if (!w->text_file || !clang_File_isEqual(w->text_file, file)) {
		w->text = clang_getFileContents(w->tu, file, &w->text_len);
		w->text_file = file;
	}
	return w->text != NULL;
}

/* The identifier starting at `offset` in `file` (*len bytes of the TU's
 * copy of the file), or NULL. */
static const char *identifier_at(walker *w, CXFile file, unsigned offset, size_t *len)
{
	if (!load_text(w, file) || offset >= w->text_len)
		return NULL;
	const char *p = w->text + offset, *end = w->text + w->text_len;
	const char *q = p;
	while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q == p || isdigit((unsigned char)*p))
		return NULL;
	*len = (size_t)(q - p);
	return p;
}

/* The name of the macro invoked where a call is reported, when the call
 * comes from that macro's body; NULL when the call is written in place or
 * in a macro argument (then it is reported where the argument is written).
 * libclang 14 gives a call in a macro body the invocation as its spelling
 * location too, so the test is textual: a call written in place starts
 * with its callee's first identifier. Reading the text spares the parse a
 * detailed preprocessing record (5% of parse time). */
static const char *macro_of_call(walker *w, CXCursor call, const char *callee)
{
	CXSourceLocation at = clang_getCursorLocation(call);
	CXFile file, shown;
	unsigned offset, shown_offset;
	clang_getExpansionLocation(at, &file, NULL, NULL, &offset);
	clang_getFileLocation(at, &shown, NULL, NULL, &shown_offset);
	if (!file || !shown || !clang_File_isEqual(file, shown) || offset != shown_offset)
		return NULL;
	size_t n = 0;
	const char *id = identifier_at(w, file, offset, &n);
	if (!id)
		return NULL;
	if (callee && strncmp(callee, id, n) == 0 && !isalnum((unsigned char)callee[n]) &&
	    callee[n] != '_')
		return NULL;
	return lc_arena_strndup(w->f->arena, id, n);
}

/* Source text of a cursor's extent, if it lies in one file; truncated. */
static const char *cursor_text(walker *w, CXCursor c)
{
	CXSourceRange r = clang_getCursorExtent(c);
	CXFile f1, f2;
	unsigned o1, o2;
	clang_getExpansionLocation(clang_getRangeStart(r), &f1, NULL, NULL, &o1);
	clang_getExpansionLocation(clang_getRangeEnd(r), &f2, NULL, NULL, &o2);
	if (!f1 || !clang_File_isEqual(f1, f2) || o2 <= o1)
		return NULL;
	if (!load_text(w, f1) || o2 > w->text_len)
		return NULL;
	size_t n = o2 - o1;
	if (n > TEXT_MAX)
		n = TEXT_MAX;
	char *s = lc_arena_strndup(w->f->arena, w->text + o1, n);
	/* Keep the text on one line for messages and dumps. */
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
}

/* ---- keys ---------------------------------------------------------------- */

static const char *function_key(walker *w, CXCursor fn)
{
	CXString usr = clang_getCursorUSR(fn);
	const char *u = clang_getCString(usr);
	const char *key;
	if (clang_getCursorLinkage(fn) == CXLinkage_Internal) {
		/* Static functions in a/util.c and b/util.c share a USR. */
		CXCursor def = clang_getCursorDefinition(fn);
		if (clang_Cursor_isNull(def))
			def = clang_getCanonicalCursor(fn);
		CXFile file;
		clang_getFileLocation(clang_getCursorLocation(def), &file, NULL, NULL, NULL);
		const char *path = file_path(w, file);
		size_t n = strlen(u) + strlen(path ? path : "") + 2;
		char *k = lc_arena_alloc(w->f->arena, n);
		snprintf(k, n, "%s|%s", u, path ? path : "");
		key = k;
	} else {
		key = lc_arena_strdup(w->f->arena, u);
	}
	clang_disposeString(usr);
	return key;
}

static const char *record_name(walker *w, CXCursor record)
{
	CXString s = clang_getCursorSpelling(record);
	const char *c = clang_getCString(s);
	const char *r = NULL;
	if (c && *c && !strchr(c, ' ')) {
		r = lc_arena_strdup(w->f->arena, c);
	} else {
		/* Anonymous struct: use the typedef name clang prints for it. */
		CXString t = clang_getTypeSpelling(clang_getCursorType(record));
		const char *ts = clang_getCString(t);
		if (ts && strncmp(ts, "struct ", 7) == 0)
			ts += 7;
		else if (ts && strncmp(ts, "union ", 6) == 0)
			ts += 6;
		if (ts && *ts && !strchr(ts, ' ') && !strchr(ts, '('))
			r = lc_arena_strdup(w->f->arena, ts);
		clang_disposeString(t);
	}
	clang_disposeString(s);
	return r;
}

static const char *field_key(walker *w, CXCursor field)
{
	CXCursor rec = clang_getCursorSemanticParent(field);
	const char *rn = record_name(w, rec);
	CXString fs = clang_getCursorSpelling(field);
	const char *fname = clang_getCString(fs);
	const char *key;
	if (rn) {
		size_t n = strlen(rn) + strlen(fname) + 2;
		char *k = lc_arena_alloc(w->f->arena, n);
		snprintf(k, n, "%s.%s", rn, fname);
		key = k;
	} else {
		key = arena_cxstring(w->f->arena, clang_getCursorUSR(field));
	}
	clang_disposeString(fs);
	return key;
}

/* Key for "somewhere in this record type", when brace elision hides which
 * field an initializer fills. */
static const char *record_any_key(walker *w, CXType t)
{
	CXCursor decl = clang_getTypeDeclaration(clang_getCanonicalType(t));
	const char *rn = record_name(w, decl);
	if (!rn)
		return NULL;
	size_t n = strlen(rn) + 3;
	char *k = lc_arena_alloc(w->f->arena, n);
	snprintf(k, n, "%s.*", rn);
	return k;
}

static const char *var_key(walker *w, CXCursor var)
{
	CXString usr = clang_getCursorUSR(var);
	const char *u = clang_getCString(usr);
	const char *key;
	if (clang_getCursorLinkage(var) == CXLinkage_External) {
		key = lc_arena_strdup(w->f->arena, u);
	} else {
		CXFile file;
		clang_getFileLocation(clang_getCursorLocation(var), &file, NULL, NULL, NULL);
		const char *path = file_path(w, file);
		size_t n = strlen(u) + strlen(path ? path : "") + 2;
		char *k = lc_arena_alloc(w->f->arena, n);
		snprintf(k, n, "%s|%s", u, path ? path : "");
		key = k;
	}
	clang_disposeString(usr);
	return key;
}

static int param_index(walker *w, CXCursor parm)
{
	if (w->function < 0)
		return -1;
	int n = clang_Cursor_getNumArguments(w->function_cursor);
	for (int i = 0; i < n; i++)
		if (clang_equalCursors(clang_Cursor_getArgument(w->function_cursor, (unsigned)i),
				       parm))
			return i;
	return -1;
}

/* The slot key of parameter `index` of function `fn_key` (link.c's format). */
static const char *param_key(walker *w, const char *fn_key, int index)
{
	size_t n = strlen(fn_key) + 16;
	char *k = lc_arena_alloc(w->f->arena, n);
	snprintf(k, n, "%s#%d", fn_key, index);
	return k;
}

/* ---- values -------------------------------------------------------------- */

/* Describe what a declaration reference denotes. */
static void value_from_decl(walker *w, CXCursor ref, lc_value *v)
{
	enum CXCursorKind k = clang_getCursorKind(ref);
	switch (k) {
	case CXCursor_FunctionDecl:
		v->kind = LC_VAL_FUNC;
		v->key = function_key(w, ref);
		break;
	case CXCursor_ParmDecl: {
		int i = param_index(w, ref);
		if (i >= 0) {
			v->kind = LC_VAL_PARAM;
			v->param = i;
			v->key = param_key(w, w->function_key, i);
		}
		break;
	}
	case CXCursor_VarDecl:
		v->kind = LC_VAL_VAR;
		v->key = var_key(w, ref);
		break;
	case CXCursor_FieldDecl:
		v->kind = LC_VAL_FIELD;
		v->key = field_key(w, ref);
		break;
	case CXCursor_EnumConstantDecl:
		v->kind = LC_VAL_INT;
		v->ival = clang_getEnumConstantDeclValue(ref);
		v->has_ival = true;
		break;
	default:
		break;
	}
	if (v->kind != LC_VAL_OTHER)
		v->name = arena_cxstring(w->f->arena, clang_getCursorSpelling(ref));
}

static void evaluate_int(CXCursor expr, lc_value *v)
{
	CXEvalResult ev = clang_Cursor_Evaluate(expr);
	if (!ev)
		return;
	if (clang_EvalResult_getKind(ev) == CXEval_Int) {
		v->ival = clang_EvalResult_getAsLongLong(ev);
		v->has_ival = true;
	}
	clang_EvalResult_dispose(ev);
}

static const char *local_stream_holds(walker *w, CXCursor var);

static void classify(walker *w, CXCursor expr, lc_value *v)
{
	memset(v, 0, sizeof(*v));
	v->text = cursor_text(w, expr);
	CXCursor e = strip(expr);
	enum CXCursorKind k = clang_getCursorKind(e);
	switch (k) {
	case CXCursor_IntegerLiteral:
	case CXCursor_CharacterLiteral:
		evaluate_int(e, v);
		if (v->has_ival && v->ival == 0 &&
		    clang_getCanonicalType(clang_getCursorType(expr)).kind == CXType_Pointer)
			v->kind = LC_VAL_NULL;
		else
			v->kind = LC_VAL_INT;
		return;
	case CXCursor_StringLiteral:
		v->kind = LC_VAL_STRING;
		return;
	case CXCursor_DeclRefExpr:
		value_from_decl(w, clang_getCursorReferenced(e), v);
		if (v->kind == LC_VAL_VAR && clang_getCanonicalType(clang_getCursorType(e)).kind
						     != CXType_Pointer)
			evaluate_int(e, v); /* a const int variable still names a value */
		else if (v->kind == LC_VAL_VAR)
			v->holds = local_stream_holds(w, clang_getCursorReferenced(e));
		return;
	case CXCursor_MemberRefExpr: {
		CXCursor ref = clang_getCursorReferenced(e);
		if (clang_getCursorKind(ref) == CXCursor_FieldDecl)
			value_from_decl(w, ref, v);
		return;
	}
	case CXCursor_UnaryOperator: {
		/* &f: the function itself. Other unary operators: a constant at most. */
		CXCursor inner = strip(first_child(e));
		if (clang_getCursorKind(inner) == CXCursor_DeclRefExpr) {
			CXCursor ref = clang_getCursorReferenced(inner);
			if (clang_getCursorKind(ref) == CXCursor_FunctionDecl) {
				value_from_decl(w, ref, v);
				return;
			}
		}
		break;
	}
	case CXCursor_CallExpr: {
		v->kind = LC_VAL_CALL;
		CXCursor ref = clang_getCursorReferenced(e);
		if (!clang_Cursor_isNull(ref))
			v->name = arena_cxstring(w->f->arena, clang_getCursorSpelling(ref));
		return;
	}
	default:
		break;
	}
	evaluate_int(e, v);
	if (v->has_ival) {
		v->kind = v->ival == 0 && clang_getCanonicalType(clang_getCursorType(expr)).kind ==
						  CXType_Pointer
				  ? LC_VAL_NULL
				  : LC_VAL_INT;
	}
}

/* ---- recording ------------------------------------------------------------ */

static void add_store(walker *w, lc_slot_kind kind, const char *slot, const char *slot_name,
		      const lc_value *v, CXCursor at)
{
	if (!slot)
		return;
	if (v->kind != LC_VAL_FUNC && v->kind != LC_VAL_PARAM && v->kind != LC_VAL_VAR &&
	    v->kind != LC_VAL_FIELD)
		return;
	lc_store s = { 0 };
	s.function = w->function;
	s.slot_kind = kind;
	s.slot = slot;
	s.slot_name = slot_name;
	s.value = *v;
	s.loc = cursor_loc(w, at);
	lc_vec_push(&w->f->stores, s);
}

/* The branches of `c ? on_tls_read : on_read` (false if `e` is no such
 * expression): each may be the value stored or passed. */
static bool conditional_branches(CXCursor e, CXCursor out[2])
{
	e = strip(e);
	if (clang_getCursorKind(e) != CXCursor_ConditionalOperator)
		return false;
	children ch;
	get_children(e, &ch);
	if (ch.n != 3)
		return false;
	out[0] = ch.items[1];
	out[1] = ch.items[2];
	return true;
}

/* Store the value of expression `value` (either branch of a conditional,
 * to any depth) into a slot. */
static void store_value(walker *w, lc_slot_kind kind, const char *slot, const char *slot_name,
			CXCursor value, CXCursor at)
{
	CXCursor branch[2];
	if (conditional_branches(value, branch)) {
		store_value(w, kind, slot, slot_name, branch[0], at);
		store_value(w, kind, slot, slot_name, branch[1], at);
		return;
	}
	lc_value v;
	classify(w, value, &v);
	add_store(w, kind, slot, slot_name, &v, at);
}

/* The slot an lvalue expression denotes: a field, a variable or a parameter. */
/* handlers[i] names the slot of `handlers` (see array_slot). */
static CXCursor array_base(CXCursor e)
{
	e = strip(e);
	while (clang_getCursorKind(e) == CXCursor_ArraySubscriptExpr)
		e = strip(first_child(e));
	return e;
}

static bool lvalue_slot(walker *w, CXCursor lhs, lc_slot_kind *kind, const char **key,
			const char **name)
{
	lc_value v;
	classify(w, array_base(lhs), &v);
	*name = v.name;
	*key = v.key;
	switch (v.kind) {
	case LC_VAL_FIELD:
		*kind = LC_SLOT_FIELD;
		return true;
	case LC_VAL_VAR:
		*kind = LC_SLOT_VAR;
		return true;
	case LC_VAL_PARAM:
		*kind = LC_SLOT_PARAM;
		return true;
	default:
		return false;
	}
}

/* libclang 14 cannot tell a BinaryOperator's operator; read it from the
 * source text between the operands. In a macro body there is no such text:
 * callers then rely on the type (see LIBCLANG.md). */
typedef enum { OP_UNKNOWN, OP_ASSIGN, OP_AND, OP_OR, OP_EQ, OP_NE, OP_OTHER } op_kind;

static op_kind binary_operator(walker *w, CXCursor lhs, CXCursor rhs)
{
	CXFile f1, f2;
	unsigned o1, o2;
	clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(lhs)), &f1, NULL, NULL,
				  &o1);
	clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(rhs)), &f2, NULL, NULL,
				  &o2);
	if (!f1 || !clang_File_isEqual(f1, f2) || o2 < o1 || o2 - o1 > 64)
		return OP_UNKNOWN;
	if (!load_text(w, f1) || o2 > w->text_len)
		return OP_UNKNOWN;
	const char *p = w->text + o1, *end = w->text + o2;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\\'))
		p++;
	if (p < end && *p == '=' && (p + 1 == end || p[1] != '='))
		return OP_ASSIGN;
	if (p + 1 < end && p[0] == '&' && p[1] == '&')
		return OP_AND;
	if (p + 1 < end && p[0] == '|' && p[1] == '|')
		return OP_OR;
	if (p + 1 < end && p[0] == '=' && p[1] == '=')
		return OP_EQ;
	if (p + 1 < end && p[0] == '!' && p[1] == '=')
		return OP_NE;
	return OP_OTHER;
}

static void note_pending_result(walker *w, CXCursor value, const lc_value *target)
{
	CXCursor call = strip(value);
	if (clang_getCursorKind(call) != CXCursor_CallExpr)
		return;
	pending_result p = { call, *target };
	lc_vec_push(&w->pending, p);
}

static void visit_binary_operator(walker *w, CXCursor c, const children *ch)
{
	if (ch->n != 2)
		return;
	CXCursor lhs = ch->items[0], rhs = ch->items[1];
	bool fnptr = is_function_pointer_type(clang_getCursorType(c));
	/* Only two kinds of assignment matter: of a function pointer, and of a
	 * call's result. Decide that from the types and the right operand
	 * first: reading the operator needs the left operand's extent, which
	 * costs the depth of a left-leaning chain (a && b && c ...). */
	if (!fnptr && clang_getCursorKind(strip(rhs)) != CXCursor_CallExpr)
		return;
	op_kind op = binary_operator(w, lhs, rhs);
	if (op == OP_OTHER || (op == OP_UNKNOWN && !fnptr))
		return;
	lc_slot_kind kind;
	const char *key, *name;
	if (!lvalue_slot(w, lhs, &kind, &key, &name))
		return;
	if (fnptr) {
		store_value(w, kind, key, name, rhs, c);
	} else {
		lc_value target = { 0 };
		target.kind = kind == LC_SLOT_FIELD ? LC_VAL_FIELD
			      : kind == LC_SLOT_VAR ? LC_VAL_VAR
						    : LC_VAL_PARAM;
		target.key = key;
		target.name = name;
		note_pending_result(w, rhs, &target);
	}
}

/* ---- initializer lists ---------------------------------------------------- */

typedef struct field_list {
	LC_VEC(CXCursor) fields;
} field_list;

static enum CXVisitorResult field_collector(CXCursor c, CXClientData d)
{
	field_list *fl = d;
	lc_vec_push(&fl->fields, c);
	return CXVisit_Continue;
}

/* The slot an array of function pointers stores into: the whole array is
 * one slot (its variable or field), indexes are not told apart. */
typedef struct array_slot {
	lc_slot_kind kind;
	const char *key, *name; /* key NULL: not an array of function pointers */
} array_slot;

static void visit_init_list(walker *w, CXCursor list, CXType type, array_slot slot);

static bool is_function_pointer_array(CXType t)
{
	t = clang_getCanonicalType(t);
	if (t.kind != CXType_ConstantArray && t.kind != CXType_IncompleteArray)
		return false;
	return is_function_pointer_type(clang_getArrayElementType(t));
}

static void init_value(walker *w, CXCursor field, CXCursor value, CXCursor at)
{
	CXType ft = clang_getCursorType(field);
	CXCursor sv = strip(value);
	if (clang_getCursorKind(sv) == CXCursor_InitListExpr) {
		array_slot slot = { LC_SLOT_FIELD, NULL, NULL };
		if (is_function_pointer_array(ft)) {
			slot.key = field_key(w, field);
			slot.name = arena_cxstring(w->f->arena, clang_getCursorSpelling(field));
		}
		visit_init_list(w, sv, ft, slot);
		return;
	}
	if (!is_function_pointer_type(ft))
		return;
	const char *name = arena_cxstring(w->f->arena, clang_getCursorSpelling(field));
	store_value(w, LC_SLOT_FIELD, field_key(w, field), name, value, at);
}

typedef struct init_state {
	walker *w;
	CXType type;      /* the list's type: record or array */
	field_list fl;
	size_t next;      /* next positional field */
	bool elided;      /* brace elision seen: positions are unreliable */
	array_slot slot;  /* for an array of function pointers */
} init_state;

static enum CXChildVisitResult designator_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	CXCursor *out = d;
	if (clang_getCursorKind(c) == CXCursor_MemberRef)
		out[0] = c;
	else
		out[1] = c; /* the value is the last non-designator child */
	return CXChildVisit_Continue;
}

static enum CXChildVisitResult init_entry_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	init_state *st = d;
	walker *w = st->w;
	CXType canon = clang_getCanonicalType(st->type);
	if (canon.kind == CXType_ConstantArray || canon.kind == CXType_IncompleteArray) {
		CXType elem = clang_getArrayElementType(canon);
		CXCursor sv = strip(c);
		if (st->slot.key && clang_getCursorKind(sv) != CXCursor_InitListExpr) {
			lc_value v;
			classify(w, c, &v);
			add_store(w, st->slot.kind, st->slot.key, st->slot.name, &v, c);
			return CXChildVisit_Continue;
		}
		array_slot none = { LC_SLOT_FIELD, NULL, NULL };
		if (clang_getCursorKind(sv) == CXCursor_InitListExpr) {
			visit_init_list(w, sv, elem, none);
		} else if (clang_getCursorKind(sv) != CXCursor_UnexposedExpr &&
			   is_record_or_array(elem)) {
			/* Brace elision in an array of structs ({ "a", f, "b", g }):
			 * which field a value fills is not worth guessing; it is
			 * stored "somewhere in the element type". */
			st->elided = true;
			lc_value v;
			classify(w, c, &v);
			if (v.kind == LC_VAL_FUNC)
				add_store(w, LC_SLOT_FIELD, record_any_key(w, elem), "*", &v, c);
		}
		return CXChildVisit_Continue;
	}
	if (canon.kind != CXType_Record)
		return CXChildVisit_Continue;
	if (clang_getCursorKind(c) == CXCursor_UnexposedExpr) {
		/* A designated initializer: MemberRef(s), then the value. */
		CXCursor parts[2] = { clang_getNullCursor(), clang_getNullCursor() };
		clang_visitChildren(c, designator_visitor, parts);
		if (!clang_Cursor_isNull(parts[0]) && !clang_Cursor_isNull(parts[1])) {
			CXCursor field = clang_getCursorReferenced(parts[0]);
			init_value(w, field, parts[1], c);
			for (size_t i = 0; i < st->fl.fields.len; i++)
				if (clang_equalCursors(st->fl.fields.ptr[i], field))
					st->next = i + 1;
			return CXChildVisit_Continue;
		}
	}
	if (st->next >= st->fl.fields.len)
		return CXChildVisit_Continue;
	CXCursor field = st->fl.fields.ptr[st->next++];
	CXCursor sv = strip(c);
	if (is_record_or_array(clang_getCursorType(field)) &&
	    clang_getCursorKind(sv) != CXCursor_InitListExpr)
		st->elided = true;
	if (st->elided) {
		lc_value v;
		classify(w, c, &v);
		if (v.kind == LC_VAL_FUNC)
			add_store(w, LC_SLOT_FIELD, record_any_key(w, st->type), "*", &v, c);
		return CXChildVisit_Continue;
	}
	init_value(w, field, c, c);
	return CXChildVisit_Continue;
}

static void visit_init_list(walker *w, CXCursor list, CXType type, array_slot slot)
{
	init_state st = { 0 };
	st.w = w;
	st.type = type;
	st.slot = slot;
	CXType canon = clang_getCanonicalType(type);
	if (canon.kind == CXType_Record)
		clang_Type_visitFields(canon, field_collector, &st.fl);
	clang_visitChildren(list, init_entry_visitor, &st);
	lc_vec_free(&st.fl.fields);
}

/* ---- symbols: what the TU defines and uses, for programs.h -------------- */

/* A file-scope definition of an external variable: `int n;`, `T t = {...};`
 * (not `extern T t;`, which only declares it). */
static void note_global(walker *w, CXCursor c)
{
	if (w->function >= 0 || clang_getCursorLinkage(c) != CXLinkage_External)
		return;
	if (clang_Cursor_getStorageClass(c) == CX_SC_Extern && !clang_isCursorDefinition(c))
		return;
	const char *key = var_key(w, c);
	for (size_t i = 0; i < w->f->globals.len; i++)
		if (strcmp(w->f->globals.ptr[i], key) == 0)
			return; /* a tentative definition repeated */
	lc_vec_push(&w->f->globals, key);
}

/* A reference to an external function or variable: a candidate for
 * f->uses (lc_extract drops those the TU defines itself). Library
 * declarations are left out: no TU of the database defines them, and
 * every TU names dozens. */
static void note_use(walker *w, CXCursor ref_expr)
{
	CXCursor d = clang_getCursorReferenced(ref_expr);
	enum CXCursorKind k = clang_getCursorKind(d);
	if ((k != CXCursor_FunctionDecl && k != CXCursor_VarDecl) ||
	    clang_getCursorLinkage(d) != CXLinkage_External)
		return;
	CXString usr = clang_getCursorUSR(d);
	const char *u = clang_getCString(usr);
	if (u && *u && lc_strmap_get(&w->used, u) == LC_NONE) {
		const char *key = lc_arena_strdup(w->f->arena, u);
		lc_strmap_intern(&w->used, key, NULL);
		if (!in_system_header(clang_getCanonicalCursor(d)))
			lc_vec_push(&w->f->uses, key);
	}
	clang_disposeString(usr);
}

/* Drop from f->uses what the TU defines itself: what is left is what it
 * needs from other TUs. */
static void drop_own_symbols(lc_facts *f)
{
	lc_strmap own = { 0 };
	for (size_t i = 0; i < f->functions.len; i++)
		if (!f->functions.ptr[i].is_static)
			lc_strmap_intern(&own, f->functions.ptr[i].key, NULL);
	for (size_t i = 0; i < f->globals.len; i++)
		lc_strmap_intern(&own, f->globals.ptr[i], NULL);
	size_t n = 0;
	for (size_t i = 0; i < f->uses.len; i++)
		if (lc_strmap_get(&own, f->uses.ptr[i]) == LC_NONE)
			f->uses.ptr[n++] = f->uses.ptr[i];
	f->uses.len = n;
	lc_strmap_free(&own);
}

static void visit_var_decl(walker *w, CXCursor c)
{
	CXType t = clang_getCursorType(c);
	/* The initializer is the last child (after any TypeRef). */
	children ch;
	get_children(c, &ch);
	if (ch.n == 0 || ch.n > 8)
		return;
	CXCursor init = ch.items[ch.n - 1];
	if (!clang_isExpression(clang_getCursorKind(init)))
		return;
	lc_value target = { 0 };
	target.kind = LC_VAL_VAR;
	target.key = var_key(w, c);
	target.name = arena_cxstring(w->f->arena, clang_getCursorSpelling(c));
	if (is_function_pointer_type(t)) {
		store_value(w, LC_SLOT_VAR, target.key, target.name, init, c);
	} else if (is_record_or_array(t)) {
		CXCursor sv = strip(init);
		array_slot slot = { LC_SLOT_VAR, NULL, NULL };
		if (is_function_pointer_array(t)) {
			slot.key = target.key;
			slot.name = target.name;
		}
		if (clang_getCursorKind(sv) == CXCursor_InitListExpr)
			visit_init_list(w, sv, t, slot);
	} else {
		note_pending_result(w, init, &target);
	}
}

/* ---- calls ------------------------------------------------------------- */

/* clang_equalCursors also compares the parent declaration, which differs
 * between a cursor met through its parent and one met in the walk. */
static bool same_expression(CXCursor a, CXCursor b)
{
	return clang_getCursorKind(a) == clang_getCursorKind(b) &&
	       clang_equalRanges(clang_getCursorExtent(a), clang_getCursorExtent(b));
}

static void visit_call(walker *w, CXCursor c)
{
	lc_call call = { 0 };
	call.caller = w->function;
	call.loop_depth = w->loop_depth;
	call.loop = w->loop;
	call.off_loop = w->fork_child > 0 || w->dying > 0;
	call.guard = w->guard;
	call.loc = cursor_loc(w, c);
	call.result_to.kind = LC_VAL_OTHER;
	for (size_t i = 0; i < w->pending.len; i++) {
		if (same_expression(w->pending.ptr[i].call, c)) {
			call.result_to = w->pending.ptr[i].target;
			w->pending.ptr[i] = w->pending.ptr[--w->pending.len];
			break;
		}
	}

	CXCursor ref = clang_getCursorReferenced(c);
	if (clang_Cursor_isNull(ref) || clang_getCursorKind(ref) == CXCursor_CallExpr) {
		/* (*h->cb)(h) and friends: dig the callee out of the first child. */
		CXCursor callee = strip(first_child(c));
		while (clang_getCursorKind(callee) == CXCursor_UnaryOperator ||
		       clang_getCursorKind(callee) == CXCursor_ArraySubscriptExpr)
			callee = strip(first_child(callee));
		enum CXCursorKind k = clang_getCursorKind(callee);
		if (k == CXCursor_DeclRefExpr || k == CXCursor_MemberRefExpr)
			ref = clang_getCursorReferenced(callee);
		else
			ref = clang_getNullCursor();
	}
	lc_value target = { 0 };
	if (!clang_Cursor_isNull(ref))
		value_from_decl(w, ref, &target);
	switch (target.kind) {
	case LC_VAL_FUNC:
		call.kind = LC_CALL_DIRECT;
		break;
	case LC_VAL_FIELD:
		call.kind = LC_CALL_FIELD;
		break;
	case LC_VAL_VAR:
		call.kind = LC_CALL_VAR;
		break;
	case LC_VAL_PARAM:
		call.kind = LC_CALL_PARAM;
		break;
	default:
		call.kind = LC_CALL_UNKNOWN;
		break;
	}
	call.callee = target.key;
	call.name = target.name;
	if (!call.name)
		call.name = cursor_text(w, first_child(c));

	call.macro = macro_of_call(w, c, call.name);

	int nargs = clang_Cursor_getNumArguments(c);
	if (nargs > 0) {
		call.nargs = (unsigned)nargs;
		call.args = lc_arena_alloc(w->f->arena, sizeof(lc_value) * (size_t)nargs);
		for (int i = 0; i < nargs; i++) {
			CXCursor arg = clang_Cursor_getArgument(c, (unsigned)i), branch[2];
			classify(w, arg, &call.args[i]);
			/* reg(c ? on_tls_read : on_read): both flow into the
			 * callee's parameter, as stores into its slot. */
			if (call.kind == LC_CALL_DIRECT && call.callee &&
			    conditional_branches(arg, branch))
				store_value(w, LC_SLOT_PARAM, param_key(w, call.callee, i), call.name,
					    arg, c);
		}
	}
	lc_vec_push(&w->f->calls, call);
}

/* ---- the walk ----------------------------------------------------------- */

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data);

static bool is_constant(CXCursor e)
{
	CXEvalResult ev = clang_Cursor_Evaluate(e);
	if (!ev)
		return false;
	bool k = clang_EvalResult_getKind(ev) == CXEval_Int;
	clang_EvalResult_dispose(ev);
	return k;
}

/* The variable an expression names, if it is a plain variable reference. */
static CXCursor referenced_var(CXCursor e)
{
	e = strip(e);
	if (clang_getCursorKind(e) == CXCursor_DeclRefExpr)
		return clang_getCursorReferenced(e);
	return clang_getNullCursor();
}

/* A local variable whose declaration starts it at a constant, like a
 * counter (unsigned i = BLOCK - 1). Reassignments are not tracked. */
static bool is_constant_started_local(CXCursor var)
{
	if (clang_getCursorKind(var) != CXCursor_VarDecl ||
	    clang_getCursorLinkage(var) != CXLinkage_NoLinkage)
		return false;
	children ch;
	get_children(var, &ch);
	if (ch.n == 0 || ch.n > 8)
		return false;
	CXCursor init = ch.items[ch.n - 1];
	return clang_isExpression(clang_getCursorKind(init)) && is_constant(init);
}

/* Does a loop condition depend on runtime data? A constant condition
 * (while (1)) does not, nor a comparison of a counter (the for loop's own,
 * or a local started at a constant) with a constant (i < 16,
 * i < ARRAY_SIZE(x)), nor a conjunction with such a bounded part. Anything
 * else does: i < len, n > 0 on a parameter, p != NULL, *s,
 * (n = read(...)) > 0. */
enum { CONDITION_DEPTH = 64 }; /* deeper && / || chains: assume data-bound */

static bool condition_is_data_at(walker *w, CXCursor cond, CXCursor counter, unsigned depth);

/* The counter of an enclosing counted loop: it starts at a constant but
 * runs over the data (for (j = 0; j < i; j++) inside a loop over i). */
static bool enclosing_counter(walker *w, CXCursor var)
{
	for (size_t i = 0; i < w->loops.len; i++)
		if (clang_equalCursors(w->loops.ptr[i].counter, var))
			return true;
	return false;
}

/* `if (len > 131) len = 131;`: the variable is capped by a constant, so a
 * loop to it is bounded (coturn's ACME request check). Found by a scan of
 * the function for such ifs, once per function. */
static enum CXChildVisitResult clamp_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	walker *w = d;
	if (clang_getCursorKind(c) != CXCursor_IfStmt)
		return CXChildVisit_Recurse;
	children ch;
	get_children(c, &ch);
	CXCursor cond = strip(ch.n >= 2 ? ch.items[0] : clang_getNullCursor());
	CXCursor then = ch.n >= 2 ? ch.items[1] : clang_getNullCursor();
	if (ch.n == 2 && clang_getCursorKind(then) == CXCursor_CompoundStmt) {
		children body;
		get_children(then, &body);
		then = body.n == 1 ? body.items[0] : clang_getNullCursor();
	}
	children cmp, set;
	if (clang_getCursorKind(cond) != CXCursor_BinaryOperator ||
	    clang_getCursorKind(then) != CXCursor_BinaryOperator)
		return CXChildVisit_Recurse;
	get_children(cond, &cmp);
	get_children(then, &set);
	if (cmp.n != 2 || set.n != 2 || !is_constant(cmp.items[1]) || !is_constant(set.items[1]))
		return CXChildVisit_Recurse;
	CXCursor var = referenced_var(cmp.items[0]);
	if (clang_Cursor_isNull(var) || !clang_equalCursors(var, referenced_var(set.items[0])) ||
	    binary_operator(w, set.items[0], set.items[1]) != OP_ASSIGN)
		return CXChildVisit_Recurse;
	const char *op = cursor_text(w, cond);
	const char *gt = op ? strchr(op, '>') : NULL;
	if (gt && gt[1] != '>')
		lc_vec_push(&w->clamped, var);
	return CXChildVisit_Recurse;
}

static bool clamped(walker *w, CXCursor var)
{
	if (!w->clamp_scanned && w->function >= 0) {
		w->clamp_scanned = true;
		clang_visitChildren(w->function_cursor, clamp_visitor, w);
	}
	for (size_t i = 0; i < w->clamped.len; i++)
		if (clang_equalCursors(w->clamped.ptr[i], var))
			return true;
	return false;
}

static bool condition_is_data(walker *w, CXCursor cond, CXCursor counter)
{
	return condition_is_data_at(w, cond, counter, 0);
}

static bool condition_is_data_at(walker *w, CXCursor cond, CXCursor counter, unsigned depth)
{
	if (depth > CONDITION_DEPTH)
		return true;
	cond = strip(cond);
	children ch;
	bool binary = clang_getCursorKind(cond) == CXCursor_BinaryOperator;
	if (binary)
		get_children(cond, &ch);
	op_kind op = binary && ch.n == 2 ? binary_operator(w, ch.items[0], ch.items[1]) : OP_UNKNOWN;
	/* Conjunctions are split before anything is evaluated: evaluating a
	 * long && chain at every level would be quadratic. */
	if (op != OP_AND && op != OP_OR && is_constant(cond))
		return false;
	if (!binary)
		return true;
	if (ch.n != 2)
		return true;
	switch (op) {
	case OP_AND:
		return condition_is_data_at(w, ch.items[0], counter, depth + 1) &&
		       condition_is_data_at(w, ch.items[1], counter, depth + 1);
	case OP_OR:
		return condition_is_data_at(w, ch.items[0], counter, depth + 1) ||
		       condition_is_data_at(w, ch.items[1], counter, depth + 1);
	default:
		break;
	}
	for (unsigned i = 0; i < 2; i++) {
		CXCursor side = ch.items[i];
		if (is_constant(side))
			continue;
		CXCursor var = referenced_var(side);
		if (!clang_Cursor_isNull(counter) && !clang_Cursor_isNull(var) &&
		    clang_equalCursors(var, counter))
			continue;
		if (!clang_Cursor_isNull(var) && is_constant_started_local(var) &&
		    !enclosing_counter(w, var))
			continue;
		if (!clang_Cursor_isNull(var) && clamped(w, var))
			continue;
		return true;
	}
	return false;
}

/* Byte offset of a location in its file (expansion site for macros). */
static unsigned file_offset(CXSourceLocation l, CXFile *file)
{
	unsigned off;
	clang_getExpansionLocation(l, file, NULL, NULL, &off);
	return off;
}

/* The counter a for statement's init part sets: "int i = 0" or "i = 0". */
static CXCursor init_counter(CXCursor init)
{
	enum CXCursorKind k = clang_getCursorKind(init);
	if (k == CXCursor_DeclStmt) {
		CXCursor var = first_child(init);
		return clang_getCursorKind(var) == CXCursor_VarDecl ? var : clang_getNullCursor();
	}
	if (k == CXCursor_BinaryOperator)
		return referenced_var(first_child(init));
	return clang_getNullCursor();
}

/* The condition of a for statement: libclang visits only the parts that
 * exist, so find the one that starts between the header's two semicolons. */
static CXCursor for_condition(walker *w, CXCursor loop, const children *ch, CXCursor *counter,
			      CXCursor *step)
{
	CXFile file;
	unsigned start = file_offset(clang_getRangeStart(clang_getCursorExtent(loop)), &file);
	if (!file)
		return clang_getNullCursor();
	if (!load_text(w, file))
		return clang_getNullCursor();
	unsigned semi[2] = { 0, 0 }, nsemi = 0;
	int depth = 0;
	for (size_t i = start; i < w->text_len && nsemi < 2; i++) {
		char c = w->text[i];
		if (c == '(')
			depth++;
		else if (c == ')' && --depth <= 0)
			break;
		else if (c == ';' && depth == 1)
			semi[nsemi++] = (unsigned)i;
		else if (c == '"' || c == '\'')
			return clang_getNullCursor(); /* strings in a header: give up */
	}
	if (nsemi != 2)
		return clang_getNullCursor();
	unsigned n = ch->n < 8 ? ch->n : 8;
	CXCursor cond = clang_getNullCursor();
	for (unsigned i = 0; i < n; i++) {
		CXFile f;
		unsigned off = file_offset(clang_getRangeStart(clang_getCursorExtent(ch->items[i])), &f);
		if (!f || !clang_File_isEqual(f, file))
			continue;
		if (off < semi[0])
			*counter = init_counter(ch->items[i]);
		else if (off > semi[0] && off < semi[1])
			cond = ch->items[i];
		else if (off > semi[1] && i + 1 < n)
			*step = ch->items[i]; /* the last child is the body */
	}
	return cond;
}

/* Is `cond` a comparison of the counter with a runtime value (i < n,
 * j <= r->count), possibly inside a conjunction (i < n && buf[i] != ' ')? */
static bool counted_comparison_at(walker *w, CXCursor cond, CXCursor counter, unsigned depth);

static bool counted_comparison(walker *w, CXCursor cond, CXCursor counter)
{
	return counted_comparison_at(w, cond, counter, 0);
}

static bool counted_comparison_at(walker *w, CXCursor cond, CXCursor counter, unsigned depth)
{
	if (depth > CONDITION_DEPTH)
		return false;
	cond = strip(cond);
	if (clang_getCursorKind(cond) != CXCursor_BinaryOperator)
		return false;
	children ch;
	get_children(cond, &ch);
	if (ch.n != 2)
		return false;
	switch (binary_operator(w, ch.items[0], ch.items[1])) {
	case OP_AND:
		return counted_comparison_at(w, ch.items[0], counter, depth + 1) ||
		       counted_comparison_at(w, ch.items[1], counter, depth + 1);
	case OP_OR:
		return counted_comparison_at(w, ch.items[0], counter, depth + 1) &&
		       counted_comparison_at(w, ch.items[1], counter, depth + 1);
	case OP_ASSIGN:
		return false;
	default:
		break;
	}
	for (unsigned i = 0; i < 2; i++) {
		CXCursor var = referenced_var(ch.items[i]);
		if (!clang_Cursor_isNull(var) && clang_equalCursors(var, counter))
			return condition_is_data(w, cond, counter);
	}
	return false;
}

/* The step of a counted loop: ++i, i--, i += k, i -= k on the counter. A
 * step like len *= 2 or p = p->next makes no counted loop. */
static bool simple_step(walker *w, CXCursor step, CXCursor counter)
{
	CXCursor s = strip(step);
	enum CXCursorKind k = clang_getCursorKind(s);
	if (k != CXCursor_UnaryOperator && k != CXCursor_CompoundAssignOperator)
		return false;
	const char *text = cursor_text(w, s);
	if (!text || !(strstr(text, "++") || strstr(text, "--") || strstr(text, "+=") ||
		       strstr(text, "-=")))
		return false;
	CXCursor var = referenced_var(first_child(s));
	return !clang_Cursor_isNull(var) && clang_equalCursors(var, counter);
}

/* A loop is data-bounded, for cpu/hotspot, when it is a counted for loop:
 * a counter with a simple step compared against a runtime value, and the
 * counter not changed in the body (see note_counter_change). while loops,
 * pointer and list walks, doubling loops and scans that share the outer
 * loop's cursor are not: they are most often linear overall, and a rule
 * that guesses drowns its true findings. */
static void loop_bound(walker *w, CXCursor c, lc_loop *l, struct loop_ctx *ctx)
{
	if (clang_getCursorKind(c) != CXCursor_ForStmt)
		return;
	children ch;
	get_children(c, &ch);
	CXCursor counter = clang_getNullCursor(), step = clang_getNullCursor();
	CXCursor cond = for_condition(w, c, &ch, &counter, &step);
	if (clang_Cursor_isNull(cond) || clang_Cursor_isNull(step))
		return;
	if (clang_Cursor_isNull(counter)) {
		CXCursor s = strip(step);
		counter = referenced_var(first_child(s));
		if (clang_Cursor_isNull(counter))
			return;
	}
	if (!simple_step(w, step, counter) || !counted_comparison(w, cond, counter))
		return;
	l->bound_is_data = true;
	l->bound_text = cursor_text(w, cond);
	CXFile f;
	CXCursor body = ch.items[(ch.n < 8 ? ch.n : 8) - 1];
	ctx->counter = counter;
	ctx->body_start = file_offset(clang_getRangeStart(clang_getCursorExtent(body)), &f);
}

/* A change of variable `var` at expression `at`: a counted loop whose
 * counter it is, changed in the loop's body, is no longer counted
 * (for (j = i; j < n && s[j] != ' '; j++); i = j; walks s once). */
static void note_counter_change(walker *w, CXCursor var, CXCursor at)
{
	if (!w->loops.len || clang_Cursor_isNull(var))
		return;
	CXFile f;
	unsigned off = file_offset(clang_getRangeStart(clang_getCursorExtent(at)), &f);
	for (size_t i = 0; i < w->loops.len; i++) {
		struct loop_ctx *lc = &w->loops.ptr[i];
		if (!clang_equalCursors(lc->counter, var))
			continue;
		if (off < lc->body_start)
			continue;
		w->f->loops.ptr[lc->index].bound_is_data = false;
		w->f->loops.ptr[lc->index].bound_text = NULL;
	}
}

static void visit_counter_changes(walker *w, CXCursor c)
{
	if (!w->loops.len)
		return; /* no counted loop is open: nothing to invalidate */
	enum CXCursorKind k = clang_getCursorKind(c);
	if (k == CXCursor_UnaryOperator) {
		const char *text = cursor_text(w, c);
		if (text && (strstr(text, "++") || strstr(text, "--")))
			note_counter_change(w, referenced_var(first_child(c)), c);
	} else if (k == CXCursor_CompoundAssignOperator) {
		note_counter_change(w, referenced_var(first_child(c)), c);
	} else if (k == CXCursor_BinaryOperator) {
		children ch;
		get_children(c, &ch);
		if (ch.n != 2)
			return;
		/* Only assignments to a variable can change a counter; check that
		 * cheaply before reading the operator (see visit_binary_operator). */
		CXCursor var = referenced_var(ch.items[0]);
		if (!clang_Cursor_isNull(var) && binary_operator(w, ch.items[0], ch.items[1]) == OP_ASSIGN)
			note_counter_change(w, var, c);
	}
}

static void visit_loop(walker *w, CXCursor c)
{
	lc_loop l = { 0 };
	l.function = w->function;
	l.loc = cursor_loc(w, c);
	l.parent = w->runs_once ? -1 : w->loop;
	w->runs_once = false;
	struct loop_ctx ctx = { 0 };
	ctx.counter = clang_getNullCursor();
	loop_bound(w, c, &l, &ctx);
	lc_vec_push(&w->f->loops, l);
	ctx.index = (int)w->f->loops.len - 1;
	bool counted = !clang_Cursor_isNull(ctx.counter);
	if (counted)
		lc_vec_push(&w->loops, ctx);
	int saved = w->loop;
	w->loop = (int)w->f->loops.len - 1;
	w->loop_depth++;
	clang_visitChildren(c, visit, w);
	w->loop_depth--;
	w->loop = saved;
	if (counted)
		w->loops.len--;
}

/* noreturn: in the type for __attribute__((noreturn)); _Noreturn and
 * [[noreturn]] are not part of the type, so read the declaration's text
 * before the name. */
static bool is_noreturn(walker *w, CXCursor fn)
{
	CXString t = clang_getTypeSpelling(clang_getCursorType(fn));
	bool nr = strstr(clang_getCString(t), "noreturn") != NULL;
	clang_disposeString(t);
	if (nr)
		return true;
	CXFile f1, f2;
	unsigned start, name;
	clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(fn)), &f1, NULL, NULL,
				   &start);
	clang_getExpansionLocation(clang_getCursorLocation(fn), &f2, NULL, NULL, &name);
	if (!f1 || !clang_File_isEqual(f1, f2) || name <= start || name - start > 512)
		return false;
	if (!load_text(w, f1) || name > w->text_len)
		return false;
	/* A leading __attribute__((noreturn)) is not in the extent: look back
	 * to the end of the previous declaration. */
	for (unsigned back = 0; start > 0 && back < 256; back++, start--) {
		char ch = w->text[start - 1];
		if (ch == ';' || ch == '}' || ch == '{' || ch == '#')
			break;
	}
	char *prefix = lc_xstrndup(w->text + start, name - start);
	nr = strstr(prefix, "noreturn") || strstr(prefix, "_Noreturn") || strstr(prefix, "NORETURN");
	free(prefix);
	return nr;
}

/* fork(), vfork(), or a project's wrapper named like one (redisFork). */
static bool is_fork_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n >= 4 && (strcmp(name + n - 4, "fork") == 0 || strcmp(name + n - 4, "Fork") == 0) &&
	       !strstr(name, "atfork");
}

/* Does `e` hold fork()'s result: the call itself, (pid = fork()), or a
 * variable this function assigned from fork()? */
static bool holds_fork_result(walker *w, CXCursor e)
{
	e = strip(e);
	enum CXCursorKind k = clang_getCursorKind(e);
	if (k == CXCursor_CallExpr) {
		CXCursor ref = clang_getCursorReferenced(e);
		CXString n = clang_getCursorSpelling(ref);
		bool r = is_fork_name(clang_getCString(n));
		clang_disposeString(n);
		return r;
	}
	if (k == CXCursor_BinaryOperator) {
		children ch;
		get_children(e, &ch);
		return ch.n == 2 && binary_operator(w, ch.items[0], ch.items[1]) == OP_ASSIGN &&
		       holds_fork_result(w, ch.items[1]);
	}
	if (k != CXCursor_DeclRefExpr || w->function < 0)
		return false;
	lc_value v;
	value_from_decl(w, clang_getCursorReferenced(e), &v);
	if (v.kind != LC_VAL_VAR)
		return false;
	/* A variable assigned from a fork-named call earlier in this function. */
	for (size_t i = w->f->calls.len; i-- > 0;) {
		const lc_call *c = &w->f->calls.ptr[i];
		if (c->caller != w->function)
			break;
		if (c->result_to.kind == LC_VAL_VAR && c->result_to.key &&
		    strcmp(c->result_to.key, v.key) == 0 && is_fork_name(c->name))
			return true;
	}
	return false;
}

/* Which branch of `if (cond)` runs in fork()'s child: 1 (then) for
 * pid == 0 and !pid, 2 (else) for pid != 0, 0 if cond is no fork test. */
static int fork_child_branch(walker *w, CXCursor cond)
{
	cond = strip(cond);
	children ch;
	get_children(cond, &ch);
	if (clang_getCursorKind(cond) == CXCursor_UnaryOperator && ch.n == 1) {
		const char *text = cursor_text(w, cond);
		return text && text[0] == '!' && holds_fork_result(w, ch.items[0]) ? 1 : 0;
	}
	if (clang_getCursorKind(cond) != CXCursor_BinaryOperator || ch.n != 2)
		return 0;
	op_kind op = binary_operator(w, ch.items[0], ch.items[1]);
	if (op != OP_EQ && op != OP_NE)
		return 0;
	for (unsigned i = 0; i < 2; i++) {
		lc_value v;
		memset(&v, 0, sizeof(v));
		evaluate_int(strip(ch.items[1 - i]), &v);
		if (v.has_ival && v.ival == 0 && holds_fork_result(w, ch.items[i]))
			return op == OP_EQ ? 1 : 2;
	}
	return 0;
}


static void visit_subtree(walker *w, CXCursor c, CXCursor parent)
{
	if (visit(c, parent, w) == CXChildVisit_Recurse)
		clang_visitChildren(c, visit, w);
}

/* ---- paths that end the process ---------------------------------------- */

/* The statements of a block that run straight into a call that never
 * returns (sleep(10); exit(0); or log_to_file(...); die(...);) belong to a
 * process that is ending: they are not the loop's work, like fork()'s
 * child. Only the straight run of expression statements and declarations
 * just before that call counts: an earlier if or return may leave the
 * block without reaching it. */

static bool ends_process(walker *w, CXCursor stmt)
{
	CXCursor e = strip(stmt);
	if (clang_getCursorKind(e) != CXCursor_CallExpr)
		return false;
	CXCursor callee = clang_getCursorReferenced(e);
	if (clang_getCursorKind(callee) != CXCursor_FunctionDecl)
		return false;
	/* Every call statement asks: remember each callee's answer. */
	uint64_t h = clang_hashCursor(clang_getCanonicalCursor(callee));
	if (lc_u64set_has(&w->noreturn_yes, h))
		return true;
	if (lc_u64set_has(&w->noreturn_no, h))
		return false;
	bool nr = is_noreturn(w, callee);
	lc_u64set_insert(nr ? &w->noreturn_yes : &w->noreturn_no, h);
	return nr;
}

static enum CXChildVisitResult last_child(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	*(CXCursor *)d = c;
	return CXChildVisit_Continue;
}

static bool straight_line(CXCursor stmt)
{
	switch (clang_getCursorKind(stmt)) {
	case CXCursor_CaseStmt:
	case CXCursor_DefaultStmt:
	case CXCursor_LabelStmt: {
		/* "case 2: report(); die();": the labelled statement is the
		 * label's last child. */
		CXCursor sub = clang_getNullCursor();
		clang_visitChildren(stmt, last_child, &sub);
		return !clang_Cursor_isNull(sub) && straight_line(sub);
	}
	case CXCursor_CallExpr:
	case CXCursor_UnexposedExpr:
	case CXCursor_BinaryOperator:
	case CXCursor_CompoundAssignOperator:
	case CXCursor_UnaryOperator:
	case CXCursor_CStyleCastExpr:
	case CXCursor_ParenExpr:
	case CXCursor_DeclStmt:
	case CXCursor_NullStmt:
		return true;
	default:
		return false;
	}
}

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	lc_vec_push((cursor_set *)d, c);
	return CXChildVisit_Continue;
}

/* In the body of switch (pid) after fork(): does this label start the
 * child's statements (case 0), another case's, or neither (not a label)? */
static int fork_case(CXCursor stmt)
{
	enum CXCursorKind k = clang_getCursorKind(stmt);
	if (k == CXCursor_DefaultStmt)
		return 2;
	if (k != CXCursor_CaseStmt)
		return 0;
	/* case -1: case 0: ... nests one label in the other. */
	for (CXCursor c = stmt; clang_getCursorKind(c) == CXCursor_CaseStmt;) {
		children ch;
		get_children(c, &ch);
		if (ch.n < 2)
			break;
		lc_value v;
		memset(&v, 0, sizeof(v));
		evaluate_int(strip(ch.items[0]), &v);
		if (v.has_ival && v.ival == 0)
			return 1;
		c = ch.items[ch.n - 1];
	}
	return 2;
}

/* switch (fork()) or pid = fork(); switch (pid): the statements from
 * "case 0:" to the next label run in the child (see visit_compound). */
static enum CXChildVisitResult visit_switch(walker *w, CXCursor c)
{
	children ch;
	get_children(c, &ch);
	if (ch.n != 2 || clang_getCursorKind(ch.items[1]) != CXCursor_CompoundStmt ||
	    !holds_fork_result(w, ch.items[0]))
		return CXChildVisit_Recurse;
	visit_subtree(w, ch.items[0], c);
	w->fork_switch = true;
	visit_subtree(w, ch.items[1], c);
	return CXChildVisit_Continue;
}

static bool is_loop(CXCursor c)
{
	enum CXCursorKind k = clang_getCursorKind(c);
	return k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_DoStmt;
}

/* Do the statements after kids[i] run straight into a return? Then the loop
 * kids[i] runs at most once per call (a search that answers at its first
 * hit): it does not nest in the loop around it. (A break is not enough: in
 * a switch it leaves only the switch.) */
static bool leaves_after(const cursor_set *kids, size_t i)
{
	for (size_t j = i + 1; j < kids->len; j++) {
		enum CXCursorKind k = clang_getCursorKind(kids->ptr[j]);
		if (k == CXCursor_ReturnStmt)
			return true;
		if (!straight_line(kids->ptr[j]))
			return false;
	}
	return false;
}

static void visit_compound(walker *w, CXCursor c)
{
	bool fork_switch = w->fork_switch;
	w->fork_switch = false;
	cursor_set kids = { 0 };
	clang_visitChildren(c, collect_child, &kids);
	unsigned char *dying = NULL;
	for (size_t i = 0; i < kids.len; i++) {
		if (clang_getCursorKind(kids.ptr[i]) != CXCursor_CallExpr ||
		    !ends_process(w, kids.ptr[i]))
			continue;
		if (!dying)
			dying = lc_xcalloc(kids.len, 1);
		for (size_t j = i; j > 0 && straight_line(kids.ptr[j - 1]) && !dying[j - 1]; j--)
			dying[j - 1] = 1;
	}
	bool in_child = false;
	for (size_t i = 0; i < kids.len; i++) {
		w->runs_once = w->loop >= 0 && is_loop(kids.ptr[i]) && leaves_after(&kids, i);
		int label = fork_switch ? fork_case(kids.ptr[i]) : 0;
		if (label)
			in_child = label == 1;
		bool d = dying && dying[i];
		w->dying += d;
		w->fork_child += in_child;
		visit_subtree(w, kids.ptr[i], c);
		w->fork_child -= in_child;
		w->dying -= d;
		w->runs_once = false; /* not taken when the loop was dead */
	}
	free(dying);
	lc_vec_free(&kids);
}

/* ---- what a local FILE * holds --------------------------------------------- */

/* A logger that picks its stream (FILE *out = verbose ? stdout : stderr;
 * fprintf(out, ...)) writes to a terminal, not a file: the catalogue's
 * `"in": ["stdout", "stderr"]` conditions must see through the local. For
 * a local FILE * whose every value in its function is a global variable
 * (through ?:), value.holds names them; anything else (a call, a
 * parameter, its address taken) leaves it unknown. */

typedef struct holds_scan {
	walker *w;
	CXCursor var;
	LC_VEC(const char *) names;
	bool unknown;
} holds_scan;

static void holds_source(holds_scan *h, CXCursor value)
{
	CXCursor branch[2];
	if (conditional_branches(value, branch)) {
		holds_source(h, branch[0]);
		holds_source(h, branch[1]);
		return;
	}
	CXCursor e = strip(value);
	CXCursor ref = clang_getCursorReferenced(e);
	if (clang_getCursorKind(e) != CXCursor_DeclRefExpr ||
	    clang_getCursorKind(ref) != CXCursor_VarDecl ||
	    clang_getCursorKind(clang_getCursorSemanticParent(ref)) == CXCursor_FunctionDecl) {
		h->unknown = true;
		return;
	}
	lc_vec_push(&h->names, arena_cxstring(h->w->f->arena, clang_getCursorSpelling(ref)));
}

static enum CXChildVisitResult holds_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	holds_scan *h = d;
	enum CXCursorKind k = clang_getCursorKind(c);
	if (k == CXCursor_VarDecl && clang_equalCursors(c, h->var)) {
		CXCursor init = clang_getNullCursor();
		clang_visitChildren(c, last_child, &init);
		if (!clang_Cursor_isNull(init) && clang_isExpression(clang_getCursorKind(init)))
			holds_source(h, init);
		return CXChildVisit_Continue;
	}
	if (k == CXCursor_BinaryOperator || k == CXCursor_UnaryOperator ||
	    k == CXCursor_CompoundAssignOperator) {
		children ch;
		get_children(c, &ch);
		CXCursor target = ch.n ? strip(ch.items[0]) : clang_getNullCursor();
		if (ch.n && clang_getCursorKind(target) == CXCursor_DeclRefExpr &&
		    clang_equalCursors(clang_getCursorReferenced(target), h->var)) {
			if (k == CXCursor_BinaryOperator && ch.n == 2 &&
			    binary_operator(h->w, ch.items[0], ch.items[1]) == OP_ASSIGN)
				holds_source(h, ch.items[1]);
			else if (k != CXCursor_BinaryOperator) {
				const char *text = cursor_text(h->w, c);
				if (text && text[0] == '&')
					h->unknown = true; /* &out: written through a pointer */
			}
		}
	}
	return h->unknown ? CXChildVisit_Break : CXChildVisit_Recurse;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *local_stream_holds(walker *w, CXCursor var)
{
	if (w->function < 0 ||
	    clang_getCursorKind(clang_getCursorSemanticParent(var)) != CXCursor_FunctionDecl ||
	    clang_Cursor_getStorageClass(var) == CX_SC_Static)
		return NULL;
	for (size_t i = 0; i < w->held.len; i++)
		if (clang_equalCursors(w->held.ptr[i].var, var))
			return w->held.ptr[i].holds;
	CXString t = clang_getTypeSpelling(clang_getCanonicalType(clang_getCursorType(var)));
	bool stream = strcmp(clang_getCString(t), "struct _IO_FILE *") == 0;
	clang_disposeString(t);
	if (!stream) {
		struct held not_a_stream = { var, NULL };
		lc_vec_push(&w->held, not_a_stream);
		return NULL;
	}
	holds_scan h = { w, var, { 0 }, false };
	clang_visitChildren(w->function_cursor, holds_visitor, &h);
	const char *out = NULL;
	if (!h.unknown && h.names.len) {
		qsort(h.names.ptr, h.names.len, sizeof(char *), name_cmp);
		lc_sb sb;
		lc_sb_init(&sb);
		for (size_t i = 0; i < h.names.len; i++)
			if (!i || strcmp(h.names.ptr[i], h.names.ptr[i - 1]) != 0)
				lc_sb_addf(&sb, "%s%s", sb.len ? "|" : "", h.names.ptr[i]);
		out = lc_arena_strdup(w->f->arena, sb.buf);
		lc_sb_release(&sb);
	}
	lc_vec_free(&h.names);
	struct held remembered = { var, out };
	lc_vec_push(&w->held, remembered);
	return out;
}

/* ---- dead branches ------------------------------------------------------ */

/* Code that can never run is not on the loop, and is not recorded: the
 * branch of an if whose condition is a constant (if (0), if (DEBUG && x),
 * the else of if (1)), the body of while (0), and branches that test a flag
 * that never changes (int debugmsg = 0; ... if (debugmsg) D(...)). The body
 * of do { } while (0) runs once and is walked as usual; calls in a
 * condition run and are recorded. */

typedef enum { COND_UNKNOWN, COND_FALSE, COND_TRUE } cond_value;

/* Collects the variables a subtree may change. A read of an integer
 * variable is wrapped in an implicit lvalue-to-rvalue cast (an UnexposedExpr
 * to libclang) or is the operand of sizeof; met directly below anything else
 * (=, +=, ++, &, an asm operand) the variable may change. No operator has to
 * be read, and a context not thought of counts as a change. */
typedef struct write_scan {
	cursor_set *written;
	bool paren_reads; /* the enclosing ParenExpr is itself read: (flag) */
} write_scan;

static bool read_context(CXCursor parent, const write_scan *s)
{
	enum CXCursorKind k = clang_getCursorKind(parent);
	return k == CXCursor_UnexposedExpr || k == CXCursor_UnaryExpr ||
	       (k == CXCursor_ParenExpr && s->paren_reads);
}

static enum CXChildVisitResult write_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	write_scan *s = d;
	enum CXCursorKind k = clang_getCursorKind(c);
	if (k == CXCursor_DeclRefExpr) {
		if (read_context(parent, s))
			return CXChildVisit_Continue;
		CXCursor var = clang_getCursorReferenced(c);
		if (clang_getCursorKind(var) == CXCursor_VarDecl)
			lc_vec_push(s->written, clang_getCanonicalCursor(var));
		return CXChildVisit_Continue;
	}
	if (k != CXCursor_ParenExpr)
		return CXChildVisit_Recurse;
	/* Parentheses pass their context on: (x) = 1 writes x. */
	bool saved = s->paren_reads;
	s->paren_reads = read_context(parent, s);
	clang_visitChildren(c, write_visitor, s);
	s->paren_reads = saved;
	return CXChildVisit_Continue;
}

/* The TU's own code: function bodies and file-scope initialisers
 * (static int *p = &verbose) outside library headers. */
static enum CXChildVisitResult tu_write_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	enum CXCursorKind k = clang_getCursorKind(c);
	if ((k == CXCursor_VarDecl || (k == CXCursor_FunctionDecl && clang_isCursorDefinition(c))) &&
	    !in_system_header(c))
		clang_visitChildren(c, write_visitor, d);
	return CXChildVisit_Continue;
}

static bool set_has(const cursor_set *s, CXCursor c)
{
	for (size_t i = 0; i < s->len; i++)
		if (clang_equalCursors(s->ptr[i], c))
			return true;
	return false;
}

/* Is `var` (canonical) changed anywhere in the current function, or with
 * `tu_wide` anywhere in the TU? One scan per function or TU, on first
 * need; the TU's scan covers the function's too. */
static bool is_written(walker *w, CXCursor var, bool tu_wide)
{
	if (tu_wide && !w->tu_scanned) {
		write_scan s = { &w->tu_written, false };
		clang_visitChildren(clang_getTranslationUnitCursor(w->tu), tu_write_visitor, &s);
		w->tu_scanned = true;
	}
	if (w->tu_scanned)
		return set_has(&w->tu_written, var);
	if (!w->fn_scanned) {
		write_scan s = { &w->fn_written, false };
		clang_visitChildren(w->function_cursor, write_visitor, &s);
		w->fn_scanned = true;
	}
	return set_has(&w->fn_written, var);
}

static bool is_integer_type(CXType t)
{
	t = clang_getCanonicalType(t);
	return (t.kind >= CXType_Bool && t.kind <= CXType_Int128) || t.kind == CXType_Enum;
}

/* The value of an integer variable that never changes: a local initialised
 * with a constant, or a static file-scope variable with a constant
 * initialiser or none (zero), that nothing assigns, increments or takes
 * the address of. Not a volatile or a static local, and never an extern or
 * non-static global: another TU may write it. */
static bool constant_flag(walker *w, CXCursor var, long long *value)
{
	if (clang_getCursorKind(var) != CXCursor_VarDecl)
		return false;
	CXType t = clang_getCursorType(var);
	if (clang_isVolatileQualifiedType(t) || !is_integer_type(t))
		return false;
	var = clang_getCanonicalCursor(var);
	enum CX_StorageClass sc = clang_Cursor_getStorageClass(var);
	enum CXLinkageKind linkage = clang_getCursorLinkage(var);
	lc_value init = { 0 };
	if (linkage == CXLinkage_NoLinkage && sc != CX_SC_Static) {
		evaluate_int(var, &init);
		if (!init.has_ival || is_written(w, var, false))
			return false;
	} else if (linkage == CXLinkage_Internal && sc == CX_SC_Static) {
		/* Only a definition has an initialiser; tentative ones are zero. */
		CXCursor def = clang_getCursorDefinition(var);
		if (!clang_Cursor_isNull(def)) {
			evaluate_int(def, &init);
			if (!init.has_ival)
				return false;
		}
		if (is_written(w, var, true))
			return false;
	} else {
		return false;
	}
	*value = init.ival;
	return true;
}

/* Is a UnaryOperator a `!`? libclang 14 does not say: read its first
 * character. In a macro body that is the macro's name: not known. */
static bool unary_is_not(walker *w, CXCursor c)
{
	CXFile f;
	unsigned off;
	clang_getSpellingLocation(clang_getRangeStart(clang_getCursorExtent(c)), &f, NULL, NULL,
				  &off);
	return f && load_text(w, f) && off < w->text_len && w->text[off] == '!';
}

static cond_value condition_value_at(walker *w, CXCursor cond, unsigned depth)
{
	if (depth > CONDITION_DEPTH)
		return COND_UNKNOWN;
	cond = strip(cond);
	long long flag;
	lc_value v = { 0 };
	switch (clang_getCursorKind(cond)) {
	case CXCursor_DeclRefExpr:
		if (constant_flag(w, clang_getCursorReferenced(cond), &flag))
			return flag ? COND_TRUE : COND_FALSE;
		break;
	case CXCursor_UnaryOperator:
		if (unary_is_not(w, cond)) {
			cond_value inner = condition_value_at(w, first_child(cond), depth + 1);
			return inner == COND_UNKNOWN ? inner : inner == COND_TRUE ? COND_FALSE : COND_TRUE;
		}
		break;
	case CXCursor_BinaryOperator: {
		children ch;
		get_children(cond, &ch);
		op_kind op = ch.n == 2 ? binary_operator(w, ch.items[0], ch.items[1]) : OP_UNKNOWN;
		if (op != OP_AND && op != OP_OR)
			break;
		/* a && b is false when either side is; a || b true when either is. */
		cond_value decides = op == OP_AND ? COND_FALSE : COND_TRUE;
		cond_value l = condition_value_at(w, ch.items[0], depth + 1);
		if (l == decides)
			return l;
		cond_value r = condition_value_at(w, ch.items[1], depth + 1);
		return r == decides || l == r ? r : COND_UNKNOWN;
	}
	default:
		break;
	}
	/* Constants, enumerators, const variables, sizeof, (f(), 0): clang's
	 * folder ignores side effects. */
	evaluate_int(cond, &v);
	return !v.has_ival ? COND_UNKNOWN : v.ival ? COND_TRUE : COND_FALSE;
}

static cond_value condition_value(walker *w, CXCursor cond)
{
	return condition_value_at(w, cond, 0);
}

/* A goto or a switch's case can enter a branch whatever its condition
 * (if (0) { case 1: ... }, if (0) { fail: ... }): such a branch is live. */
typedef struct entry_scan {
	bool found;
	bool in_switch; /* cases below belong to a switch inside the branch */
} entry_scan;

static enum CXChildVisitResult entry_visitor(CXCursor c, CXCursor parent, CXClientData d)
{
	(void)parent;
	entry_scan *s = d;
	switch (clang_getCursorKind(c)) {
	case CXCursor_LabelStmt:
		s->found = true;
		return CXChildVisit_Break;
	case CXCursor_CaseStmt:
	case CXCursor_DefaultStmt:
		if (s->in_switch)
			return CXChildVisit_Recurse;
		s->found = true;
		return CXChildVisit_Break;
	case CXCursor_SwitchStmt: {
		bool saved = s->in_switch;
		s->in_switch = true;
		clang_visitChildren(c, entry_visitor, s);
		s->in_switch = saved;
		return s->found ? CXChildVisit_Break : CXChildVisit_Continue;
	}
	default:
		return CXChildVisit_Recurse;
	}
}

static bool can_be_entered(CXCursor branch)
{
	entry_scan s = { false, false };
	if (clang_getCursorKind(branch) == CXCursor_LabelStmt)
		return true;
	clang_visitChildren(branch, entry_visitor, &s);
	return s.found;
}

/* Which branch of an if statement never runs: 1 (then) when the condition
 * is known false, 2 (else) when it is known true, 0 when either may. Only
 * in C: a C++ if may hold an initialiser before its condition, and C++
 * references change variables without an operator. */
static unsigned dead_if_branch(walker *w, const children *ch)
{
	if (!w->is_c)
		return 0;
	cond_value v = condition_value(w, ch->items[0]);
	unsigned dead = v == COND_FALSE ? 1 : v == COND_TRUE && ch->n == 3 ? 2 : 0;
	return dead && !can_be_entered(ch->items[dead]) ? dead : 0;
}

/* while (0) { ... }: only the condition runs (a for loop's condition is
 * not looked at; the body of do { } while (0) runs once). */
static bool visit_dead_loop(walker *w, CXCursor c)
{
	if (!w->is_c || w->function < 0 || clang_getCursorKind(c) != CXCursor_WhileStmt)
		return false;
	children ch;
	get_children(c, &ch);
	if (ch.n != 2 || condition_value(w, ch.items[0]) != COND_FALSE ||
	    can_be_entered(ch.items[1]))
		return false;
	visit_subtree(w, ch.items[0], c);
	return true;
}

/* if statements: a branch that never runs is skipped; when the statement
 * tests fork()'s result, the child's branch runs in another process, where
 * the loop does not run, and its calls are marked. */
/* A test of a parameter alone: +(i+1) for `p`, -(i+1) for `!p`, else 0.
 * Calls it guards run only when the caller passes a matching value (the
 * solver checks what loop code passes: stop_crawler(NOWAIT) on the loop,
 * stop_crawler(WAIT) only after it). */
static int parameter_test(walker *w, CXCursor cond)
{
	CXCursor e = strip(cond);
	int sense = 1;
	bool negated = clang_getCursorKind(e) == CXCursor_UnaryOperator;
	CXCursor operand = negated ? strip(first_child(e)) : e;
	if (clang_getCursorKind(operand) != CXCursor_DeclRefExpr ||
	    clang_getCursorKind(clang_getCursorReferenced(operand)) != CXCursor_ParmDecl)
		return 0;
	if (negated) {
		/* The text is read only now: most tests are no parameter's. */
		const char *text = cursor_text(w, e);
		if (!text || text[0] != '!')
			return 0;
		sense = -1;
	}
	e = operand;
	lc_value v;
	classify(w, e, &v);
	return v.kind == LC_VAL_PARAM && v.param >= 0 && v.param < 64 ? sense * (v.param + 1) : 0;
}

/* p && call(): the call runs only where p is true. */
static bool visit_guarded_and(walker *w, CXCursor c, const children *ch)
{
	if (w->function < 0 || ch->n != 2)
		return false;
	int guard = parameter_test(w, ch->items[0]);
	if (!guard || binary_operator(w, ch->items[0], ch->items[1]) != OP_AND)
		return false;
	visit_subtree(w, ch->items[0], c);
	int saved = w->guard;
	w->guard = guard;
	visit_subtree(w, ch->items[1], c);
	w->guard = saved;
	return true;
}

static enum CXChildVisitResult visit_if(walker *w, CXCursor c)
{
	if (w->function < 0)
		return CXChildVisit_Recurse;
	children ch;
	get_children(c, &ch);
	if (ch.n < 2 || ch.n > 3)
		return CXChildVisit_Recurse;
	unsigned dead = dead_if_branch(w, &ch);
	int child = fork_child_branch(w, ch.items[0]);
	int guard = parameter_test(w, ch.items[0]);
	if (!child && !dead && !guard)
		return CXChildVisit_Recurse;
	for (unsigned i = 0; i < ch.n; i++) {
		if (i == dead)
			continue;
		bool in_child = child && (int)i == child; /* the condition is never the child's */
		int saved = w->guard;
		if (guard && i > 0)
			w->guard = i == 1 ? guard : -guard;
		w->fork_child += in_child;
		visit_subtree(w, ch.items[i], c);
		w->fork_child -= in_child;
		w->guard = saved;
	}
	return CXChildVisit_Continue;
}

static void visit_function(walker *w, CXCursor c)
{
	lc_function fn = { 0 };
	fn.key = function_key(w, c);
	fn.name = arena_cxstring(w->f->arena, clang_getCursorSpelling(c));
	fn.loc = cursor_loc(w, c);
	int n = clang_Cursor_getNumArguments(c);
	fn.nparams = n > 0 ? (unsigned)n : 0;
	fn.is_static = clang_getCursorLinkage(c) == CXLinkage_Internal;
	fn.is_main = !fn.is_static && strcmp(fn.name, "main") == 0;
	fn.is_noreturn = is_noreturn(w, c) || is_noreturn(w, clang_getCanonicalCursor(c));
	lc_vec_push(&w->f->functions, fn);

	int saved_fn = w->function;
	CXCursor saved_cursor = w->function_cursor;
	const char *saved_key = w->function_key;
	w->function = (int)w->f->functions.len - 1;
	w->function_cursor = c;
	w->function_key = fn.key;
	w->loop = -1;
	w->loop_depth = 0;
	w->guard = 0;
	w->held.len = 0;
	w->clamped.len = 0;
	w->clamp_scanned = false;
	w->fn_scanned = false;
	w->fn_written.len = 0;
	clang_visitChildren(c, visit, w);
	w->pending.len = 0;
	w->function = saved_fn;
	w->function_cursor = saved_cursor;
	w->function_key = saved_key;
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	walker *w = data;
	enum CXCursorKind k = clang_getCursorKind(c);
	switch (k) {
	case CXCursor_FunctionDecl:
		if (clang_isCursorDefinition(c) && !in_system_header(c))
			visit_function(w, c);
		return CXChildVisit_Continue;
	case CXCursor_VarDecl:
		if (w->function < 0 && in_system_header(c))
			return CXChildVisit_Continue;
		note_global(w, c);
		visit_var_decl(w, c);
		return CXChildVisit_Recurse;
	case CXCursor_DeclRefExpr:
		note_use(w, c);
		return CXChildVisit_Recurse;
	case CXCursor_BinaryOperator: {
		children ch;
		get_children(c, &ch);
		visit_binary_operator(w, c, &ch);
		visit_counter_changes(w, c);
		return visit_guarded_and(w, c, &ch) ? CXChildVisit_Continue : CXChildVisit_Recurse;
	}
	case CXCursor_UnaryOperator:
	case CXCursor_CompoundAssignOperator:
		visit_counter_changes(w, c);
		return CXChildVisit_Recurse;
	case CXCursor_CallExpr:
		if (w->function < 0 && in_system_header(c))
			return CXChildVisit_Continue;
		visit_call(w, c);
		return CXChildVisit_Recurse;
	case CXCursor_ForStmt:
	case CXCursor_WhileStmt:
	case CXCursor_DoStmt:
		if (!visit_dead_loop(w, c))
			visit_loop(w, c);
		return CXChildVisit_Continue;
	case CXCursor_IfStmt:
		return visit_if(w, c);
	case CXCursor_CompoundStmt:
		visit_compound(w, c);
		return CXChildVisit_Continue;
	case CXCursor_SwitchStmt:
		return visit_switch(w, c);
	case CXCursor_StructDecl:
	case CXCursor_UnionDecl:
	case CXCursor_EnumDecl:
	case CXCursor_TypedefDecl:
		return w->function < 0 && in_system_header(c) ? CXChildVisit_Continue
							       : CXChildVisit_Recurse;
	default:
		return CXChildVisit_Recurse;
	}
}

/* The driver's "unknown argument: '-fconserve-stack'": a GCC-only flag in
 * the compile database. Clang ignores it and parses the file completely,
 * so the TU is not partial. */
static bool is_unknown_flag(CXDiagnostic d)
{
	CXFile file = NULL;
	clang_getExpansionLocation(clang_getDiagnosticLocation(d), &file, NULL, NULL, NULL);
	if (file)
		return false;
	CXString s = clang_getDiagnosticSpelling(d);
	const char *text = clang_getCString(s);
	bool unknown = text && strncmp(text, "unknown argument", 16) == 0;
	clang_disposeString(s);
	return unknown;
}

static void record_diagnostics(walker *w)
{
	unsigned n = clang_getNumDiagnostics(w->tu);
	for (unsigned i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(w->tu, i);
		enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
		if (sev >= CXDiagnostic_Error && w->f->diags.len < DIAGS_MAX &&
		    !is_unknown_flag(d)) {
			lc_diag diag = { 0 };
			diag.loc = user_loc(w, clang_getDiagnosticLocation(d));
			diag.message = arena_cxstring(w->f->arena, clang_getDiagnosticSpelling(d));
			diag.fatal = sev == CXDiagnostic_Fatal;
			lc_vec_push(&w->f->diags, diag);
		}
		clang_disposeDiagnostic(d);
	}
}

static void inclusion_visitor(CXFile included, CXSourceLocation *stack, unsigned depth,
			      CXClientData data)
{
	(void)stack;
	(void)depth;
	walker *w = data;
	const char *p = file_path(w, included);
	if (p)
		lc_vec_push(&w->f->files, p);
}

void lc_extract(CXTranslationUnit tu, lc_facts *out)
{
	walker w = { 0 };
	w.tu = tu;
	w.f = out;
	w.function = -1;
	w.loop = -1;
	/* clang_getCursorLanguage calls a C++ function C; the printing policy
	 * follows the TU's language options. */
	CXPrintingPolicy pp = clang_getCursorPrintingPolicy(clang_getTranslationUnitCursor(tu));
	w.is_c = clang_PrintingPolicy_getProperty(pp, CXPrintingPolicy_UseVoidForZeroParams);
	clang_PrintingPolicy_dispose(pp);
	record_diagnostics(&w);
	clang_getInclusions(tu, inclusion_visitor, &w);
	clang_visitChildren(clang_getTranslationUnitCursor(tu), visit, &w);
	drop_own_symbols(out);
	lc_strmap_free(&w.used);
	lc_vec_free(&w.pending);
	lc_vec_free(&w.loops);
	lc_vec_free(&w.fn_written);
	lc_vec_free(&w.held);
	lc_u64set_free(&w.noreturn_yes);
	lc_u64set_free(&w.noreturn_no);
	lc_vec_free(&w.clamped);
	lc_vec_free(&w.tu_written);
}
