#!/usr/bin/env python3
"""End-to-end tests of parallel parsing and the summary cache (issue 8).

For every fixture directory (compile databases written by tests/harness/run_fixture.py's
write_compdb, as the fixture harness does):
  - the JSON report (--deterministic) is byte-identical with -j1 and -j2, with --no-cache, a cold
    cache and a warm one, and the exit codes agree;
  - the warm run parses nothing: --stats says "0 parsed, N from the cache".
Then, on one database holding every fixture's TUs: -j1/-j2/warm and --dump-facts agree; corrupt
entries are ignored and rewritten; four concurrent runs sharing one cache agree and leave it
valid; an edited file is the only one parsed again; the default cache directory sits beside
the compile database and --no-cache creates none; an unusable --cache-dir is a warning.

    e2e_cache.py --loopcheck BIN --fixtures DIR
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "harness"))
import run_fixture  # noqa: E402  (the harness's compile-database writer)

LOOPCHECK = None
FIXTURES = None
TIMEOUT = 600
STATS_RE = re.compile(r"stats: (\d+) TUs: (\d+) parsed, (\d+) from the cache")
CACHE_RE = re.compile(r"(\d+) hits, (\d+) misses \((\d+) changed, (\d+) unreadable\), "
                      r"(\d+) stored, (\d+) refreshed, (\d+) not cacheable")


def lc(*args, cwd=None):
    r = subprocess.run([LOOPCHECK, *args], capture_output=True, text=True, timeout=TIMEOUT,
                       cwd=cwd, stdin=subprocess.DEVNULL)
    for marker in run_fixture.SANITIZER_MARKERS:
        if marker in r.stderr:
            raise AssertionError(f"sanitizer report from loopcheck {' '.join(args)}:\n{r.stderr}")
    return r


def stats(r):
    """(tus, parsed, from cache) and the cache line's counters from --stats output."""
    m = STATS_RE.search(r.stderr)
    if not m:
        raise AssertionError(f"no --stats line in stderr:\n{r.stderr}")
    c = CACHE_RE.search(r.stderr)
    cache = dict(zip(("hits", "misses", "stale", "corrupt", "stored", "refreshed", "uncacheable"),
                     map(int, c.groups()))) if c else None
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), cache


def fixture_args(cfg, d):
    return [a.replace("{fixture}", d) for a in cfg["args"]]


def usable_fixtures():
    """(name, directory, fixture.json) of every fixture whose headers are installed, from a
    snapshot of fixtures/ taken once (the tree may be edited while the tests run)."""
    out = []
    for name in sorted(os.listdir(FIXTURES)):
        d = os.path.join(FIXTURES, name)
        if not os.path.isdir(d):
            continue
        try:
            cfg = run_fixture.load_fixture(d)
        except run_fixture.FixtureError:
            continue
        if run_fixture.missing_headers(d, cfg):
            continue
        out.append((name, os.path.realpath(d), cfg))
    return out


def combined_db(out_dir, fixtures):
    """One compile database holding every fixture's TUs."""
    entries = []
    for name, d, cfg in fixtures:
        sub = os.path.join(out_dir, "parts", name)
        run_fixture.write_compdb(d, cfg, sub)
        with open(os.path.join(sub, "compile_commands.json")) as f:
            entries += json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=1)
    return len(entries)


