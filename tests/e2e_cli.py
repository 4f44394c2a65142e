#!/usr/bin/env python3
"""End-to-end tests of loopcheck's command-line contract (README "Usage", issue 2).

Exit codes: 0 no findings, 1 findings, 2 usage/configuration/input/internal error with a one-line
message on stderr naming what is wrong.

    e2e_cli.py --loopcheck BIN [--expect-version X.Y.Z] [unittest args]
"""

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

LOOPCHECK = None
EXPECT_VERSION = None
RULES = ["blocking/file-io", "blocking/network", "blocking/dns", "blocking/sleep",
         "blocking/process", "blocking/lock", "blocking/database", "blocking/sync-fs-request",
         "cpu/hotspot", "callback/nesting"]
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
HAVE_UV = os.path.exists("/usr/include/uv.h")

# A libuv program with one mistake: on_tick -> load -> fopen. Line numbers matter below.
PROGRAM = textwrap.dedent("""\
    #include <stdio.h>
    #include <uv.h>

    static uv_timer_t timer;

    static void load(void)
    {
    #ifndef NO_MISTAKE
    \tFILE *f = fopen("/etc/app.conf", "r");
    \tif (f != NULL)
    \t\tfclose(f);
    #endif
    }

    static void on_tick(uv_timer_t *t)
    {
    \t(void)t;
    \tload();
    }

    int main(void)
    {
    \tuv_timer_init(uv_default_loop(), &timer);
    \tuv_timer_start(&timer, on_tick, 1000, 1000);
    \treturn uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    }
    """)
