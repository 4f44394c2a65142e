/* embedded.h - the files of rules/ and docs/rules/ compiled into the binary.
 *
 * The table is generated at build time by scripts/embed.cmake; it ends with
 * an entry whose path is NULL. Paths are relative to the source tree
 * ("rules/libuv.json", "docs/rules/blocking-file-io.md"); data is
 * NUL-terminated and `size` excludes the terminator. */
#ifndef LC_EMBEDDED_H
#define LC_EMBEDDED_H

#include <stddef.h>

typedef struct lc_embedded_file {
	const char *path;
	const char *data;
	size_t size;
} lc_embedded_file;

extern const lc_embedded_file lc_embedded_files[];

/* The embedded file with this path, or NULL. */
const lc_embedded_file *lc_embedded_find(const char *path);

#endif
