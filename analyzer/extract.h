/* extract.h - walk one libclang AST and record its facts (see facts.h).
 *
 * This and parse.c are the only files that include clang-c/Index.h. The
 * walk records what the code does, not what it means: no rule is consulted,
 * so facts stay valid when rules or configuration change. Function bodies in
 * system headers are skipped (their blocking calls are the libraries', and
 * the catalogue names the library functions themselves).
 */
#ifndef LC_EXTRACT_H
#define LC_EXTRACT_H

#include <clang-c/Index.h>

#include "facts.h"

/* Fill `out` (created by lc_facts_new, main_file already set) from `tu`. */
void lc_extract(CXTranslationUnit tu, lc_facts *out);

#endif
