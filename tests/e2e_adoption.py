#!/usr/bin/env python3
"""End-to-end tests of adopting loopcheck in a project (issue 7): baselines that survive
unrelated edits, inline suppressions and --report-unused-suppressions, the exit-code thresholds
(--fail-on, --exit-zero, --max-findings), GitLab Code Quality output, and the pre-commit hook run
by pre-commit itself (or, without it, its entry line run the way pre-commit would run it).

Each test copies fixtures/main-and-callback (on_hup -> load_config -> fopen, fgets) into a fresh
temporary directory with its own compile_commands.json.

    e2e_adoption.py --loopcheck BIN [--source-dir REPO] [unittest args]

Tests needing <uv.h> or pre-commit are skipped when they are missing, unless
LOOPCHECK_TEST_NO_SKIP=1 (CI installs every dependency with scripts/setup-deps.sh).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

LOOPCHECK = None
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
HAVE_UV = os.path.exists("/usr/include/uv.h")
NO_SKIP = os.environ.get("LOOPCHECK_TEST_NO_SKIP") == "1"
FIXTURE = "main-and-callback"
FIXTURE_FILE = "config.c"
WARNING_RE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): warning: .*\[(?P<rule>[a-z-]+/[a-z-]+)\]$",
                        re.M)


def need(condition, why):
    if condition:
        return
    if NO_SKIP:
        raise AssertionError(f"{why}, and LOOPCHECK_TEST_NO_SKIP=1 forbids skipping")
    raise unittest.SkipTest(why)


class Project(unittest.TestCase):
    """A copy of the fixture with its compile database in build/."""

    def setUp(self):
        need(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="loopcheck-adoption-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.proj = os.path.join(self.tmp, "proj")
        shutil.copytree(os.path.join(SOURCE_DIR, "fixtures", FIXTURE), self.proj)
        os.remove(os.path.join(self.proj, "fixture.json"))
        self.src = os.path.join(self.proj, FIXTURE_FILE)
        # A project has no harness expectations in its comments.
        self.write([re.sub(r"\s*// expect-finding.*$", "", line) for line in self.read()])
        build = os.path.join(self.proj, "build")
        os.makedirs(build)
        with open(os.path.join(build, "compile_commands.json"), "w") as f:
            json.dump([{"directory": self.proj, "file": self.src,
                        "arguments": ["cc", "-c", self.src]}], f)

    # --- helpers -------------------------------------------------------------------------

    def lc(self, *args, env=None):
        r = subprocess.run([LOOPCHECK, "-p", "build", *args], capture_output=True, text=True,
                           cwd=self.proj, timeout=600, env=env)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, r.stderr, f"loopcheck {' '.join(args)}:\n{r.stderr}")
        self.assertGreaterEqual(r.returncode, 0, f"killed by signal {-r.returncode}: {r.stderr}")
        return r

    def lc_json(self, *args):
        r = self.lc("--format", "json", *args)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r, json.loads(r.stdout)

    def read(self):
        with open(self.src) as f:
            return f.read().split("\n")

    def write(self, lines):
        with open(self.src, "w") as f:
            f.write("\n".join(lines))

    def line_of(self, needle):
        """1-based number of the first line containing `needle`."""
        for i, text in enumerate(self.read(), 1):
            if needle in text:
                return i
        self.fail(f"{needle!r} not in {self.src}")

    def insert(self, before_needle, *new_lines):
        lines = self.read()
        i = self.line_of(before_needle) - 1
        self.write(lines[:i] + list(new_lines) + lines[i:])

    def replace(self, old, new):
        """Replace `old` on the first line that has it."""
        lines = self.read()
        i = self.line_of(old) - 1
        lines[i] = lines[i].replace(old, new, 1)
        self.write(lines)

    def warnings(self, r):
        """(line, rule) of every warning line of a text report."""
        return [(int(m.group("line")), m.group("rule")) for m in WARNING_RE.finditer(r.stdout)]

    def assert_one_line_error(self, r, *names):
        what = f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}"
        self.assertEqual(r.returncode, 2, what)
        lines = r.stderr.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, f"want one stderr line, got:\n{r.stderr}")
        for name in names:
            self.assertIn(name, lines[0])
        return lines[0]


class Baselines(Project):
    def new_blocking_call_and_unrelated_edits(self):
        """Lines inserted above both old findings, and one new blocking call in on_hup."""
        self.insert("static uv_signal_t hup;", "#include <unistd.h>", "", "/* moved down */")
        self.insert('FILE *f = fopen(path, "r");', "\t/* also moved down */")
        lines = self.read()
        i = self.line_of("reloaded: %d workers")
        self.write(lines[:i] + ["\tusleep(1000);"] + lines[i:])
        return self.line_of("usleep(1000);")

    def check_only_the_new_finding(self, baseline, new_line):
        r = self.lc("--baseline", baseline)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(self.warnings(r), [(new_line, "blocking/sleep")], r.stdout)
        self.assertIn("1 finding in 1 file (2 in the baseline)", r.stdout)
        # JSON keeps the old ones, labelled.
        _, doc = self.lc_json("--baseline", baseline)
        states = sorted((f["callee"], f["baseline"]) for f in doc["findings"])
        self.assertEqual(states, [("fgets", "unchanged"), ("fopen", "unchanged"), ("usleep", "new")])
        # So does SARIF, with baselineState.
        out = os.path.join(self.tmp, "after.sarif")
        r = self.lc("--format", "sarif", "-o", out, "--baseline", baseline)
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(out) as f:
            results = json.load(f)["runs"][0]["results"]
        self.assertEqual(sorted((x["properties"]["callee"], x["baselineState"]) for x in results),
                         [("fgets", "unchanged"), ("fopen", "unchanged"), ("usleep", "new")])

    def test_written_baseline_reports_only_new_findings(self):
        baseline = os.path.join(self.tmp, "loopcheck-baseline.json")
        r = self.lc()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(len(self.warnings(r)), 2, r.stdout)

        r = self.lc("--write-baseline", baseline)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("wrote 2 findings to the baseline", r.stderr)
        self.assertIn("no findings (2 in the baseline)", r.stdout)
        with open(baseline) as f:
            doc = json.load(f)
        self.assertEqual(len(doc["findings"]), 2)
        self.assertNotIn("seconds_total", doc["statistics"], "a baseline holds no timings")
        self.assertEqual([n for n in os.listdir(self.tmp) if ".tmp" in n], [],
                         "no temporary file left behind")

        r = self.lc("--baseline", baseline)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        new_line = self.new_blocking_call_and_unrelated_edits()
        self.check_only_the_new_finding(baseline, new_line)

        # With only the old findings (moved down), the run is clean again.
        self.replace("\tusleep(1000);", "")
        r = self.lc("--baseline", baseline)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.warnings(r), [], r.stdout)

    def test_sarif_report_as_baseline(self):
        sarif = os.path.join(self.tmp, "before.sarif")
        r = self.lc("--format", "sarif", "-o", sarif)
        self.assertEqual(r.returncode, 1, r.stderr)
        r = self.lc("--baseline", sarif)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        new_line = self.new_blocking_call_and_unrelated_edits()
        self.check_only_the_new_finding(sarif, new_line)

    def test_json_report_as_baseline(self):
        report = os.path.join(self.tmp, "before.json")
        r = self.lc("--format", "json", "-o", report)
        self.assertEqual(r.returncode, 1, r.stderr)
        new_line = self.new_blocking_call_and_unrelated_edits()
        self.check_only_the_new_finding(report, new_line)

    def test_rewriting_the_baseline_accepts_the_new_finding(self):
        baseline = os.path.join(self.tmp, "b.json")
        self.lc("--write-baseline", baseline)
        self.new_blocking_call_and_unrelated_edits()
        r = self.lc("--baseline", baseline, "--write-baseline", baseline)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.lc("--baseline", baseline)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_malformed_baseline_is_a_located_error(self):
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{\n  "findings": [\n    {"fingerprint": 42}\n  ]\n}\n')
        line = self.assert_one_line_error(self.lc("--baseline", bad), f"{bad}:3:21:", "fingerprint")
        self.assertRegex(line, r"^loopcheck: error: ")
        with open(bad, "w") as f:
            f.write('{"findings": [')
        self.assert_one_line_error(self.lc("--baseline", bad), f"{bad}:1:15:", "malformed JSON")
        # --exit-zero does not hide errors.
        self.assert_one_line_error(self.lc("--baseline", bad, "--exit-zero"), bad)
        self.assert_one_line_error(self.lc("--baseline", os.path.join(self.tmp, "none.json")),
                                   "none.json", "cannot read")

    def test_unwritable_baseline_is_an_error(self):
        r = self.lc("--write-baseline", os.path.join(self.tmp, "no", "such", "dir", "b.json"))
        self.assert_one_line_error(r, "cannot write the baseline")


class Thresholds(Project):
    def test_max_findings(self):
        for n, want in (("0", 1), ("1", 1), ("2", 0), ("9", 0)):
            r = self.lc("--max-findings", n)
            self.assertEqual(r.returncode, want, f"--max-findings {n}: {r.stdout}{r.stderr}")
        r = self.lc("--max-findings", "1")
        self.assertIn("2 findings, more than --max-findings 1", r.stderr)
        self.assert_one_line_error(self.lc("--max-findings", "-1"), "--max-findings")
        self.assert_one_line_error(self.lc("--max-findings", "many"), "--max-findings")

    def test_max_findings_counts_neither_suppressed_nor_baseline(self):
        baseline = os.path.join(self.tmp, "b.json")
        self.lc("--write-baseline", baseline)
        self.insert("static uv_signal_t hup;", "#include <unistd.h>")
        lines = self.read()
        i = self.line_of("reloaded: %d workers")
        self.write(lines[:i] + ["\tusleep(1);", "\tusleep(2); // loopcheck-ignore: startup"] + lines[i:])
        self.assertEqual(self.lc("--baseline", baseline).returncode, 1)
        self.assertEqual(self.lc("--baseline", baseline, "--max-findings", "1").returncode, 0)

    def test_exit_zero(self):
        r = self.lc("--exit-zero")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.warnings(r)), 2, r.stdout)

    def test_fail_on(self):
        # Both findings are warnings.
        self.assertEqual(self.lc("--fail-on", "error").returncode, 0)
        self.assertEqual(self.lc("--fail-on", "warning").returncode, 1)
        self.assertEqual(self.lc("--fail-on", "note").returncode, 1)
        self.assertEqual(self.lc("--fail-on", "error", "--max-findings", "0").returncode, 0)


class Suppressions(Project):
    def test_suppressed_findings_are_hidden_from_text_and_kept_in_json(self):
        self.replace('FILE *f = fopen(path, "r");',
                     'FILE *f = fopen(path, "r"); // loopcheck-ignore(blocking/file-io): tiny file')
        r = self.lc()
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertEqual([rule for _, rule in self.warnings(r)], ["blocking/file-io"])
        self.assertNotIn("fopen", "".join(line for line in r.stdout.split("\n") if "warning:" in line))
        self.assertIn("(1 suppressed)", r.stdout)
        _, doc = self.lc_json()
        got = {f["callee"]: (f["suppressed"], f["suppression_reason"]) for f in doc["findings"]}
        self.assertEqual(got, {"fopen": (True, "tiny file"), "fgets": (False, None)})

        # Suppress the other one from above the definition: the run is clean.
        self.insert("static void load_config(const char *path)",
                    "/* loopcheck-ignore-function(blocking/*): config files are small */")
        r = self.lc()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("no findings (2 suppressed)", r.stdout)

    def test_unused_suppressions(self):
        self.replace("static int workers = 4;",
                     "static int workers = 4; /* loopcheck-ignore(blocking/sleep): nothing here */")
        self.replace('FILE *f = fopen(path, "r");',
                     'FILE *f = fopen(path, "r"); // loopcheck-ignore: used')
        self.replace("while (fgets(line, sizeof line, f) != NULL)",
                     "while (fgets(line, sizeof line, f) != NULL) // loopcheck-ignore: used")
        unused_line = self.line_of("nothing here")
        col = self.read()[unused_line - 1].index("loopcheck-ignore") + 1

        r = self.lc()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("unused", r.stderr)

        r = self.lc("--report-unused-suppressions")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertEqual(r.stderr.strip("\n").split("\n"), [
            f"{FIXTURE_FILE}:{unused_line}:{col}: warning: unused loopcheck suppression "
            "'loopcheck-ignore(blocking/sleep)' [loopcheck/unused-suppression]"])
        self.assertEqual(self.lc("--report-unused-suppressions", "--exit-zero").returncode, 0)

        # JSON and SARIF carry it as a notice.
        _, doc = self.lc_json("--report-unused-suppressions")
        notes = [e for e in doc["errors"] if "unused loopcheck suppression" in (e["message"] or "")]
        self.assertEqual([(n["kind"], n["file"], n["line"]) for n in notes],
                         [("notice", FIXTURE_FILE, unused_line)])
        out = os.path.join(self.tmp, "unused.sarif")
        r = self.lc("--format", "sarif", "-o", out, "--report-unused-suppressions")
        self.assertEqual(r.returncode, 1)
        with open(out) as f:
            inv = json.load(f)["runs"][0]["invocations"][0]
        ids = [n["descriptor"]["id"] for n in inv["toolExecutionNotifications"]]
        self.assertIn("loopcheck/unused-suppression", ids)

        # Once it is gone, nothing is unused.
        self.replace(" /* loopcheck-ignore(blocking/sleep): nothing here */", "")
        r = self.lc("--report-unused-suppressions")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_malformed_suppression_is_a_warning(self):
        self.replace('FILE *f = fopen(path, "r");',
                     'FILE *f = fopen(path, "r"); // loopcheck-ignore-nextline')
        r = self.lc()
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"(?m)^config\.c:\d+:\d+: warning: unknown suppression "
                                   r"'loopcheck-ignore-nextline'.*\[loopcheck/invalid-suppression\]$")


class CodeQuality(Project):
    def test_codequality_report(self):
        r = self.lc("--format", "codequality")
        self.assertEqual(r.returncode, 1, r.stderr)
        issues = json.loads(r.stdout)
        self.assertEqual(sorted(i["check_name"] for i in issues), ["blocking/file-io"] * 2)
        for i in issues:
            self.assertEqual(set(i) >= {"description", "check_name", "fingerprint", "severity",
                                        "location"}, True, i)
            self.assertIn(i["severity"], ("info", "minor", "major", "critical", "blocker"))
            self.assertEqual(i["location"]["path"], FIXTURE_FILE)
            self.assertIsInstance(i["location"]["lines"]["begin"], int)
        self.assertEqual(len({i["fingerprint"] for i in issues}), 2, "fingerprints are unique")


class PreCommit(Project):
    """The hook of .pre-commit-hooks.yaml, run on a git repository holding the project."""

    def setUp(self):
        super().setUp()
        need(shutil.which("git"), "needs git")
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        os.symlink(LOOPCHECK, os.path.join(self.bin, "loopcheck"))
        self.env = dict(os.environ)
        self.env.update({
            "PATH": self.bin + os.pathsep + os.environ.get("PATH", ""),
            "PRE_COMMIT_HOME": os.path.join(self.tmp, "pre-commit-home"),
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "GIT_CONFIG_NOSYSTEM": "1", "HOME": self.tmp,
        })
        for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            self.env.pop(var, None)
        self.git(self.proj, "init", "-q")
        with open(os.path.join(self.proj, ".gitignore"), "w") as f:
            f.write("build/\n")

    def git(self, cwd, *args, check=True):
        r = subprocess.run(["git", *args], cwd=cwd, env=self.env, capture_output=True, text=True)
        if check:
            self.assertEqual(r.returncode, 0, f"git {' '.join(args)}:\n{r.stdout}{r.stderr}")
        return r

    def hooks_repo(self):
        """A git repository holding this checkout's .pre-commit-hooks.yaml; returns (path, rev)."""
        repo = os.path.join(self.tmp, "hooks")
        os.makedirs(repo)
        shutil.copy(os.path.join(SOURCE_DIR, ".pre-commit-hooks.yaml"), repo)
        self.git(repo, "init", "-q")
        self.git(repo, "add", ".pre-commit-hooks.yaml")
        self.git(repo, "commit", "-q", "-m", "hooks")
        rev = self.git(repo, "rev-parse", "HEAD").stdout.strip()
        return repo, rev

    def hook_definition(self):
        """entry, args and types_or of the loopcheck hook (a minimal reader of that YAML)."""
        with open(os.path.join(SOURCE_DIR, ".pre-commit-hooks.yaml")) as f:
            text = f.read()
        fields = dict(re.findall(r"(?m)^\s*-?\s*(id|entry|language|args|types_or|require_serial):\s*(.+)$", text))
        self.assertEqual(fields.get("id"), "loopcheck")
        self.assertEqual(fields.get("language"), "system")
        self.assertEqual(fields.get("require_serial"), "true")
        self.assertEqual(fields.get("types_or"), "[c]")
        args = [a.strip().strip("'\"") for a in fields.get("args", "[]").strip("[]").split(",") if a.strip()]
        return shlex.split(fields["entry"]), args

    def test_hook_definition(self):
        entry, args = self.hook_definition()
        self.assertEqual(entry, ["loopcheck"])
        self.assertEqual(args, ["-p", "build"])

    def make_clean(self):
        self.replace('FILE *f = fopen(path, "r");',
                     'FILE *f = fopen(path, "r"); // loopcheck-ignore: tested')
        self.replace("while (fgets(line, sizeof line, f) != NULL)",
                     "while (fgets(line, sizeof line, f) != NULL) // loopcheck-ignore: tested")

    def test_real_pre_commit(self):
        need(shutil.which("pre-commit"), "needs pre-commit (scripts/setup-deps.sh installs it)")
        repo, rev = self.hooks_repo()
        with open(os.path.join(self.proj, ".pre-commit-config.yaml"), "w") as f:
            f.write(f"repos:\n- repo: {repo}\n  rev: {rev}\n  hooks:\n  - id: loopcheck\n")
        self.git(self.proj, "add", "-A")

        def run(*args):
            r = subprocess.run(["pre-commit", *args], cwd=self.proj, env=self.env,
                               capture_output=True, text=True, timeout=600)
            for marker in SANITIZER_MARKERS:
                self.assertNotIn(marker, r.stdout + r.stderr)
            return r

        r = run("run", "--all-files")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"loopcheck \(blocking calls on the event loop\)\.*Failed")
        self.assertRegex(r.stdout, r"config\.c:\d+:\d+: warning: blocking file I/O 'fopen'")

        # As a git hook: the commit is refused, then goes through once clean.
        r = run("install")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.git(self.proj, "commit", "-q", "-m", "first", check=False)
        self.assertNotEqual(r.returncode, 0, "the commit should have been refused")
        self.assertIn("blocking file I/O", r.stdout + r.stderr)
        self.make_clean()
        self.git(self.proj, "add", "-A")
        r = self.git(self.proj, "commit", "-q", "-m", "first", check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run("run", "--files", FIXTURE_FILE)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"loopcheck \(blocking calls on the event loop\)\.*Passed")

    def test_hook_entry_line(self):
        """The hook's command line as pre-commit builds it: entry, args, then the staged files
        of its types (one batch, since require_serial), from the repository root."""
        entry, args = self.hook_definition()
        self.git(self.proj, "add", "-A")
        files = [f for f in self.git(self.proj, "ls-files").stdout.split("\n")
                 if f.endswith((".c", ".h"))]
        self.assertEqual(files, [FIXTURE_FILE])
        r = subprocess.run(entry + args + files, cwd=self.proj, env=self.env, capture_output=True,
                           text=True, timeout=600)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"config\.c:\d+:\d+: warning: blocking file I/O 'fopen'")
        self.make_clean()
        r = subprocess.run(entry + args + files, cwd=self.proj, env=self.env, capture_output=True,
                           text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


def main():
    global LOOPCHECK, SOURCE_DIR
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--loopcheck", default=os.environ.get("LOOPCHECK"))
    ap.add_argument("--source-dir", default=SOURCE_DIR)
    known, rest = ap.parse_known_args()
    if not known.loopcheck:
        sys.exit("e2e_adoption.py: pass --loopcheck BIN (or set LOOPCHECK)")
    LOOPCHECK, SOURCE_DIR = os.path.abspath(known.loopcheck), os.path.abspath(known.source_dir)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