class Cache(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lc-e2e-cache-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertSameReport(self, a, b, what):
        self.assertEqual(a.returncode, b.returncode, f"{what}: exit codes differ\n{b.stderr}")
        self.assertEqual(a.stdout, b.stdout, f"{what}: reports differ")

    def test_every_fixture_same_report_any_jobs_cold_or_warm(self):
        fixtures = usable_fixtures()
        self.assertGreater(len(fixtures), 0, "no fixture could run")
        for name, d, cfg in fixtures:
            with self.subTest(fixture=name):
                db = os.path.join(self.tmp, name, "db")
                cache = os.path.join(self.tmp, name, "cache")
                run_fixture.write_compdb(d, cfg, db)
                with open(os.path.join(db, "compile_commands.json")) as f:
                    ntus = len(json.load(f))
                base = ["--format", "json", "--deterministic", "--srcroot", d, "-p", db,
                        *fixture_args(cfg, d)]
                ref = lc(*base, "-j1", "--no-cache")
                self.assertIn(ref.returncode, (0, 1), ref.stderr)
                json.loads(ref.stdout)
                cold = lc(*base, "-j2", "--cache-dir", cache, "--stats")
                self.assertSameReport(ref, cold, f"{name}: -j1 --no-cache vs -j2 cold cache")
                self.assertEqual(stats(cold)[:3], (ntus, ntus, 0))
                # Worker processes report their parse time with each summary.
                m = re.search(r"libclang\s+([\d.]+) s CPU", cold.stderr)
                self.assertTrue(m and float(m.group(1)) > 0, cold.stderr)
                # TUs missing a header are never stored (the header may appear).
                uncacheable = stats(cold)[3]["uncacheable"]
                for jobs in ("-j2", "-j1"):
                    warm = lc(*base, jobs, "--cache-dir", cache, "--stats")
                    self.assertSameReport(ref, warm, f"{name}: warm {jobs}")
                    self.assertEqual(stats(warm)[:3],
                                     (ntus, uncacheable, ntus - uncacheable),
                                     f"{name}: a warm run must not parse")

    def test_all_fixtures_in_one_database(self):
        fixtures = usable_fixtures()
        db = os.path.join(self.tmp, "all")
        ntus = combined_db(db, fixtures)
        cache = os.path.join(self.tmp, "cache")
        base = ["--format", "json", "--deterministic", "--srcroot", FIXTURES, "-p", db]
        ref = lc(*base, "-j1", "--no-cache")
        self.assertIn(ref.returncode, (0, 1), ref.stderr)
        self.assertGreater(len(json.loads(ref.stdout)["findings"]), 10)
        for jobs in ("-j2", "-j3", "-j8"):
            self.assertSameReport(ref, lc(*base, jobs, "--no-cache"), f"{jobs} --no-cache")
        cold = lc(*base, "-j2", "--cache-dir", cache, "--stats")
        self.assertSameReport(ref, cold, "cold cache")
        uncacheable = stats(cold)[3]["uncacheable"]
        warm = lc(*base, "-j2", "--cache-dir", cache, "--stats")
        self.assertSameReport(ref, warm, "warm cache")
        self.assertEqual(stats(warm)[:3], (ntus, uncacheable, ntus - uncacheable))
        # The facts themselves survive the cache byte for byte.
        dump_ref = lc("--dump-facts", "-p", db, "-j2", "--no-cache")
        dump_warm = lc("--dump-facts", "-p", db, "-j1", "--cache-dir", cache)
        self.assertEqual(dump_ref.returncode, 0, dump_ref.stderr)
        self.assertEqual(dump_ref.stdout, dump_warm.stdout)
        # SARIF too.
        sarif_ref = lc("--format", "sarif", "--deterministic", "--srcroot", FIXTURES, "-p", db,
                       "--no-cache")
        sarif_warm = lc("--format", "sarif", "--deterministic", "--srcroot", FIXTURES, "-p", db,
                        "--cache-dir", cache)
        self.assertSameReport(sarif_ref, sarif_warm, "SARIF cold vs warm")

    def entries(self, cache):
        out = []
        for root, _, files in os.walk(cache):
            if re.fullmatch(r"[0-9a-f]{16}", os.path.basename(os.path.dirname(root))):
                out += [os.path.join(root, f) for f in files if re.fullmatch(r"[0-9a-f]{32}", f)]
        return sorted(out)

    def test_corrupt_entries_are_ignored_and_rewritten(self):
        fixtures = usable_fixtures()[:6]
        db = os.path.join(self.tmp, "db")
        ntus = combined_db(db, fixtures)
        cache = os.path.join(self.tmp, "cache")
        base = ["--format", "json", "--deterministic", "--srcroot", FIXTURES, "-p", db, "-j2",
                "--cache-dir", cache, "--stats"]
        ref = lc(*base)
        entries = self.entries(cache)
        self.assertEqual(len(entries), ntus - stats(ref)[3]["uncacheable"])
        for i, path in enumerate(entries):
            with open(path, "r+b") as f:
                data = f.read()
                f.seek(0)
                if i % 3 == 0:
                    f.truncate(len(data) // 2)          # truncated
                elif i % 3 == 1:
                    f.seek(len(data) - 5)
                    f.write(bytes([data[-5] ^ 0xff]))   # one byte flipped
                else:
                    f.truncate(0)
                    f.write(b"LCCE\x01\x00\x00\x00garbage")  # right magic, nonsense
        r = lc(*base)
        self.assertSameReport(ref, r, "after corrupting every entry")
        _, parsed, _, c = stats(r)
        self.assertEqual(parsed, ntus)
        self.assertEqual(c["corrupt"], len(entries))
        self.assertEqual(c["stored"], len(entries))
        again = lc(*base)
        self.assertSameReport(ref, again, "after the rewrite")
        self.assertEqual(stats(again)[1], c["uncacheable"], "the rewritten entries are used")

    def test_concurrent_runs_share_one_cache(self):
        fixtures = usable_fixtures()
        db = os.path.join(self.tmp, "db")
        ntus = combined_db(db, fixtures)
        cache = os.path.join(self.tmp, "cache")
        base = ["--format", "json", "--deterministic", "--srcroot", FIXTURES, "-p", db, "-j2",
                "--cache-dir", cache, "--stats"]
        ref = lc("--format", "json", "--deterministic", "--srcroot", FIXTURES, "-p", db,
                 "--no-cache")
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            runs = list(ex.map(lambda _: lc(*base), range(4)))
        for r in runs:
            self.assertSameReport(ref, r, "concurrent run")
        warm = lc(*base)
        self.assertSameReport(ref, warm, "after the concurrent runs")
        tus, parsed, hits, c = stats(warm)
        self.assertEqual((parsed, hits, c["corrupt"]),
                         (c["uncacheable"], ntus - c["uncacheable"], 0))
        leftovers = [f for _, _, files in os.walk(cache) for f in files if ".tmp." in f]
        self.assertEqual(leftovers, [], "no temporary file is left behind")

    def test_an_edited_file_is_the_only_one_parsed(self):
        src = os.path.join(self.tmp, "src")
        shutil.copytree(os.path.join(FIXTURES, "chain-cross-file"), src)
        cfg = run_fixture.load_fixture(src)
        if run_fixture.missing_headers(src, cfg):
            self.skipTest("uv.h missing")
        db = os.path.join(self.tmp, "db")
        run_fixture.write_compdb(src, cfg, db)
        base = ["--format", "json", "--deterministic", "--srcroot", src, "-p", db, "-j2"]
        lc(*base, "--stats")
        with open(os.path.join(src, "store.c"), "a") as f:
            f.write("\nint added_by_the_test(void) { return 42; }\n")
        r = lc(*base, "--stats")
        tus, parsed, hits, _ = stats(r)
        self.assertEqual((parsed, hits), (1, tus - 1))
        self.assertSameReport(lc(*base, "--no-cache"), r, "edited vs --no-cache")

    def test_default_directory_and_no_cache(self):
        name, d, cfg = usable_fixtures()[0]
        db = os.path.join(self.tmp, "db")
        run_fixture.write_compdb(d, cfg, db)
        r = lc("--format", "json", "-p", db, "--no-cache")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        self.assertFalse(os.path.exists(os.path.join(db, ".loopcheck-cache")))
        r = lc("--format", "json", "-p", db, "--stats")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        cache = os.path.join(db, ".loopcheck-cache")
        self.assertTrue(os.path.isfile(os.path.join(cache, "CACHEDIR.TAG")))
        self.assertIn(f"cache       {cache}:", r.stderr)
        self.assertEqual(len(self.entries(cache)), stats(r)[3]["stored"])
        self.assertGreater(stats(r)[3]["stored"], 0)

    def test_unusable_cache_dir_is_a_warning(self):
        name, d, cfg = usable_fixtures()[0]
        db = os.path.join(self.tmp, "db")
        run_fixture.write_compdb(d, cfg, db)
        blocker = os.path.join(self.tmp, "file")
        open(blocker, "w").close()
        ref = lc("--format", "json", "--deterministic", "-p", db, "--no-cache")
        r = lc("--format", "json", "--deterministic", "-p", db, "--cache-dir",
               os.path.join(blocker, "cache"))
        self.assertSameReport(ref, r, "unusable cache dir")
        self.assertIn("warning", r.stderr)
        self.assertIn("continuing without a cache", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)


def main():
    global LOOPCHECK, FIXTURES
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--fixtures", required=True)
    a, rest = ap.parse_known_args()
    LOOPCHECK = os.path.abspath(a.loopcheck)
    snapshot = tempfile.mkdtemp(prefix="lc-e2e-cache-fixtures-")
    try:
        FIXTURES = os.path.join(snapshot, "fixtures")
        shutil.copytree(os.path.realpath(a.fixtures), FIXTURES)  # mtimes preserved
        prog = unittest.main(argv=[sys.argv[0], *rest], verbosity=2, exit=False)
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
