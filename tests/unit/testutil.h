/* testutil.h - a fresh temporary directory per test, removed afterwards.
 *
 *   LC_TEST_TMPDIR("/tmp/lc-suite-XXXXXX");
 *   TestSuite(suite, .init = setup, .fini = teardown);
 *
 * declares `static char tmp[64]` (the directory of the running test),
 * setup() which makes it and teardown() which removes it with everything
 * below, even files a test left unreadable.
 */
#ifndef LC_TESTUTIL_H
#define LC_TESTUTIL_H

#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static inline int lc_test_rm_one(const char *path, const struct stat *st, int flag,
				 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static inline void lc_test_rmtree(const char *dir)
{
	nftw(dir, lc_test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#define LC_TEST_TMPDIR(template)                                               \
	static char tmp[64];                                                   \
	static void setup(void)                                                \
	{                                                                      \
		strcpy(tmp, template);                                         \
		cr_assert_not_null(mkdtemp(tmp), "mkdtemp failed");            \
	}                                                                      \
	static void teardown(void)                                             \
	{                                                                      \
		lc_test_rmtree(tmp);                                           \
	}

#endif
