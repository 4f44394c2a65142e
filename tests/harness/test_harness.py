#!/usr/bin/env python3
"""Self-tests of run_fixture.py: the harness must pass what is right and fail on what is not.

Two groups:
- HarnessLogic runs the harness against a fake loopcheck (a script written here that prints the
  findings a test tells it to), so every rule of the harness is checked without the analyzer.
- RealLoopcheck copies a real fixture, removes one expectation (the harness must fail and print
  "unexpected") and adds a bogus one (it must fail and print "missing"): proof, with the real
  binary, that a fixture can fail.

    test_harness.py [--loopcheck BIN] [--fixtures DIR] [--fixture NAME] [unittest args]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "run_fixture.py")
OPTS = argparse.Namespace(loopcheck=None, fixtures=os.path.join(HERE, "..", "..", "fixtures"),
                          fixture="uv-signal")

# A stand-in for loopcheck: records how it was called and prints the findings listed in
# $FAKE_SPEC ({"findings": [[file, line, rule, message, severity?, callee?], ...], "errors": [...],
# "exit": N, "stderr": "...", "stdout": "...", "sarif_drop": true}).
FAKE_LOOPCHECK = r'''#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
opt = {}
i = 0
while i < len(args):
    if args[i] in ("--format", "-o", "--srcroot", "-p"):
        opt[args[i]] = args[i + 1]
        i += 2
    else:
        i += 1
with open(os.path.join(opt["-p"], "compile_commands.json")) as f:
    compdb = json.load(f)
with open(os.environ["FAKE_LOG"], "a") as f:
    f.write(json.dumps({"argv": args, "compdb": compdb}) + "\n")
with open(os.environ["FAKE_SPEC"]) as f:
    spec = json.load(f)
findings = []
for row in spec.get("findings", []):
    file, line, rule, message = row[:4]
    severity = row[4] if len(row) > 4 else "warning"
    callee = row[5] if len(row) > 5 else None
    findings.append({"rule": rule, "severity": severity, "message": message,
                     "location": {"file": file, "line": line, "column": 5},
                     "function": "f", "callee": callee,
                     "entry": {"callback": "on_tick", "registrar": "uv_timer_start"},
                     "chain": [{"kind": "callback", "function": "on_tick"},
                               {"kind": "blocking", "function": "f"}],
                     "fingerprint": "0123456789abcdef"})
code = spec.get("exit", 1 if findings else 0)
sys.stderr.write(spec.get("stderr", ""))
if opt.get("--format") == "sarif":
    results = [{"ruleId": f["rule"], "level": "warning", "message": {"text": f["message"]},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f["location"]["file"], "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f["location"]["line"], "startColumn": 5}}}]}
               for f in findings]
    if spec.get("sarif_drop"):
        results = results[1:]
    sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "loopcheck"}},
                                           "results": results}]}
    with open(opt["-o"], "w") as f:
        json.dump(sarif, f)
else:
    sys.stdout.write(spec.get("stdout", json.dumps(
        {"version": "1.0", "findings": findings, "errors": spec.get("errors", []),
         "statistics": {}})))
sys.exit(code)
'''


def run_harness(harness, *args, env=None):
    # scripts/test.sh sets LOOPCHECK_TEST_NO_SKIP=1 for the fixtures; these tests set it themselves.
    base = {k: v for k, v in os.environ.items() if k != "LOOPCHECK_TEST_NO_SKIP"}
    r = subprocess.run([sys.executable, harness, *args], capture_output=True, text=True,
                       env={**base, **(env or {})}, timeout=900)
    return r.returncode, r.stdout + r.stderr


class HarnessLogic(unittest.TestCase):
    """The harness's rules, checked against the fake loopcheck."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="harness-test-")
        self.addCleanup(shutil.rmtree, self.tmp)
        # A private copy of the harness, so that a colleague's validate_sarif.py beside the real
        # one does not judge the fake's minimal SARIF; tests that want a validator write one.
        self.harness = os.path.join(self.tmp, "run_fixture.py")
        shutil.copy(HARNESS, self.harness)
        self.fake = os.path.join(self.tmp, "fake-loopcheck")
        with open(self.fake, "w") as f:
            f.write(FAKE_LOOPCHECK)
        os.chmod(self.fake, 0o755)
        self.fixture = os.path.join(self.tmp, "fx")
        self.log = os.path.join(self.tmp, "calls.jsonl")
        self.spec = os.path.join(self.tmp, "spec.json")

    def write(self, rel, text):
        path = os.path.join(self.fixture, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))

    def check(self, findings, *extra, env=None, **spec):
        spec["findings"] = findings
        with open(self.spec, "w") as f:
            json.dump(spec, f)
        return run_harness(self.harness, "--loopcheck", self.fake, self.fixture, *extra,
                           env={"FAKE_LOG": self.log, "FAKE_SPEC": self.spec, **(env or {})})

    def calls(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def simple_fixture(self):
        self.write("a.c", """
            void f(void)
            {
                fopen("x", "r");  // expect-finding: blocking/file-io {{fopen}}
            }
            """)

    # --- passing -------------------------------------------------------------------------

    def test_every_form_of_expectation_passes_when_met(self):
        self.write("a.c", """
            // expect-finding@+1: blocking/sleep
            sleep(1);
            usleep(1);
            // expect-finding@-1: blocking/sleep {{usleep}}
            x(); // expect-finding: blocking/file-io {{fopen}} expect-finding: blocking/file-io {{fputs}}
            y(); /* expect-finding: blocking/lock [note] {{mutex}} */ // expect-finding: blocking/lock
            // expect-finding@sub/b.h:2: blocking/dns {{getaddrinfo}}
            """)
        self.write("sub/b.h", """
            int b;
            int c;
            """)
        code, out = self.check([
            ["a.c", 2, "blocking/sleep", "call to sleep"],
            ["a.c", 3, "blocking/sleep", "call to usleep"],
            ["a.c", 5, "blocking/file-io", "fputs to a file"],
            ["a.c", 5, "blocking/file-io", "fopen opens a file"],
            ["a.c", 6, "blocking/lock", "pthread_mutex_lock", "note"],
            ["a.c", 6, "blocking/lock", "sem_wait"],
            ["sub/b.h", 2, "blocking/dns", "getaddrinfo"],
        ])
        self.assertEqual(code, 0, out)
        self.assertIn("PASS", out)

    def test_fragment_may_name_the_callee(self):
        self.simple_fixture()
        code, out = self.check([["a.c", 3, "blocking/file-io", "blocking file I/O", "warning", "fopen"]])
        self.assertEqual(code, 0, out)

    def test_absolute_paths_in_the_report_are_made_relative(self):
        self.simple_fixture()
        path = os.path.join(os.path.realpath(self.fixture), "a.c")
        code, out = self.check([[path, 3, "blocking/file-io", "fopen"]])
        self.assertEqual(code, 0, out)

    def test_matching_is_a_maximum_matching(self):
        # Greedy matching would give the fragment-less expectation the only finding that
        # carries "fopen", and then report the specific one missing.
        self.write("a.c", """
            x(); // expect-finding: blocking/file-io expect-finding: blocking/file-io {{fopen}}
            """)
        code, out = self.check([["a.c", 1, "blocking/file-io", "fopen"],
                                ["a.c", 1, "blocking/file-io", "fread"]])
        self.assertEqual(code, 0, out)

    def test_clean_fixture_expects_exit_0(self):
        self.write("a.c", "int main(void) { return 0; }\n")
        code, out = self.check([])
        self.assertEqual(code, 0, out)
        code, out = self.check([], exit=1)
        self.assertEqual(code, 1, out)
        self.assertIn("exit code 1, expected 0", out)

    # --- failing -------------------------------------------------------------------------

    def test_unexpected_finding_fails_and_is_printed(self):
        self.simple_fixture()
        code, out = self.check([["a.c", 3, "blocking/file-io", "fopen"],
                                ["a.c", 4, "blocking/sleep", "sleep blocks"]], "--update-hint")
        self.assertEqual(code, 1, out)
        self.assertIn("a.c:4: unexpected: blocking/sleep", out)
        self.assertIn("sleep blocks", out)
        self.assertIn("via on_tick -> f", out)
        self.assertIn("// expect-finding: blocking/sleep", out)

    def test_missing_finding_fails_and_is_printed(self):
        self.simple_fixture()
        code, out = self.check([])
        self.assertEqual(code, 1, out)
        self.assertIn("a.c:3: missing: blocking/file-io {{fopen}}", out)

    def test_findings_are_counted_as_a_multiset(self):
        self.write("a.c", "x(); // expect-finding: blocking/sleep expect-finding: blocking/sleep\n")
        code, out = self.check([["a.c", 1, "blocking/sleep", "sleep"]])
        self.assertEqual(code, 1, out)
        self.assertIn("missing", out)
        self.write("a.c", "x(); // expect-finding: blocking/sleep\n")
        code, out = self.check([["a.c", 1, "blocking/sleep", "sleep"]] * 2)
        self.assertEqual(code, 1, out)
        self.assertIn("unexpected", out)

    def test_line_rule_fragment_and_severity_must_all_match(self):
        self.write("a.c", "int a;\nx(); // expect-finding: blocking/lock [note] {{pthread_mutex_lock}}\n")
        for wrong in (["a.c", 1, "blocking/lock", "pthread_mutex_lock", "note"],
                      ["a.c", 2, "blocking/sleep", "pthread_mutex_lock", "note"],
                      ["a.c", 2, "blocking/lock", "sem_wait", "note"],
                      ["a.c", 2, "blocking/lock", "pthread_mutex_lock", "warning"],
                      ["b.c", 2, "blocking/lock", "pthread_mutex_lock", "note"]):
            code, out = self.check([wrong])
            self.assertEqual(code, 1, f"{wrong}: {out}")
            self.assertIn("missing", out)
            self.assertIn("unexpected", out)

    def test_wrong_exit_code_fails(self):
        self.simple_fixture()
        code, out = self.check([["a.c", 3, "blocking/file-io", "fopen"]], exit=0)
        self.assertEqual(code, 1, out)
        self.assertIn("exit code 0, expected 1", out)

    def test_exit_2_fails_and_shows_stderr(self):
        self.simple_fixture()
        code, out = self.check([], exit=2, stderr="loopcheck: something broke\n")
        self.assertEqual(code, 1, out)
        self.assertIn("something broke", out)

    def test_sanitizer_report_fails_even_with_the_right_exit_code(self):
        self.simple_fixture()
        code, out = self.check([["a.c", 3, "blocking/file-io", "fopen"]],
                               stderr="==1==ERROR: LeakSanitizer: detected memory leaks\n")
        self.assertEqual(code, 1, out)
        self.assertIn("sanitizer", out)

    def test_output_that_is_not_json_fails(self):
        self.simple_fixture()
        code, out = self.check([], stdout="a.c:3:5: warning: fopen\n")
        self.assertEqual(code, 1, out)
        self.assertIn("not JSON", out)

    def test_parse_errors_fail_unless_allowed(self):
        self.simple_fixture()
        errors = [{"kind": "partial", "file": "a.c", "line": 1, "message": "unknown type name"},
                  {"kind": "notice", "file": None, "line": 0, "message": "removed -fplugin"}]
        finding = [["a.c", 3, "blocking/file-io", "fopen"]]
        code, out = self.check(finding, errors=errors)
        self.assertEqual(code, 1, out)
        self.assertIn("unknown type name", out)
        self.assertNotIn("removed -fplugin", out)
        self.write("fixture.json", '{"allow_errors": true}')
        code, out = self.check(finding, errors=errors)
        self.assertEqual(code, 0, out)

    def test_sarif_must_agree_with_json(self):
        self.simple_fixture()
        code, out = self.check([["a.c", 3, "blocking/file-io", "fopen"]], sarif_drop=True)
        self.assertEqual(code, 1, out)
        self.assertIn("SARIF lacks the JSON finding a.c:3: blocking/file-io", out)

    def test_validator_is_used_when_present(self):
        self.simple_fixture()
        with open(os.path.join(self.tmp, "validate_sarif.py"), "w") as f:
            f.write("import json, os, sys\n"
                    "json.load(open(sys.argv[1]))\n"
                    "assert sys.argv[2] == '--json'\n"
                    "json.load(open(sys.argv[3]))\n"
                    "print('results[0]: bad level')\n"
                    "sys.exit(int(os.environ['FAKE_VALIDATOR_RC']))\n")
        finding = [["a.c", 3, "blocking/file-io", "fopen"]]
        for rc, want_code, want_text in ((0, 0, "PASS"), (1, 1, "report is not valid"),
                                         (3, 0, "WARNING: reports not validated")):
            code, out = self.check(finding, env={"FAKE_VALIDATOR_RC": str(rc)})
            self.assertEqual(code, want_code, out)
            self.assertIn(want_text, out)

    # --- the fixture itself --------------------------------------------------------------

    def test_malformed_expectation_is_an_error(self):
        for bad in ("expect-finding blocking/sleep", "expect-finding: sleep",
                    "expect-finding@x: blocking/sleep", "expect-findings: blocking/sleep"):
            self.write("a.c", f"x(); // {bad}\n")
            code, out = self.check([])
            self.assertEqual(code, 2, f"{bad}: {out}")
            self.assertIn("a.c:1: malformed expectation", out)

    def test_expectation_about_an_unknown_file_is_an_error(self):
        self.write("a.c", "// expect-finding@nope.c:3: blocking/sleep\n")
        code, out = self.check([])
        self.assertEqual(code, 2, out)
        self.assertIn("nope.c", out)

    def test_bad_fixture_json_is_an_error(self):
        self.simple_fixture()
        for bad in ('{"flag": []}', '{"flags": "-DX"}', '{"sources": ["nope.c"]}', "{"):
            self.write("fixture.json", bad)
            code, out = self.check([])
            self.assertEqual(code, 2, f"{bad}: {out}")

    def test_missing_header_skips_with_77_or_fails_when_skipping_is_forbidden(self):
        self.simple_fixture()
        self.write("fixture.json", '{"requires": ["no/such/header-xyz.h"]}')
        code, out = self.check([])
        self.assertEqual(code, 77, out)
        self.assertIn("SKIP", out)
        self.assertIn("header-xyz.h", out)
        self.assertFalse(os.path.exists(self.log), "a skipped fixture must not run loopcheck")
        with open(self.spec, "w") as f:
            json.dump({"findings": []}, f)
        code, out = run_harness(self.harness, "--loopcheck", self.fake, self.fixture,
                                env={"FAKE_LOG": self.log, "FAKE_SPEC": self.spec,
                                     "LOOPCHECK_TEST_NO_SKIP": "1"})
        self.assertEqual(code, 2, out)

    def test_requires_honours_the_fixture_flags(self):
        self.simple_fixture()
        self.write("include/mine.h", "int mine;\n")
        self.write("fixture.json", '{"requires": ["mine.h"], "flags": ["-Iinclude"]}')
        code, out = self.check([["a.c", 3, "blocking/file-io", "fopen"]])
        self.assertEqual(code, 0, out)

    # --- how loopcheck is called -----------------------------------------------------------

    def test_compile_database_and_command_line(self):
        self.write("b.c", "int b;\n")
        self.write("a.c", "int a;\n")
        self.write("sub/c.c", "int c;\n")
        self.write("inc/x.h", "int x;\n")
        self.write("fixture.json", '{"flags": ["-DFOO", "-Iinc"], "args": ["--extra", "1"]}')
        code, out = self.check([])
        self.assertEqual(code, 0, out)
        root = os.path.realpath(self.fixture)
        json_call, sarif_call = self.calls()
        want = [{"directory": root, "file": os.path.join(root, src),
                 "arguments": ["cc", "-c", os.path.join(root, src), "-DFOO", "-Iinc"]}
                for src in ("a.c", "b.c", "sub/c.c")]
        self.assertEqual(json_call["compdb"], want)
        argv = json_call["argv"]
        self.assertEqual(argv[:4], ["--format", "json", "--srcroot", root])
        self.assertEqual(argv[4], "-p")
        self.assertEqual(argv[6:], ["--extra", "1"])
        self.assertEqual(sarif_call["argv"][:2], ["--format", "sarif"])
        self.assertEqual(sarif_call["argv"][2], "-o")
        self.assertTrue(sarif_call["argv"][3].endswith("out.sarif"))
        self.assertFalse(os.path.exists(os.path.dirname(sarif_call["argv"][3])),
                         "the temporary directory must be removed without --keep")

    def test_sources_restricts_the_database(self):
        self.write("a.c", "int a;\n")
        self.write("b.c", "int b;\n")
        self.write("fixture.json", '{"sources": ["b.c"]}')
        self.check([])
        self.assertEqual([e["file"] for e in self.calls()[0]["compdb"]],
                         [os.path.join(os.path.realpath(self.fixture), "b.c")])

    def test_write_compdb_writes_the_same_database(self):
        self.write("a.c", "int a;\n")
        self.write("fixture.json", '{"flags": ["-DX=1"]}')
        out_dir = os.path.join(self.tmp, "out", "example")
        code, out = run_harness(self.harness, "--write-compdb", out_dir, self.fixture)
        self.assertEqual(code, 0, out)
        with open(os.path.join(out_dir, "compile_commands.json")) as f:
            db = json.load(f)
        path = os.path.join(os.path.realpath(self.fixture), "a.c")
        self.assertEqual(db, [{"directory": os.path.realpath(self.fixture), "file": path,
                               "arguments": ["cc", "-c", path, "-DX=1"]}])

    def test_keep_keeps_the_temporary_directory(self):
        self.simple_fixture()
        code, out = self.check([["a.c", 3, "blocking/file-io", "fopen"]], "--keep")
        self.assertEqual(code, 0, out)
        kept = re.search(r"kept (\S+)", out).group(1)
        self.addCleanup(shutil.rmtree, kept, True)
        self.assertTrue(os.path.isfile(os.path.join(kept, "compile_commands.json")))
        self.assertTrue(os.path.isfile(os.path.join(kept, "out.sarif")))


class RealLoopcheck(unittest.TestCase):
    """With the real binary: a fixture fails when an expectation is removed or a bogus one added."""

    def setUp(self):
        if not OPTS.loopcheck:
            self.skipTest("no --loopcheck given")
        src = os.path.join(OPTS.fixtures, OPTS.fixture)
        self.tmp = tempfile.mkdtemp(prefix="harness-real-")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.fixture = os.path.join(self.tmp, OPTS.fixture)
        shutil.copytree(src, self.fixture)
        code, out = run_harness(HARNESS, "--loopcheck", OPTS.loopcheck, self.fixture)
        if code == 77:
            self.skipTest(out.strip())
        self.assertEqual(code, 0, f"fixture {OPTS.fixture} must pass unchanged before it can "
                                  f"show that the harness fails:\n{out}")

    def edit(self, edit_lines):
        """Apply edit_lines(rel, lines) -> lines to the first fixture file where it changes them."""
        for root, _, files in sorted(os.walk(self.fixture)):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, name)
                with open(path) as f:
                    lines = f.read().split("\n")
                new = edit_lines(os.path.relpath(path, self.fixture), lines)
                if new != lines:
                    with open(path, "w") as f:
                        f.write("\n".join(new))
                    return os.path.relpath(path, self.fixture)
        self.fail("no expectation to edit")

    def test_removed_expectation_shows_as_unexpected(self):
        removed = []

        def drop_first(rel, lines):
            for i, line in enumerate(lines):
                m = re.search(r"\s*//\s*expect-finding:.*$", line)
                if m and line.count("expect-finding") == 1:
                    removed.append(f"{rel}:{i + 1}")
                    return lines[:i] + [line[:m.start()]] + lines[i + 1:]
            return lines

        self.edit(drop_first)
        code, out = run_harness(HARNESS, "--loopcheck", OPTS.loopcheck, self.fixture)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{removed[0]}: unexpected:", out)

    def test_bogus_expectation_shows_as_missing(self):
        def add_bogus(rel, lines):
            if not rel.endswith(".c"):
                return lines
            added = lines + ["// expect-finding: blocking/process {{no such call}}"]
            self.where = f"{rel}:{len(added)}"
            return added

        self.edit(add_bogus)
        code, out = run_harness(HARNESS, "--loopcheck", OPTS.loopcheck, self.fixture)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{self.where}: missing: blocking/process", out)


def main():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--loopcheck")
    ap.add_argument("--fixtures", default=OPTS.fixtures)
    ap.add_argument("--fixture", default=OPTS.fixture)
    known, rest = ap.parse_known_args()
    OPTS.loopcheck, OPTS.fixtures, OPTS.fixture = known.loopcheck, known.fixtures, known.fixture
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
