/* embedded.c - lookup in the generated table (see embedded.h). */
#include "embedded.h"

#include <string.h>

const lc_embedded_file *lc_embedded_find(const char *path)
{
	for (const lc_embedded_file *f = lc_embedded_files; f->path; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}
