#!/usr/bin/env python3
"""Run loopcheck under valgrind's memcheck on a few fixtures; fail on any memcheck error.

    valgrind_fixtures.py --loopcheck BIN [--valgrind VALGRIND] [--suppressions FILE] FIXTURE_DIR...

For each fixture, tests/harness/run_fixture.py --write-compdb writes its compile database, then
loopcheck runs three times under
    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
covering the stages a plain run does not: a SARIF report with a cold cache (summaries encoded and
written), a JSON report from the warm cache (summaries read and decoded), and a text report with
--no-cache. Any memcheck error or definite leak makes valgrind exit 99: the test fails and prints
valgrind's report. Exit 77 (skipped) when valgrind is not installed, unless
LOOPCHECK_TEST_NO_SKIP=1 (CI installs it: scripts/setup-deps.sh).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WRITE_COMPDB = os.path.join(HERE, "..", "harness", "run_fixture.py")
TIMEOUT = 900


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--valgrind", default=shutil.which("valgrind"))
    ap.add_argument("--suppressions")
    ap.add_argument("fixtures", nargs="+")
    args = ap.parse_args()
    if not args.valgrind or not os.path.exists(args.valgrind):
        if os.environ.get("LOOPCHECK_TEST_NO_SKIP") == "1":
            print("valgrind is not installed (LOOPCHECK_TEST_NO_SKIP=1: failing)")
            return 1
        print("valgrind is not installed: skipped")
        return 77
    vg = [args.valgrind, "--error-exitcode=99", "--leak-check=full",
          "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
          "--num-callers=30", "-q"]
    if args.suppressions:
        vg.append("--suppressions=" + os.path.abspath(args.suppressions))
    env = dict(os.environ, NO_COLOR="1")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="lc-valgrind-") as tmp:
        env["XDG_CACHE_HOME"] = os.path.join(tmp, "xdg")
        for fixture in args.fixtures:
            fixture = os.path.abspath(fixture)
            name = os.path.basename(fixture)
            build = os.path.join(tmp, name)
            subprocess.run([sys.executable, WRITE_COMPDB, "--write-compdb", build, fixture],
                           check=True)
            cache = os.path.join(tmp, name + "-cache")
            common = ["--no-config", "-j", "2", "--srcroot", fixture, "-p", build]
            runs = [("sarif, cold cache", ["--cache-dir", cache, "--format", "sarif",
                                           "-o", os.path.join(tmp, name + ".sarif")]),
                    ("json, warm cache", ["--cache-dir", cache, "--format", "json"]),
                    ("text, no cache", ["--no-cache", "--format", "text"])]
            for what, extra in runs:
                t0 = time.monotonic()
                r = subprocess.run(vg + [args.loopcheck, *common, *extra], capture_output=True,
                                   text=True, env=env, timeout=TIMEOUT)
                secs = time.monotonic() - t0
                ok = r.returncode in (0, 1)
                print("%-6s %-28s %-20s exit %d, %.1f s" % ("ok" if ok else "FAIL", name, what,
                                                              r.returncode, secs))
                if not ok:
                    failures += 1
                    print(r.stderr[-20000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
