/* fuzz_compdb.c - the compile database reader (compdb.h), the "command"
 * splitter, argument sanitizing and path normalization on hostile bytes.
 *
 * The input is written to a memfd and read back through /proc/self/fd/N, so
 * lc_compdb_load runs unchanged (stat, read, cJSON, entries, sanitizing).
 * The same bytes, up to the first NUL, are then split as a "command" line,
 * sanitized as one entry's argv and normalized as a path. Checked beyond
 * memory safety: every TU has an absolute file and directory and a
 * NULL-terminated argv of nargs words; a normalized path is absolute with no
 * empty, "." or ".." component.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compdb.h"
#include "fuzz.h"

static void check_normalized(const char *p)
{
	if (p[0] != '/')
		abort();
	if (strcmp(p, "/") == 0)
		return;
	for (const char *c = p; *c; c++) {
		if (c[0] != '/')
			continue;
		/* After every '/': a component that is not "", "." or "..". */
		if (c[1] == '/' || c[1] == '\0')
			abort();
		if (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			abort();
		if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			abort();
	}
}

static void check_db(const lc_compdb *db)
{
	for (size_t i = 0; i < db->ntus; i++) {
		const lc_tu_cmd *tu = &db->tus[i];
		check_normalized(tu->file);
		check_normalized(tu->directory);
		for (size_t k = 0; k < tu->nargs; k++)
			if (!tu->args[k])
				abort();
		if (tu->args[tu->nargs])
			abort();
	}
	for (size_t i = 0; i < db->nnotices; i++)
		lc_fuzz_check_message(db->notices[i]);
}

static void load(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("compile_commands.json", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	char *err = NULL;
	lc_compdb *db = lc_compdb_load(path, &err);
	if (db) {
		check_db(db);
	} else {
		lc_fuzz_check_message(err); /* a failure always says why */
	}
	lc_compdb_free(db);
	free(err);
}

static void command_line(const char *cmd)
{
	size_t n = 0;
	char *err = NULL;
	char **argv = lc_shell_split(cmd, &n, &err);
	if (!argv) {
		lc_fuzz_check_message(err);
		free(err);
		return;
	}
	if (argv[n])
		abort();
	char **notices = NULL;
	size_t nnotices = 0, nout = 0;
	char **out = lc_sanitize_args(argv, n, "/src/a.c", "/src", &nout, &notices, &nnotices);
	if (out[nout])
		abort();
	lc_argv_free(out);
	for (size_t i = 0; i < nnotices; i++)
		free(notices[i]);
	free(notices);
	lc_argv_free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load(data, size);
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	command_line(s);
	char *p = lc_path_normalize(s, "/base/dir");
	check_normalized(p);
	free(p);
	free(s);
	return 0;
}
