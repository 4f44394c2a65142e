/* fuzz.h - what every fuzz target in tests/fuzz/ shares.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput for one reader of
 * untrusted input. It is linked two ways:
 *   - with clang -fsanitize=fuzzer,address,undefined (tests/fuzz/CMakeLists.txt,
 *     LOOPCHECK_FUZZ=ON, run by scripts/fuzz.sh), libFuzzer supplying main();
 *   - with replay_main.c in every normal build (tests/fuzz/replay.cmake): a
 *     plain main() feeds it the seed corpus and the crashers kept in
 *     tests/fuzz/regressions/NAME/, so a fixed crash stays fixed.
 * A target must free everything it gets (leaks are reported as crashes) and
 * must not exit: a reader that exits on bad input is a bug.
 */
#ifndef LC_FUZZ_H
#define LC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A message for the user (an error, a notice, a suppression problem) exists
 * and is one line without control characters (issue 2: "a one-line message";
 * a byte like ESC or a newline copied from untrusted input into it could fake
 * or hide lines of loopcheck's output). Aborts otherwise. LC_FUZZ_LAX=1 in the
 * environment checks only that it exists: a fuzzing session can then look
 * past a known bad message for memory errors. */
static inline void lc_fuzz_check_message(const char *msg)
{
	static int lax = -1;
	if (lax < 0) {
		const char *e = getenv("LC_FUZZ_LAX");
		lax = e && e[0] == '1';
	}
	if (!msg)
		abort();
	for (const unsigned char *p = (const unsigned char *)msg; !lax && *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			abort();
}

#endif