FOPEN_LINE = 9
CLEAN = "int main(void)\n{\n\treturn 0;\n}\n"


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="loopcheck-e2e-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def lc(self, *args, cwd=None):
        r = subprocess.run([LOOPCHECK, *args], capture_output=True, text=True, cwd=cwd or self.tmp,
                           timeout=600)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, r.stderr, f"loopcheck {' '.join(args)}:\n{r.stderr}")
        self.assertGreaterEqual(r.returncode, 0, f"killed by signal {-r.returncode}: {r.stderr}")
        return r

    def write(self, rel, text):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def compdb(self, directory, entries_text):
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "compile_commands.json")
        with open(path, "w") as f:
            f.write(entries_text)
        return path

    def assert_error(self, r, *names):
        """Exit 2 with exactly one non-empty line on stderr that names every one of `names`."""
        what = f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}"
        self.assertEqual(r.returncode, 2, what)
        lines = r.stderr.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, f"want one stderr line, got:\n{r.stderr}")
        self.assertTrue(lines[0].strip(), "empty error message")
        for name in names:
            self.assertIn(name, lines[0])
        return lines[0]

    # --- information --------------------------------------------------------------------

    def test_help(self):
        r = self.lc("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?i)usage")
        for option in ("-p", "--format", "-o", "-j", "--srcroot", "--version", "--list-rules"):
            self.assertIn(option, r.stdout)

    def test_version(self):
        r = self.lc("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"\b(\d+\.\d+\.\d+)\b", r.stdout)
        self.assertIsNotNone(m, f"no version number in {r.stdout!r}")
        if EXPECT_VERSION:
            self.assertEqual(m.group(1), EXPECT_VERSION)

    def test_list_rules_lists_every_rule(self):
        r = self.lc("--list-rules")
        self.assertEqual(r.returncode, 0, r.stderr)
        for rule in RULES:
            self.assertRegex(r.stdout, r"(?m)(^|\s)" + re.escape(rule) + r"\b", rule)

    # --- usage errors -------------------------------------------------------------------

    def test_bad_option(self):
        self.assert_error(self.lc("--no-such-option", "x.c"), "--no-such-option")

    def test_bad_format(self):
        self.assert_error(self.lc("--format", "yaml", "x.c"), "yaml")

    def test_option_without_its_argument(self):
        self.assert_error(self.lc("x.c", "-o"), "-o")

    def test_no_input(self):
        self.assert_error(self.lc())

    # --- input errors -------------------------------------------------------------------

    def test_missing_file(self):
        missing = os.path.join(self.tmp, "no-such-dir", "nope.c")
        self.assert_error(self.lc(missing), "nope.c")

    def test_missing_build_dir(self):
        missing = os.path.join(self.tmp, "no-such-build")
        self.assert_error(self.lc("-p", missing), "no-such-build")

    def test_build_dir_without_database(self):
        empty = os.path.join(self.tmp, "build")
        os.makedirs(empty)
        self.assert_error(self.lc("-p", empty), "compile_commands.json")

    def test_malformed_compile_commands_names_file_line_and_column(self):
        src = self.write("a.c", CLEAN)
        build = os.path.join(self.tmp, "build")
        self.compdb(build, textwrap.dedent(f"""\
            [
              {{"directory": "{self.tmp}", "file": "{src}", "arguments": ["cc", "-c", "{src}"]}},
              {{"directory": "{self.tmp}" "file": "{src}"}}
            ]
            """))
        line = self.assert_error(self.lc("-p", build), "compile_commands.json")
        self.assertRegex(line, r"compile_commands\.json:3:\d+")

    def test_truncated_compile_commands(self):
        src = self.write("a.c", CLEAN)
        build = os.path.join(self.tmp, "build")
        self.compdb(build, f'[\n  {{"directory": "{self.tmp}", "file": "{src}",\n')
        line = self.assert_error(self.lc("-p", build), "compile_commands.json")
        self.assertRegex(line, r"compile_commands\.json:\d+:\d+")

    def test_compile_commands_of_the_wrong_shape(self):
        build = os.path.join(self.tmp, "build")
        self.compdb(build, '{"directory": "/", "file": "a.c"}\n')
        self.assert_error(self.lc("-p", build), "compile_commands.json")
        self.compdb(build, '[{"directory": "/", "arguments": ["cc", "-c", "a.c"]}]\n')
        self.assert_error(self.lc("-p", build), "compile_commands.json")

    # --- output -------------------------------------------------------------------------

    def test_unwritable_output_leaves_no_file(self):
        src = self.write("a.c", CLEAN)
        blocker = self.write("blocker", "not a directory\n")
        target = os.path.join(blocker, "report.json")
        self.assert_error(self.lc("--format", "json", "-o", target, src), "report.json")
        left = sorted(n for n in os.listdir(self.tmp) if not n.startswith("."))
        self.assertEqual(left, ["a.c", "blocker"])
        with open(blocker) as f:
            self.assertEqual(f.read(), "not a directory\n")
        if os.geteuid() != 0:  # root writes into read-only directories anyway
            ro = os.path.join(self.tmp, "ro")
            os.makedirs(ro)
            os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
            self.addCleanup(os.chmod, ro, stat.S_IRWXU)
            self.assert_error(self.lc("-o", os.path.join(ro, "out.sarif"), "--format", "sarif",
                                      src), "out.sarif")
            self.assertEqual(os.listdir(ro), [])

    def test_output_file_holds_the_report_and_stdout_stays_empty(self):
        src = self.write("a.c", CLEAN)
        out = os.path.join(self.tmp, "report.json")
        r = self.lc("--format", "json", "-o", out, src)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(doc["findings"], [])
        self.assertIn("version", doc)
        self.assertIsInstance(doc["errors"], list)

    def test_relative_output_path_is_relative_to_the_working_directory(self):
        # The compile database's entries live in another directory: parsing them must not move
        # the relative -o path (libclang resolves -working-directory per entry).
        self.write("src/clean.c", CLEAN)
        build = os.path.join(self.tmp, "build")
        self.compdb(build, json.dumps([{"directory": os.path.join(self.tmp, "src"),
                                        "file": "clean.c", "arguments": ["cc", "-c", "clean.c"]}]))
        r = self.lc("--format", "json", "-p", "build", "-o", "build/report.json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(build, "report.json")))

    # --- analysing ----------------------------------------------------------------------

    def test_clean_file_exits_0(self):
        r = self.lc("--format", "json", self.write("a.c", CLEAN))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["findings"], [])

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_finding_in_json_with_its_chain(self):
        src = self.write("prog.c", PROGRAM)
        r = self.lc("--format", "json", "--srcroot", self.tmp, src)
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(len(doc["findings"]), 1, r.stdout)
        f = doc["findings"][0]
        self.assertEqual(f["rule"], "blocking/file-io")
        self.assertEqual(f["location"]["file"], "prog.c")
        self.assertEqual(f["location"]["line"], FOPEN_LINE)
        self.assertEqual(f["function"], "load")
        self.assertEqual(f["callee"], "fopen")
        self.assertEqual(f["entry"]["callback"], "on_tick")
        self.assertEqual(f["entry"]["registrar"], "uv_timer_start")
        kinds = [step["kind"] for step in f["chain"]]
        self.assertEqual(kinds[0], "registration", f["chain"])
        self.assertIn("callback", kinds)
        self.assertEqual(kinds[-1], "blocking")
        self.assertIn("load", [step.get("function") for step in f["chain"]])

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_text_is_compiler_style_with_notes(self):
        src = self.write("prog.c", PROGRAM)
        r = self.lc("--srcroot", self.tmp, src)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stdout, rf"(?m)^prog\.c:{FOPEN_LINE}:\d+: warning: .*fopen")
        self.assertRegex(r.stdout, r"(?m)^prog\.c:\d+:\d+: note: ")

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_compiler_arguments_after_double_dash(self):
        src = self.write("prog.c", PROGRAM)
        self.assertEqual(self.lc("--format", "json", src).returncode, 1)
        r = self.lc("--format", "json", src, "--", "-DNO_MISTAKE")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_gcc_only_flags_do_not_make_the_tu_partial(self):
        # Debian and kernel-style builds pass flags clang does not know; clang ignores them and
        # parses the whole file, so the TU is complete and its findings are all there.
        src = self.write("prog.c", PROGRAM)
        r = self.lc("--format", "json", src, "--", "-fconserve-stack",
                    "-fno-canonical-system-headers", "-mindirect-branch=thunk-extern")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual([f["callee"] for f in doc["findings"]], ["fopen"])
        self.assertEqual(doc["errors"], [], r.stdout)
        self.assertEqual(doc["statistics"]["tus_partial"], 0, r.stdout)

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_files_restrict_the_compile_database(self):
        bad = self.write("src/prog.c", PROGRAM)
        good = self.write("src/clean.c", CLEAN)
        build = os.path.join(self.tmp, "build")
        self.compdb(build, json.dumps([
            {"directory": os.path.dirname(bad), "file": "prog.c", "arguments": ["cc", "-c", "prog.c"]},
            {"directory": os.path.dirname(good), "file": "clean.c",
             "command": "cc -c clean.c -o clean.o"},
        ]))
        self.assertEqual(self.lc("--format", "json", "-p", build).returncode, 1)
        r = self.lc("--format", "json", "-p", build, good)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.lc("--format", "json", "-p", build, bad).returncode, 1)

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_sarif_output(self):
        src = self.write("prog.c", PROGRAM)
        out = os.path.join(self.tmp, "out.sarif")
        r = self.lc("--format", "sarif", "-o", out, "--srcroot", self.tmp, src)
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(doc["version"], "2.1.0")
        results = doc["runs"][0]["results"]
        self.assertEqual([res["ruleId"] for res in results], ["blocking/file-io"])
        region = results[0]["locations"][0]["physicalLocation"]["region"]
        self.assertEqual(region["startLine"], FOPEN_LINE)
        validator = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness",
                                 "validate_sarif.py")
        if os.path.exists(validator):
            cmd = [validator] if os.access(validator, os.X_OK) else [sys.executable, validator]
            v = subprocess.run(cmd + [out], capture_output=True, text=True)
            if v.returncode == 3:  # cannot validate here (no schema): the SARIF tests report it
                sys.stderr.write(v.stdout + v.stderr)
            else:
                self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

    @unittest.skipUnless(HAVE_UV, "needs uv.h (scripts/setup-deps.sh installs libuv1-dev)")
    def test_dump_callgraph_shows_the_entry(self):
        src = self.write("prog.c", PROGRAM)
        r = self.lc("--dump-callgraph", src)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        for name in ("on_tick", "load", "fopen"):
            self.assertIn(name, r.stdout)


def main():
    global LOOPCHECK, EXPECT_VERSION
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--loopcheck", default=os.environ.get("LOOPCHECK"))
    ap.add_argument("--expect-version")
    known, rest = ap.parse_known_args()
    if not known.loopcheck:
        sys.exit("e2e_cli.py: pass --loopcheck BIN (or set LOOPCHECK)")
    LOOPCHECK, EXPECT_VERSION = os.path.abspath(known.loopcheck), known.expect_version
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
