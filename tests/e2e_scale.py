#!/usr/bin/env python3
"""End-to-end tests of extract and link as separate steps (issue 10, docs/scale.md).

For every fixture directory (compile databases written by tests/harness/run_fixture.py's
write_compdb, as the fixture harness does), the JSON and SARIF reports (--deterministic
--srcroot FIXTURE plus the fixture's "args") and the exit codes are identical between the
one-shot run, `loopcheck -p DB`, and `extract` of each source file (--root FIXTURE: relative
paths) + `link --root FIXTURE`. On the fixtures where more can differ (several TUs, loopcheck
arguments, parse errors, suppressions: see variations()), also with:
  - `link` of the same summaries reversed, one named twice, and their directory;
  - `extract --shard I/N` for N = 1, 2, 3 (default root: the database's directory) +
    `link -p DB` on the shard directories (N = 3 through --summaries-from), every TU in exactly
    one shard;
  - `link --merge` of the per-file summaries in two orders (byte-identical files, equal to a
    tree-shaped merge) + `link` of the merged file.
Then: corrupt summaries (truncated, a flipped byte, wrong magic, another format version, empty,
missing) are one-line errors naming the file, exit 2; extract writes the same bytes twice and from a
copy of the tree at another path; duplicate external definitions are counted and named, and
linking each program on its own has none; the ninja-gen flow builds the SARIF of the one-shot
run, and touching or editing one file, touching a header, or changing one entry's flags re-runs
only the edges that depend on it; docs/cmake/loopcheck.cmake does the same with CMake's Ninja
generator.

    e2e_scale.py --loopcheck BIN --fixtures DIR
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
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "harness"))
import run_fixture  # noqa: E402  (the harness's compile-database writer)

LOOPCHECK = None
FIXTURES = None
TIMEOUT = 600
FORMATS = ("json", "sarif")
# Single-TU fixtures that also get the shard, order and merge variations.
VARIATION_ALSO = {"partial-tu", "trial-regressions", "suppress-line"}


def lc(*args, cwd=None, check_sanitizer=True):
    r = subprocess.run([LOOPCHECK, *args], capture_output=True, text=True, timeout=TIMEOUT,
                       cwd=cwd, stdin=subprocess.DEVNULL)
    if check_sanitizer:
        for marker in run_fixture.SANITIZER_MARKERS:
            if marker in r.stderr:
                raise AssertionError(f"sanitizer report from loopcheck {' '.join(args)}:\n"
                                     f"{r.stderr}")
    return r


def usable_fixtures():
    """(name, directory, fixture.json) of every fixture whose headers are installed."""
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


def report_args(d, cfg, fmt):
    return ["--format", fmt, "--deterministic", "--srcroot", d,
            *[a.replace("{fixture}", d) for a in cfg["args"]]]


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Variants:
    """Every way of producing one fixture's reports; problems collected, not raised, so that
    one run lists every fixture that differs."""

    def __init__(self, name, d, cfg, work):
        self.name, self.d, self.cfg = name, d, cfg
        self.work = os.path.join(work, name)
        self.db = os.path.join(self.work, "db")
        run_fixture.write_compdb(d, cfg, self.db)
        self.problems = []

    def reports(self, prefix):
        return {fmt: lc(*prefix, *report_args(self.d, self.cfg, fmt)) for fmt in FORMATS}

    def compare(self, what, got, want):
        for fmt in FORMATS:
            g, w = got[fmt], want[fmt]
            if g.returncode != w.returncode or g.stdout != w.stdout:
                self.problems.append(
                    f"{self.name}: {what} --format {fmt}: exit {g.returncode} (one-shot "
                    f"{w.returncode}), {'same' if g.stdout == w.stdout else 'different'} "
                    f"report; stderr: {g.stderr.strip()[:300]}")

    def extract(self, *args):
        r = lc("extract", *args)
        if r.returncode != 0:
            self.problems.append(f"{self.name}: extract {' '.join(args)}: exit {r.returncode}: "
                                 f"{r.stderr.strip()}")
        return r

    def run(self, variations):
        want = self.reports(["--no-cache", "-p", self.db])
        if want["json"].returncode == 2:
            self.problems.append(f"{self.name}: one-shot run failed: {want['json'].stderr}")
            return self.problems
        ntus = json.loads(want["json"].stdout)["statistics"]["tus"]

        # One summary per source file, paths relative to the fixture.
        per_file = []
        for i, src in enumerate(self.cfg["sources"]):
            out = os.path.join(self.work, "files", f"{i}.lcsum")
            self.extract("-p", self.db, "--root", self.d, os.path.join(self.d, src), "-o", out)
            per_file.append(out)
        self.compare("extract per file + link", self.reports(["link", "--root", self.d,
                                                              *per_file]), want)
        if not variations:
            return self.problems
        # Reversed argument order, a file named twice, a directory: the same report.
        self.compare("link, summaries reversed and repeated",
                     self.reports(["link", "--root", self.d, *reversed(per_file), per_file[0],
                                   os.path.dirname(per_file[0])]), want)

        # Shards: every TU in exactly one shard.
        for n in (1, 2, 3):
            dirs = []
            for i in range(1, n + 1):
                out = os.path.join(self.work, f"shards{n}", f"shard{i}")
                self.extract("--shard", f"{i}/{n}", "-p", self.db, "-o", out)
                dirs.append(out)
            names = [f for x in dirs for f in os.listdir(x)]
            if len(names) != ntus or len(set(names)) != ntus:
                self.problems.append(f"{self.name}: {n} shards hold {sorted(names)}, expected "
                                     f"{ntus} distinct summaries")
            if n == 3:
                listing = os.path.join(self.work, "shards3.txt")
                with open(listing, "w", encoding="utf-8") as f:
                    f.write("".join(x + "\n" for x in reversed(dirs)))
                prefix = ["link", "-p", self.db, "--summaries-from", listing]
            else:
                prefix = ["link", "-p", self.db, *dirs]
            self.compare(f"extract --shard I/{n} + link", self.reports(prefix), want)

        # Merges: deterministic whatever the order, and tree-shaped merges agree.
        merged = []
        for tag, order in (("a", per_file), ("b", list(reversed(per_file)))):
            out = os.path.join(self.work, f"merged-{tag}.lcsum")
            r = lc("link", "--merge", "-o", out, *order)
            if r.returncode != 0:
                self.problems.append(f"{self.name}: link --merge: {r.stderr.strip()}")
                return self.problems
            merged.append(out)
        if read(merged[0]) != read(merged[1]):
            self.problems.append(f"{self.name}: link --merge depends on the order of its inputs")
        if len(per_file) >= 2:
            left, right, tree = (os.path.join(self.work, x) for x in
                                 ("left.lcsum", "right.lcsum", "tree.lcsum"))
            lc("link", "--merge", "-o", left, per_file[0])
            lc("link", "--merge", "-o", right, *per_file[1:])
            lc("link", "--merge", "-o", tree, right, left)
            if read(tree) != read(merged[0]):
                self.problems.append(f"{self.name}: a tree-shaped merge differs from a flat one")
        self.compare("link of a merged summary",
                     self.reports(["link", "--root", self.d, merged[0]]), want)
        return self.problems


class Scale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lc-scale-")
        cls.fixtures = usable_fixtures()
        if not cls.fixtures:
            raise unittest.SkipTest("no usable fixture")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def fixture(self, name):
        for n, d, cfg in self.fixtures:
            if n == name:
                return d, cfg
        self.skipTest(f"fixture {name} is not usable here")

    def test_every_fixture_identical_every_way(self):
        """One-shot = extract + link on every fixture; the shard, order and merge variations on
        those where they can differ: several TUs, loopcheck arguments, parse errors."""
        work = os.path.join(self.tmp, "fixtures")
        problems = []

        def variations(name, cfg):
            return len(cfg["sources"]) > 1 or cfg["args"] or name in VARIATION_ALSO

        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            jobs = [ex.submit(Variants(n, d, cfg, work).run, variations(n, cfg))
                    for n, d, cfg in self.fixtures]
            for j in jobs:
                problems += j.result()
        self.assertEqual(problems, [], "\n".join(problems))

    def one_summary(self, name="chain-cross-file"):
        d, cfg = self.fixture(name)
        work = tempfile.mkdtemp(dir=self.tmp)
        db = os.path.join(work, "db")
        run_fixture.write_compdb(d, cfg, db)
        out = os.path.join(work, "a.lcsum")
        r = lc("extract", "-p", db, os.path.join(d, cfg["sources"][0]), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        return work, out, read(out)

    def test_corrupt_summaries_name_the_file(self):
        work, good, data = self.one_summary()
        fmt_other = bytearray(data)
        fmt_other[5] ^= 0x7f  # the format version
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x01
        cases = {
            "truncated": (data[:len(data) // 2], "truncated"),
            "flipped": (bytes(flipped), "checksum"),
            "magic": (b"XXSUM" + data[5:], "bad magic"),
            "version": (bytes(fmt_other), "format"),
            "empty": (b"", "bad magic"),
        }
        for tag, (content, words) in cases.items():
            bad = os.path.join(work, f"{tag}.lcsum")
            with open(bad, "wb") as f:
                f.write(content)
            for args in (["link", good, bad], ["link", "--merge", "-o",
                                                os.path.join(work, "m.lcsum"), bad, good]):
                with self.subTest(tag=tag, command=args[1]):
                    r = lc(*args)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    lines = r.stderr.strip().splitlines()
                    self.assertEqual(len(lines), 1, r.stderr)
                    self.assertTrue(lines[0].startswith(f"loopcheck: error: {bad}: "), lines[0])
                    self.assertIn(words, lines[0])
        missing = os.path.join(work, "missing.lcsum")
        r = lc("link", good, missing)
        self.assertEqual(r.returncode, 2)
        self.assertIn(missing, r.stderr)
        # A directory of summaries holding a corrupt one names that file.
        d = os.path.join(work, "dir")
        os.makedirs(d)
        shutil.copy(good, os.path.join(d, "good.lcsum"))
        with open(os.path.join(d, "z.lcsum"), "wb") as f:
            f.write(data[:-3])
        r = lc("link", d)
        self.assertEqual(r.returncode, 2)
        self.assertIn(os.path.join(d, "z.lcsum") + ": truncated", r.stderr)

    def test_extract_is_deterministic_and_relocatable(self):
        d, cfg = self.fixture("chain-cross-file")
        outs = []
        for k in range(2):
            # The same tree at two paths: same bytes with --root (relative paths).
            copy = os.path.join(self.tmp, f"reloc{k}", "some" * (k + 1), "tree")
            shutil.copytree(d, copy)
            db = os.path.join(copy, "build")
            run_fixture.write_compdb(copy, cfg, db)
            for rep in range(2):
                out = os.path.join(self.tmp, f"reloc{k}-{rep}.lcsum")
                r = lc("extract", "-p", db, "--root", copy, "-j", "2",
                       *[os.path.join(copy, s) for s in cfg["sources"]], "-o", out)
                self.assertEqual(r.returncode, 0, r.stderr)
                outs.append(read(out))
        self.assertEqual(len(set(outs)), 1, "extract is not deterministic or not relocatable")
        for s in cfg["sources"]:
            self.assertIn(s.encode(), outs[0])
        self.assertNotIn(b"reloc0", outs[0])

    def test_merge_into_an_input_directory(self):
        work, good, _ = self.one_summary()
        out = os.path.join(work, "all.lcsum")
        for _ in range(2):  # the second merge must not read the first one's output
            r = lc("link", "--merge", "-o", out, work)
            self.assertEqual(r.returncode, 0, r.stderr)
        once = os.path.join(self.tmp, "once.lcsum")
        self.assertEqual(lc("link", "--merge", "-o", once, good).returncode, 0)
        self.assertEqual(read(out), read(once))

    def test_extract_without_database(self):
        d, cfg = self.fixture("chain-cross-file")
        work = tempfile.mkdtemp(dir=self.tmp)
        db = os.path.join(work, "db")
        run_fixture.write_compdb(d, cfg, db)
        src = os.path.join(d, cfg["sources"][0])
        a, b = os.path.join(work, "a.lcsum"), os.path.join(work, "b.lcsum")
        self.assertEqual(lc("extract", "-p", db, "--root", d, src, "-o", a).returncode, 0)
        r = lc("extract", "--root", d, src, "-o", b, "--", *cfg["flags"], cwd=d)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(read(a), read(b))

    def test_usage_errors(self):
        work, good, _ = self.one_summary()
        for args, words in (
                (["extract", "--shard", "0/3", "-p", work, "-o", work], "--shard"),
                (["extract", "--shard", "4/3", "-p", work, "-o", work], "--shard"),
                (["extract", "-p", work], "-o"),
                (["extract", "-p", os.path.join(work, "db"), "/nonexistent.c", "-o",
                  os.path.join(work, "x.lcsum")], "not in the compile database"),
                (["link"], "summaries"),
                (["link", "--merge", good], "-o"),
                (["link", good, "--", "-DX"], "extract"),
                (["--merge", "-p", work], "loopcheck link"),
                (["ninja-gen", "-o", "x.ninja"], "-p DIR"),
        ):
            with self.subTest(args=args):
                r = lc(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(words, r.stderr)
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def write_database(self, name, files):
        src = os.path.join(self.tmp, name)
        entries = []
        for rel, text in files.items():
            path = os.path.join(src, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            entries.append({"directory": src, "file": path, "arguments": ["cc", "-c", path]})
        with open(os.path.join(src, "compile_commands.json"), "w", encoding="utf-8") as f:
            json.dump(entries, f)
        return src

    def one_shot_and_link(self, src):
        """The JSON report of `src`'s database, one-shot and extract + link (asserted equal)."""
        sums = os.path.join(src, "sums")
        self.assertEqual(lc("extract", "-p", src, "-o", sums).returncode, 0)
        one = lc("--no-cache", "-p", src, "--format", "json", "--deterministic", "--srcroot", src)
        both = lc("link", "-p", src, "--format", "json", "--deterministic", "--srcroot", src, sums)
        self.assertEqual(one.stdout, both.stdout)
        return sums, json.loads(both.stdout)

    def test_programs_with_a_main_are_linked_apart(self):
        src = self.write_database("two-programs", {
            "lua/lua.c": "#include <unistd.h>\nvoid helper(void) { sleep(1); }\n"
                         "int main(void) { helper(); return 0; }\n",
            "server/server.c": "void helper(void) { }\nint main(void) { helper(); return 0; }\n",
        })
        sums, doc = self.one_shot_and_link(src)
        # Each main seeds a program of its own: helper and main are defined once in each.
        self.assertEqual(doc["statistics"]["duplicate_definitions"], 0)
        self.assertEqual([e for e in doc["errors"] if e["kind"] == "notice"], [])
        graph = lc("link", "-p", src, "--dump-callgraph", sums).stdout
        self.assertRegex(graph, r"^# program 1 of 2: main in .*/lua/lua\.c\n")
        self.assertRegex(graph, r"\n# program 2 of 2: main in .*/server/server\.c\n")

    def test_duplicate_definitions_are_counted_and_named(self):
        # Without a main (two plugins, say) the database is one program.
        src = self.write_database("two-plugins", {
            "lua/lua.c": "#include <unistd.h>\nvoid helper(void) { sleep(1); }\n"
                         "void lua_start(void) { helper(); }\n",
            "server/server.c": "void helper(void) { }\nvoid lua_start(void) { helper(); }\n",
        })
        sums, doc = self.one_shot_and_link(src)
        # Both plugins define helper and lua_start.
        self.assertEqual(doc["statistics"]["duplicate_definitions"], 2)
        notices = [e["message"] for e in doc["errors"] if e["kind"] == "notice"]
        self.assertEqual(len(notices), 1, doc["errors"])
        self.assertRegex(notices[0], r"^2 external functions are defined in more than one "
                                     r"translation unit .*: helper \(lua/lua\.c:2, also "
                                     r"server/server\.c:1\); lua_start \(lua/lua\.c:3, also "
                                     r"server/server\.c:2\)")
        self.assertIn("loopcheck link", notices[0])
        # One link per program: no duplicates.
        for prog in ("lua+lua.c.0.lcsum", "server+server.c.0.lcsum"):
            r = lc("link", "-p", src, "--format", "json", os.path.join(sums, prog))
            doc = json.loads(r.stdout)
            self.assertEqual(doc["statistics"]["duplicate_definitions"], 0)
            self.assertEqual([e for e in doc["errors"] if e["kind"] == "notice"], [])
        sarif = json.loads(lc("link", "-p", src, "--format", "sarif", sums).stdout)
        ids = [n["descriptor"]["id"] for n in
               sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]]
        self.assertIn("loopcheck/duplicate-definitions", ids)

    # ---- ninja-gen -------------------------------------------------------------------------

    def ninja(self, build, *args):
        env = dict(os.environ, NINJA_STATUS="[edge] ")
        r = subprocess.run(["ninja", "-C", build, *args], capture_output=True, text=True,
                           timeout=TIMEOUT, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for marker in run_fixture.SANITIZER_MARKERS:
            self.assertNotIn(marker, r.stdout + r.stderr)
        return r.stdout

    def edges(self, out):
        """The descriptions of the edges ninja ran."""
        return sorted(m.group(1) for m in re.finditer(r"^\[edge\] (.*)$", out, re.M))

    def test_ninja_gen_incremental(self):
        if not shutil.which("ninja"):
            self.skipTest("ninja is not installed (scripts/setup-deps.sh installs ninja-build)")
        d0, cfg = self.fixture("chain-cross-file")
        d = os.path.join(self.tmp, "ninja-tree")
        shutil.copytree(d0, d)
        db = os.path.join(d, "db")
        run_fixture.write_compdb(d, cfg, db)
        build = os.path.join(d, "out")
        # --loopcheck: the binary under test, a dependency of every edge.
        r = lc("ninja-gen", "-p", db, "-o", os.path.join(build, "build.ninja"), "--root", d,
               "--loopcheck", LOOPCHECK, "--", "--deterministic", *cfg["args"])
        self.assertEqual(r.returncode, 0, r.stderr)
        want = lc("--no-cache", "-p", db, *report_args(d, cfg, "sarif"))

        out = self.ninja(build)
        ran = self.edges(out)
        self.assertEqual(len(ran), len(cfg["sources"]) + 1, out)
        self.assertEqual(read(os.path.join(build, "loopcheck.sarif")), want.stdout.encode())
        self.assertEqual(len(os.listdir(os.path.join(build, "lcsum"))), len(cfg["sources"]))
        self.assertIn("no work to do", self.ninja(build))

        def later(path):
            """Touch `path`: newer than every output so far (ninja compares mtimes in ns)."""
            time.sleep(0.05)
            os.utime(path)

        main_c = os.path.join(d, "main.c")
        # Touched, not changed: its extract re-runs, the summary is the same, link does not.
        later(main_c)
        self.assertEqual(self.edges(self.ninja(build)), ["loopcheck extract main.c"])
        self.assertIn("no work to do", self.ninja(build))
        # Changed: that extract and the link.
        with open(main_c, "a", encoding="utf-8") as f:
            f.write("/* edited */\n")
        later(main_c)
        self.assertEqual(self.edges(self.ninja(build)),
                         ["loopcheck extract main.c", "loopcheck link loopcheck.sarif"])
        # A header: only the TUs that include it (from the depfile).
        headers = [h for h in os.listdir(d) if h.endswith(".h")]
        self.assertTrue(headers)
        header = sorted(headers)[0]
        includers = []
        for s in cfg["sources"]:
            with open(os.path.join(d, s), encoding="utf-8") as f:
                if f'#include "{header}"' in f.read():
                    includers.append(s)
        self.assertTrue(includers)
        later(os.path.join(d, header))
        self.assertEqual(self.edges(self.ninja(build)),
                         [f"loopcheck extract {s}" for s in includers])
        # One entry's flags change: build.ninja is regenerated, that one TU re-extracted.
        with open(os.path.join(db, "compile_commands.json"), encoding="utf-8") as f:
            entries = json.load(f)
        entries[-1]["arguments"].append("-DLOOPCHECK_TEST_FLAG=1")
        with open(os.path.join(db, "compile_commands.json"), "w", encoding="utf-8") as f:
            json.dump(entries, f)
        later(os.path.join(db, "compile_commands.json"))
        ran = self.edges(self.ninja(build))
        rel = os.path.relpath(entries[-1]["file"], d)
        self.assertIn("loopcheck ninja-gen build.ninja", ran)
        self.assertEqual([e for e in ran if "extract" in e], [f"loopcheck extract {rel}"], ran)
        self.assertIn("no work to do", self.ninja(build))
        # The result is still the one-shot run's.
        want = lc("--no-cache", "-p", db, *report_args(d, cfg, "sarif"))
        self.assertEqual(read(os.path.join(build, "loopcheck.sarif")), want.stdout.encode())

    def test_cmake_function(self):
        """docs/cmake/loopcheck.cmake with the Ninja generator: the one-shot run's SARIF, and a
        touched header re-extracts only the TUs that include it."""
        if not shutil.which("ninja") or not shutil.which("cmake"):
            self.skipTest("needs cmake and ninja")
        d0, cfg = self.fixture("chain-cross-file")
        proj = os.path.join(self.tmp, "cmake-project")
        shutil.copytree(d0, os.path.join(proj, "src"))
        module = os.path.join(os.path.dirname(HERE), "docs", "cmake", "loopcheck.cmake")
        srcs = " ".join(f"src/{s}" for s in cfg["sources"])
        with open(os.path.join(proj, "CMakeLists.txt"), "w", encoding="utf-8") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(demo C)\n"
                    "set(CMAKE_EXPORT_COMPILE_COMMANDS ON)\n"
                    f"include({module})\n"
                    f"add_executable(app {srcs})\n"
                    "loopcheck_add_target(app_loopcheck TARGETS app "
                    "LINK_OPTIONS --deterministic)\n")
        build = os.path.join(proj, "build")
        r = subprocess.run(["cmake", "-S", proj, "-B", build, "-G", "Ninja",
                            f"-DLOOPCHECK_EXECUTABLE={LOOPCHECK}"], capture_output=True, text=True,
                           timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        ran = self.edges(self.ninja(build, "app_loopcheck"))
        self.assertEqual(len(ran), len(cfg["sources"]) + 1, ran)
        want = lc("--no-cache", "-p", build, "--format", "sarif", "--deterministic",
                  "--srcroot", proj)
        self.assertEqual(read(os.path.join(build, "app_loopcheck.sarif")), want.stdout.encode())
        time.sleep(0.05)
        os.utime(os.path.join(proj, "src", "audit.h"))
        includers = []
        for s in cfg["sources"]:
            with open(os.path.join(proj, "src", s), encoding="utf-8") as f:
                if '#include "audit.h"' in f.read():
                    includers.append(f"loopcheck extract src/{s}")
        self.assertTrue(includers)
        self.assertEqual(self.edges(self.ninja(build, "app_loopcheck")), sorted(includers))


def main():
    global LOOPCHECK, FIXTURES
    ap = argparse.ArgumentParser()
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--fixtures", required=True)
    args, rest = ap.parse_known_args()
    LOOPCHECK = os.path.realpath(args.loopcheck)
    FIXTURES = os.path.realpath(args.fixtures)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
