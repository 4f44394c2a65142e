/* filter.c - the changed-files filter (see filter.h). */
#define _GNU_SOURCE /* realpath */
#include "filter.h"
#include "compdb.h"
#include "strmap.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct wanted {
	char *norm; /* lexically normalized absolute path */
	char *real; /* with symbolic links resolved */
	bool dir;   /* a directory: everything below it */
} wanted;

struct lc_filter {
	LC_VEC(wanted) files;
	/* Answers for paths already asked about: the same few files come up
	 * in every chain. Keys live in `arena`. */
	lc_arena *arena;
	lc_strmap seen;
	LC_VEC(unsigned char) answer; /* by id in `seen` */
};

static bool same_or_below(const char *path, const wanted *w, const char *base)
{
	size_t n = strlen(base);
	if (strncmp(path, base, n) != 0)
		return false;
	if (path[n] == '\0')
		return true;
	return w->dir && (path[n] == '/' || (n == 1 && base[0] == '/'));
}

lc_filter *lc_filter_new(char *const *files, size_t nfiles, const char *cwd, char **err)
{
	lc_filter *f = lc_xcalloc(1, sizeof(*f));
	f->arena = lc_arena_new();
	for (size_t i = 0; i < nfiles; i++) {
		struct stat st;
		wanted w;
		w.norm = lc_path_normalize(files[i], cwd);
		if (stat(w.norm, &st) != 0) {
			*err = lc_xasprintf("%s: %s", files[i], strerror(errno));
			free(w.norm);
			lc_filter_free(f);
			return NULL;
		}
		char *real = realpath(w.norm, NULL);
		w.real = real ? real : lc_xstrdup(w.norm);
		w.dir = S_ISDIR(st.st_mode);
		lc_vec_push(&f->files, w);
	}
	return f;
}

static bool match_uncached(const lc_filter *f, const char *path)
{
	char *norm = lc_path_normalize(path, NULL);
	bool hit = false;
	for (size_t i = 0; i < f->files.len && !hit; i++)
		hit = same_or_below(norm, &f->files.ptr[i], f->files.ptr[i].norm);
	if (!hit) {
		char *real = realpath(norm, NULL);
		for (size_t i = 0; real && i < f->files.len && !hit; i++)
			hit = same_or_below(real, &f->files.ptr[i], f->files.ptr[i].real);
		free(real);
	}
	free(norm);
	return hit;
}

bool lc_filter_matches(lc_filter *f, const char *path)
{
	if (!path || !*path)
		return false;
	uint32_t id = lc_strmap_get(&f->seen, path);
	if (id != LC_NONE)
		return f->answer.ptr[id];
	bool hit = match_uncached(f, path);
	lc_strmap_intern(&f->seen, lc_arena_strdup(f->arena, path), NULL);
	lc_vec_push(&f->answer, (unsigned char)hit);
	return hit;
}

bool lc_filter_keeps(lc_filter *f, const lc_finding *fd)
{
	if (lc_filter_matches(f, fd->loc.file))
		return true;
	for (size_t i = 0; i < fd->nchain; i++)
		if (lc_filter_matches(f, fd->chain[i].loc.file))
			return true;
	return lc_filter_matches(f, fd->entry.registration.file) ||
	       lc_filter_matches(f, fd->entry.definition.file);
}

void lc_filter_apply(lc_filter *f, lc_result *r)
{
	size_t keep = 0;
	for (size_t i = 0; i < r->findings.len; i++)
		if (lc_filter_keeps(f, &r->findings.ptr[i]))
			r->findings.ptr[keep++] = r->findings.ptr[i];
	r->findings.len = keep;
}

void lc_filter_free(lc_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->files.len; i++) {
		free(f->files.ptr[i].norm);
		free(f->files.ptr[i].real);
	}
	lc_vec_free(&f->files);
	lc_strmap_free(&f->seen);
	lc_vec_free(&f->answer);
	lc_arena_free(f->arena);
	free(f);
}
