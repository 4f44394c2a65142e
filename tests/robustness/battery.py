#!/usr/bin/env python3
"""Robustness battery (issue 9): bad input, hostile compile databases, interrupts, extreme input.

    battery.py --loopcheck BIN [--sanitized] [--slow] [--figures FILE] [unittest args, e.g. -k Signal]

What it asserts (docs/robustness.md states the same as guarantees):

- Bad input (compile database, command line, output path) gives exit code 2 and exactly one line
  on stderr, "loopcheck: error: ...", naming the file (and line:column and entry index where the
  format has them), and leaves neither the -o file nor a temporary file behind.
- Broken code (NUL bytes, binary garbage, missing headers) is analysed as far as possible and the
  report says what was partial; --fail-on-parse-error turns a partial or failed TU into exit 2
  after the report is written.
- A compile database cannot make loopcheck load a shared object or run a program: a marker
  written by a constructor (or by a "compiler" script) never appears, and every removed flag is
  named by a notice in the report. Paths never leave the source root unless --absolute-paths.
- SIGINT and SIGTERM leave no partial output and no temporary file; the cache still gives the
  same report as a run without it.
- Extreme inputs are generated into a temporary directory and each must finish within a generous
  timeout (TIMEOUT) and an address-space limit (ADDRESS_SPACE, not applied under sanitizers,
  which reserve terabytes). Their wall time and peak RSS are printed at the end as figures, not
  asserted; --figures FILE also writes them as JSON.

Known problems in modules owned elsewhere are tests decorated with @known_issue(...): they are
expected failures (unittest.expectedFailure) that name the cause. When one is fixed the test turns
into an "unexpected success", which fails the run: remove the decorator then.
LOOPCHECK_BATTERY_SHOW_KNOWN=1 runs them as ordinary tests, to see how each one fails.

Skips: root ignores file permissions, so the chmod-000 test of an unreadable compile database is
skipped as root (the usual case in containers); the battery then relies on a symlink loop (ELOOP)
and /proc/self/mem (EIO on read), which root cannot bypass. Tests that need gcc (the marker
shared object) are skipped without it. --slow adds inputs that only a per-TU timeout can bound
(clang's own parser is quadratic on them); they are off by default to keep the battery near
three minutes on two cores.
"""

import argparse
import functools
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

LOOPCHECK = None
SANITIZED = False
SLOW = False
TIMEOUT = 300                     # seconds; the only timing that fails a test
ADDRESS_SPACE = 4 << 30           # RLIMIT_AS for every run (not under sanitizers)
JOBS = "2"                        # -j for analysis runs: 2 x 512 MB parse stacks fit ADDRESS_SPACE
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
FIGURES = []                      # (name, seconds, peak RSS MB, exit code, note)

# libuv declarations, so that no test depends on installed headers (and parsing stays cheap):
# registrars and blocking functions are matched by name.
PROTO = """\
typedef struct uv_timer_s uv_timer_t;
typedef void (*uv_timer_cb)(uv_timer_t *);
int uv_timer_start(uv_timer_t *, uv_timer_cb, unsigned long long, unsigned long long);
unsigned int sleep(unsigned int);
"""
MAIN = """\
int main(void)
{
\tstatic uv_timer_t *timer;
\tuv_timer_start(timer, on_tick, 1, 1);
\treturn 0;
}
"""


def program(body, name="on_tick", extra=""):
    """A TU whose timer callback `name` runs `body`."""
    return (PROTO + extra + "static void %s(uv_timer_t *t)\n{\n\t(void)t;\n%s\n}\n" % (name, body)
            + MAIN.replace("on_tick", name))


BLOCKING = program("\tsleep(1);")         # one blocking/sleep finding, on line 8
BLOCKING_LINE = 8
CLEAN = "int main(void)\n{\n\treturn 0;\n}\n"


def known_issue(why):
    """An expected failure caused by a module owned elsewhere; `why` says where and what.
    LOOPCHECK_BATTERY_SHOW_KNOWN=1 runs them as ordinary tests, to see how they fail."""
    def wrap(fn):
        if os.environ.get("LOOPCHECK_BATTERY_SHOW_KNOWN") != "1":
            fn = unittest.expectedFailure(fn)
        fn.known_issue = why
        return fn
    return wrap


class Run:
    def __init__(self, returncode, stdout, stderr, seconds, maxrss_kb, timed_out):
        self.returncode = returncode
        self.stdout = stdout          # bytes: reports may legitimately carry non-UTF-8 paths
        self.stderr = stderr          # str (undecodable bytes replaced)
        self.seconds = seconds
        self.maxrss_kb = maxrss_kb
        self.timed_out = timed_out

    def json(self):
        return json.loads(self.stdout)

    @property
    def text(self):
        return self.stdout.decode("utf-8", "replace")


def limits(address_space, chdir_fd=None):
    def apply():
        if chdir_fd is not None:
            os.fchdir(chdir_fd)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if address_space and not SANITIZED:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    return apply


def run(args, cwd, env=None, timeout=TIMEOUT, address_space=ADDRESS_SPACE, on_start=None,
        chdir_fd=None):
    """Run loopcheck; its own rusage (wall time, peak RSS) comes from wait4 on its pid."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen([LOOPCHECK, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, preexec_fn=limits(address_space, chdir_fd))
        fired = threading.Event()

        def kill():
            fired.set()
            p.kill()                      # this child only, by its pid
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            if on_start:
                on_start(p)
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(p.returncode, out.read(), err.read().decode("utf-8", "replace"), seconds,
                   ru.ru_maxrss, fired.is_set())


def temp_leftovers(top):
    """Temporary files of lc_write_file_atomic ("NAME.tmp.XXXXXX") anywhere below `top`."""
    found = []
    for root, _dirs, files in os.walk(top):
        found += [os.path.join(root, f) for f in files if ".tmp." in f]
    return found


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="lc-battery-"))
        self.addCleanup(self._cleanup)
        self.env = dict(os.environ)
        # Hermetic: no user cache, no colours, no config from above the temporary directory.
        self.env["XDG_CACHE_HOME"] = os.path.join(self.tmp, ".xdg-cache")
        self.env["HOME"] = os.path.join(self.tmp, ".home")
        self.env["NO_COLOR"] = "1"

    def _cleanup(self):
        for root, dirs, _files in os.walk(self.tmp):
            for d in dirs:      # tests remove permissions; give them back so rmtree works
                try:
                    os.chmod(os.path.join(root, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *rel):
        return os.path.join(self.tmp, *rel)

    def write(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return p

    def compdb(self, rel_dir, entries, raw=None):
        """Write REL_DIR/compile_commands.json from `entries` (or the raw text)."""
        text = raw if raw is not None else json.dumps(entries, indent=1)
        return self.write(os.path.join(rel_dir, "compile_commands.json"), text)

    def entry(self, src, *flags, directory=None):
        return {"directory": directory or self.tmp, "file": src, "arguments": ["cc", *flags, "-c", src]}

    def lc(self, *args, cwd=None, expect_signal=None, **kw):
        r = run(list(args), cwd or self.tmp, env=kw.pop("env", self.env), **kw)
        for m in SANITIZER_MARKERS:
            self.assertNotIn(m, r.stderr, "loopcheck %s:\n%s" % (" ".join(args), r.stderr))
        self.assertFalse(r.timed_out, "loopcheck %s did not finish in %ss" % (" ".join(args), kw.get("timeout", TIMEOUT)))
        if expect_signal is None:
            self.assertGreaterEqual(r.returncode, 0, "loopcheck %s was killed by signal %d:\n%s"
                                    % (" ".join(args), -r.returncode, r.stderr[-2000:]))
        return r

    def analyse(self, *args, **kw):
        """An analysis run: hermetic (--no-config) and with a fixed -j."""
        return self.lc("--no-config", "-j", JOBS, *args, **kw)

    def assert_error(self, r, *needles):
        """Exit 2 and one line "loopcheck: error: ..." containing every needle."""
        self.assertEqual(r.returncode, 2, "exit code (stderr: %r)" % r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, "stderr must be one line: %r" % r.stderr)
        self.assertTrue(lines[0].startswith("loopcheck: error: "), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        return lines[0]

    def assert_no_output(self, out):
        self.assertFalse(os.path.lexists(out), "%s was left behind" % out)
        self.assertEqual(temp_leftovers(os.path.dirname(out)), [], "temporary files left behind")

    def assert_valid_json(self, data, what="report"):
        """Strict: the bytes are UTF-8 (RFC 8259) and parse as JSON."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            ctx = data[max(0, e.start - 40):e.start + 10]
            self.fail("%s is not valid UTF-8 at byte %d: %r" % (what, e.start, ctx))
        return json.loads(text)

    def figure(self, name, r, note=""):
        FIGURES.append((name, round(r.seconds, 2), round(r.maxrss_kb / 1024.0, 1), r.returncode, note))


# ----------------------------------------------------------------------------------------------
class CompileDatabase(Base):
    """Missing, unreadable, empty, truncated, malformed compile databases and odd entries."""

    def good_db(self, n=3):
        entries = []
        for i in range(n):
            entries.append(self.entry(self.write("src/f%d.c" % i, CLEAN), "-DX=%d" % i))
        return entries

    def test_missing_build_dir(self):
        r = self.lc("-p", "no-such-dir")
        self.assert_error(r, "no-such-dir")

    def test_build_dir_without_database(self):
        os.makedirs(self.path("empty"))
        r = self.lc("-p", "empty")
        self.assert_error(r, "empty", "compile_commands.json")

    def test_database_is_a_directory(self):
        os.makedirs(self.path("b/compile_commands.json"))
        r = self.lc("-p", "b")
        self.assert_error(r, "b/compile_commands.json", "directory")

    @unittest.skipIf(os.geteuid() == 0, "root reads files without read permission; "
                     "see test_unreadable_symlink_loop and test_unreadable_eio")
    def test_unreadable_permission(self):
        p = self.compdb("b", self.good_db())
        os.chmod(p, 0)
        r = self.lc("-p", "b")
        self.assert_error(r, "b/compile_commands.json", "Permission denied")

    def test_unreadable_symlink_loop(self):
        os.makedirs(self.path("b"))
        os.symlink("compile_commands.json", self.path("b/compile_commands.json"))
        r = self.lc("-p", "b")
        self.assert_error(r, "b/compile_commands.json")

    @unittest.skipUnless(os.path.exists("/proc/self/mem"), "needs /proc/self/mem")
    def test_unreadable_eio(self):
        # Opening succeeds (even for root) and read() fails with EIO.
        os.makedirs(self.path("b"))
        os.symlink("/proc/self/mem", self.path("b/compile_commands.json"))
        r = self.lc("-p", "b")
        self.assert_error(r, "b/compile_commands.json")

    def test_empty(self):
        for name, text in (("empty", ""), ("blank", " \n\t\n")):
            with self.subTest(name):
                self.compdb(name, None, raw=text)
                r = self.lc("-p", name)
                self.assert_error(r, name + "/compile_commands.json", "empty")

    def test_truncated(self):
        text = json.dumps(self.good_db(), indent=1)
        starts = [m.start() for m in re.finditer(r"\{", text)]   # where each entry begins
        for frac in (0.1, 0.35, 0.6, 0.85, 0.999):
            cut = int(len(text) * frac)
            entry = sum(1 for s in starts if s < cut) - 1
            with self.subTest(cut=cut):
                self.compdb("t", None, raw=text[:cut])
                r = self.lc("-p", "t")
                line = self.assert_error(r, "t/compile_commands.json:", "malformed JSON")
                # The end of the text, or the start of the string it cuts short (cJSON's error
                # position), and the entry it is in.
                m = re.search(r"compile_commands\.json:(\d+):(\d+): ", line)
                self.assertTrue(m, line)
                pos = self.offset(text, int(m.group(1)), int(m.group(2)))
                if pos == cut:
                    self.assertIn("unexpected end of file", line)
                else:       # cJSON points just inside the string that never ends
                    self.assertEqual(text[pos - 1], '"', line)
                    self.assertNotIn('"', text[pos:cut], line)
                if entry >= 0:
                    self.assertIn("(entry %d)" % entry, line)

    @staticmethod
    def offset(text, line, col):
        lines = text.split("\n")
        return sum(len(x) + 1 for x in lines[:line - 1]) + col - 1

    def test_malformed_names_line_column_and_entry(self):
        text = ('[\n'
                ' {"directory": "/tmp", "file": "a.c", "arguments": ["cc", "a.c"]},\n'
                ' {"directory": "/tmp", "file": "b.c", "arguments": ["cc", "b.c"]},\n'
                ' {"directory": "/tmp" "file": "c.c", "arguments": ["cc", "c.c"]}\n'
                ']\n')
        self.compdb("m", None, raw=text)
        r = self.lc("-p", "m")
        self.assert_error(r, "m/compile_commands.json:4:23:", "malformed JSON", "(entry 2)")

    def test_malformed_variants(self):
        cases = {
            "not-json": "this is not json\n",
            "object": '{"directory": "/tmp"}\n',
            "trailing-garbage": '[]\n]\n',
            "deep-nesting": "[" * 100000,
            "bad-escape": '[{"directory": "\\q"}]',
            "bom-only": "\ufeff",
        }
        for name, text in cases.items():
            with self.subTest(name):
                self.compdb(name, None, raw=text)
                r = self.lc("-p", name)
                self.assert_error(r, name + "/compile_commands.json")

    def test_nul_byte(self):
        text = json.dumps(self.good_db(2), indent=1)
        pos = text.index('"file"', text.index("},"))    # inside entry 1
        self.compdb("n", None, raw=text[:pos] + "\0" + text[pos:])
        r = self.lc("-p", "n")
        self.assert_error(r, "n/compile_commands.json:", "NUL", "(entry 1)")

    def test_bad_entries(self):
        ok = self.entry(self.write("ok.c", CLEAN))
        cases = [
            ("not an object", ["cc"], "entry 1"),
            ("no directory", {"file": "a.c", "arguments": ["cc", "a.c"]}, "directory"),
            ("no file", {"directory": self.tmp, "arguments": ["cc", "a.c"]}, "file"),
            ("no command", {"directory": self.tmp, "file": "a.c"}, "command"),
            ("directory not a string", {"directory": 3, "file": "a.c", "arguments": ["cc"]}, "directory"),
            ("empty file", {"directory": self.tmp, "file": "", "arguments": ["cc"]}, "file"),
            ("arguments not an array", {"directory": self.tmp, "file": "a.c", "arguments": "cc a.c"},
             "arguments"),
            ("argument not a string", {"directory": self.tmp, "file": "a.c", "arguments": ["cc", 1]},
             "arguments"),
            ("empty arguments", {"directory": self.tmp, "file": "a.c", "arguments": []}, "arguments"),
            ("command not a string", {"directory": self.tmp, "file": "a.c", "command": ["cc"]}, "command"),
            ("empty command", {"directory": self.tmp, "file": "a.c", "command": "  "}, "command"),
            ("unbalanced quote", {"directory": self.tmp, "file": "a.c", "command": "cc '-DX a.c"}, "quote"),
        ]
        for name, bad, needle in cases:
            with self.subTest(name):
                self.compdb("e", [ok, bad])
                r = self.lc("-p", "e")
                self.assert_error(r, "e/compile_commands.json", "entry 1", needle)

    def test_relative_paths(self):
        # "directory" relative to the database's directory, "file" relative to "directory".
        self.write("proj/src/a.c", BLOCKING)
        self.compdb("proj/build", [{"directory": "../src", "file": "a.c", "arguments": ["cc", "-c", "a.c"]}])
        r = self.analyse("--format", "json", "--srcroot", "proj", "-p", "proj/build")
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertEqual([(f["location"]["file"], f["location"]["line"]) for f in rep["findings"]],
                         [("src/a.c", BLOCKING_LINE)])
        self.assertEqual(rep["errors"], [])

    def test_duplicate_files(self):
        src = self.write("a.c", BLOCKING)
        # The same file twice with the same flags, and once more with other flags: each entry
        # is a TU (deliberately, see compdb.c), but a finding is reported once.
        self.compdb("d", [self.entry(src), self.entry(src), self.entry(src, "-DOTHER")])
        r = self.analyse("--format", "json", "-p", "d")
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertEqual(rep["statistics"]["tus"], 3)
        self.assertEqual([f["rule"] for f in rep["findings"]], ["blocking/sleep"])

    def test_response_file_not_expanded(self):
        # Expanding @file would follow a path from the database into more untrusted flags.
        src = self.write("a.c", program("#ifdef MISTAKE\n\tsleep(1);\n#endif"))
        self.write("flags.rsp", "-DMISTAKE\n")
        self.compdb("r", [self.entry(src, "@flags.rsp"),
                          {"directory": self.tmp, "file": src, "command": "cc @flags.rsp -c " + src}])
        r = self.analyse("--format", "json", "-p", "r")
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = r.json()
        self.assertEqual(rep["findings"], [])
        notices = [e["message"] for e in rep["errors"]
                   if e["kind"] == "notice" and e["message"].startswith("response file")]
        self.assertEqual(len(notices), 2, notices)
        for n in notices:
            self.assertIn("@flags.rsp", n)
            self.assertIn("not expanded", n)
        # The text report carries it as a note.
        r = self.analyse("-p", "r")
        self.assertIn("note: response file '@flags.rsp' not expanded", r.text)

    def absent_db(self):
        good = self.write("good.c", BLOCKING)
        self.compdb("a", [self.entry(good), self.entry(self.path("gone.c"))])

    def test_listed_file_absent(self):
        # Decision (docs/robustness.md): a listed file that is missing is a failed TU in the
        # report, not a fatal error, so that the rest of a build (e.g. one with a generated
        # file cleaned away) is still analysed; --fail-on-parse-error makes it exit 2.
        self.absent_db()
        r = self.analyse("--format", "json", "-p", "a")
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertEqual([f["rule"] for f in rep["findings"]], ["blocking/sleep"])
        failed = [e for e in rep["errors"] if e["kind"] == "failed"]
        self.assertEqual([e["file"] for e in failed], ["gone.c"])
        self.assertEqual(rep["statistics"]["tus_failed"], 1)
        r = self.analyse("--format", "json", "--fail-on-parse-error", "-p", "a")
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_listed_file_absent_message(self):
        self.absent_db()
        r = self.analyse("--format", "json", "-p", "a")
        msg = [e["message"] for e in r.json()["errors"] if e["kind"] == "failed"][0]
        self.assertRegex(msg, "(?i)no such file|does not exist")

    def test_directory_listed_as_file_message(self):
        os.makedirs(self.path("dir.c"))
        self.compdb("d", [self.entry(self.path("dir.c"))])
        r = self.analyse("--format", "json", "-p", "d")
        errors = r.json()["errors"]
        self.assertEqual([e["kind"] for e in errors], ["failed"])
        self.assertIn("directory", errors[0]["message"])

    def test_directory_listed_as_file(self):
        os.makedirs(self.path("dir.c"))
        self.compdb("d", [self.entry(self.path("dir.c"))])
        r = self.analyse("--format", "json", "-p", "d")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([(e["kind"], e["file"]) for e in r.json()["errors"]], [("failed", "dir.c")])

    def test_directory_given_as_file(self):
        os.makedirs(self.path("dir.c"))
        r = self.analyse("dir.c")
        self.assert_error(r, "dir.c", "directory")


# ----------------------------------------------------------------------------------------------
class CommandLine(Base):
    """Unknown and conflicting options, unwritable output paths."""

    def setUp(self):
        super().setUp()
        self.src = self.write("a.c", BLOCKING)

    def test_usage_errors(self):
        cases = [
            (["--no-such-option", "a.c"], ["--no-such-option"]),
            (["-Z", "a.c"], ["-Z"]),
            (["-o"], ["-o"]),
            (["--format", "xml", "a.c"], ["xml"]),
            (["-j", "0", "a.c"], ["-j"]),
            (["-j", "many", "a.c"], ["-j", "many"]),
            (["-p", ".", "--", "-DX"], ["-p", "--"]),
            ([], ["no input"]),
            (["missing.c"], ["missing.c"]),
            (["--fail-on", "sometimes", "a.c"], ["sometimes"]),
        ]
        for args, needles in cases:
            with self.subTest(args=args):
                r = self.lc(*args)
                self.assert_error(r, *needles)

    def test_output_path_cannot_be_written(self):
        os.makedirs(self.path("isdir.json"))
        cases = {
            "no-such-dir/out.json": "no-such-dir/out.json",
            "isdir.json": "isdir.json",
            "a.c/out.json": "a.c/out.json",                 # a file used as a directory
            "x" * 300 + ".json": "File name too long",
        }
        for out, needle in cases.items():
            with self.subTest(out=out[:40]):
                r = self.analyse("--format", "json", "-o", out, "a.c")
                self.assert_error(r, needle)
                if out != "isdir.json":
                    self.assertFalse(os.path.lexists(self.path(out)))
                self.assertEqual(temp_leftovers(self.tmp), [])

    def test_output_replaced_atomically(self):
        out = self.write("out.json", "OLD")
        r = self.analyse("--format", "json", "-o", out, "a.c")
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(out, "rb") as f:
            self.assertEqual(len(self.assert_valid_json(f.read())["findings"]), 1)
        self.assertEqual(temp_leftovers(self.tmp), [])

    def test_output_to_fifo(self):
        fifo = self.path("pipe")
        os.mkfifo(fifo)
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)      # a reader, so writers do not block
        try:
            r = self.analyse("--format", "json", "-o", fifo, "a.c", timeout=60)
            self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")
            data = b""
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                data += chunk
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(len(self.assert_valid_json(data)["findings"]), 1)
        finally:
            os.close(fd)


# ----------------------------------------------------------------------------------------------
class Sources(Base):
    """Odd paths, identifiers and file contents."""

    def test_non_utf8_path_text(self):
        name = b"caf\xe9-\xff.c"
        with open(os.path.join(self.tmp.encode(), name), "w") as f:
            f.write(BLOCKING)
        r = run([b"--no-config", b"-j", JOBS.encode(), name], self.tmp, env=self.env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(name + b":%d:" % BLOCKING_LINE, r.stdout)

    def non_utf8_report(self, fmt):
        name = b"caf\xe9-\xff.c"
        with open(os.path.join(self.tmp.encode(), name), "w") as f:
            f.write(BLOCKING)
        r = run([b"--no-config", b"-j", JOBS.encode(), b"--format", fmt, name], self.tmp, env=self.env)
        self.assertEqual(r.returncode, 1, r.stderr)
        return self.assert_valid_json(r.stdout, fmt.decode())

    def test_non_utf8_path_sarif(self):
        rep = self.non_utf8_report(b"sarif")
        uri = rep["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        self.assertEqual(uri, "caf%E9-%FF.c")

    def test_non_utf8_path_json(self):
        self.non_utf8_report(b"json")

    def test_long_path(self):
        # A path just under PATH_MAX (4096), made of 200-byte components.
        d = self.tmp
        while len(d) + 201 < 4000:
            d = os.path.join(d, "d" * 200)
        os.makedirs(d)
        src = os.path.join(d, "x" * (4080 - len(d) - 3) + ".c")
        with open(src, "w") as f:
            f.write(BLOCKING)
        r = self.analyse("--format", "json", src)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(len(r.json()["findings"]), 1)
        # The report next to it would be longer than PATH_MAX: a clear error, nothing left.
        r = self.analyse("-o", src + ".report-" + "r" * 20 + ".json", src)
        self.assert_error(r, "File name too long")
        self.assertEqual(temp_leftovers(d), [])

    def test_path_longer_than_path_max(self):
        # The current directory itself is longer than PATH_MAX: loopcheck cannot name it. Such a
        # directory can only be made and entered through directory descriptors.
        fd = os.open(self.tmp, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for _ in range(25):
                os.mkdir("e" * 200, dir_fd=fd)
                nfd = os.open("e" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = nfd
            src = os.open("a.c", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(src, BLOCKING.encode())
            os.close(src)
            r = run(["--no-config", "a.c"], None, env=self.env, chdir_fd=fd)
        finally:
            os.close(fd)
        self.assert_error(r, "directory")

    def long_identifier(self, ident):
        src = self.write("id.c", program("\t%s();" % ident, extra="static void %s(void) { sleep(1); }\n"
                                         % ident))
        out = {}
        for fmt in ("json", "sarif", "text"):
            r = self.analyse("--format", fmt, src)
            self.assertEqual(r.returncode, 1, r.stderr)
            out[fmt] = r
        return out

    def test_long_identifier(self):
        ident = "f" * 100000
        out = self.long_identifier(ident)
        rep = self.assert_valid_json(out["json"].stdout)
        self.assertEqual(rep["findings"][0]["function"], ident)
        self.assert_valid_json(out["sarif"].stdout, "sarif")
        self.assertIn("id.c:", out["text"].text)

    def test_long_utf8_identifier(self):
        out = self.long_identifier("\u00e9" * 50000)
        self.assert_valid_json(out["json"].stdout)
        self.assert_valid_json(out["sarif"].stdout, "sarif")

    def test_nul_bytes(self):
        self.write("nul.c", b"int x;\nint main(void)\n{\n\tint y = 0;\0\0\0 junk\n\treturn x + y;\n}\n")
        r = self.analyse("--format", "json", "nul.c")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        rep = self.assert_valid_json(r.stdout)
        self.assertEqual([e["kind"] for e in rep["errors"]], ["partial"])

    def test_binary_garbage(self):
        rnd = random.Random(9)
        blobs = {
            "random.c": bytes(rnd.getrandbits(8) for _ in range(64 * 1024)),
            "braces.c": b"{" * 20000 + b"(" * 20000,
            "elf.c": open(LOOPCHECK, "rb").read(256 * 1024),
            "utf16.c": "int main(void) { return 0; }\n".encode("utf-16"),
            "directives.c": b"#include \xff\n#define \n#if\n#pragma \x00\n" * 100,
        }
        for name, data in blobs.items():
            with self.subTest(name):
                self.write(name, data)
                r = self.analyse("--format", "json", name)
                self.assertIn(r.returncode, (0, 1), r.stderr)
                rep = self.assert_valid_json(r.stdout)
                self.assertEqual(len(rep["errors"]), 1)
                self.assertIn(rep["errors"][0]["kind"], ("partial", "failed"))
                r = self.analyse("--format", "sarif", name)
                self.assert_valid_json(r.stdout, "sarif")


# ----------------------------------------------------------------------------------------------
class PartialAnalysis(Base):
    """--fail-on-parse-error: the exit code policy for partial and failed TUs."""

    def setUp(self):
        super().setUp()
        self.write("good.c", BLOCKING)
        broken = program("\tsleep(2);", name="on_other").replace("int main(void)", "int start_other(void)")
        self.write("broken.c", '#include "no-such-header.h"\n' + broken)

    def test_default_partial_does_not_change_exit_code(self):
        r = self.analyse("--format", "json", "good.c", "broken.c")
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertEqual([e["kind"] for e in rep["errors"]], ["partial"])
        self.assertIn("no-such-header.h", rep["errors"][0]["message"])
        # analysed as far as possible: the broken TU's own finding is there too
        self.assertEqual(len(rep["findings"]), 2)

    def test_fail_on_parse_error_partial(self):
        out = self.path("out.json")
        r = self.analyse("--format", "json", "--fail-on-parse-error", "-o", out, "good.c", "broken.c")
        self.assertEqual(r.returncode, 2, r.stderr)
        line = r.stderr.splitlines()
        self.assertEqual(len(line), 1, r.stderr)
        self.assertIn("parse", line[0])
        with open(out, "rb") as f:                   # the report is written first, complete
            rep = self.assert_valid_json(f.read())
        self.assertEqual(len(rep["findings"]), 2)
        self.assertEqual([e["kind"] for e in rep["errors"]], ["partial"])

    def test_fail_on_parse_error_beats_exit_zero(self):
        r = self.analyse("--exit-zero", "--fail-on-parse-error", "good.c", "broken.c")
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_fail_on_parse_error_clean_run(self):
        r = self.analyse("--fail-on-parse-error", "good.c")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.write("clean.c", CLEAN)
        r = self.analyse("--fail-on-parse-error", "clean.c")
        self.assertEqual(r.returncode, 0, r.stderr)


# ----------------------------------------------------------------------------------------------
class Untrusted(Base):
    """A compile database cannot make loopcheck load or run anything, and paths stay relative."""

    def setUp(self):
        super().setUp()
        if not shutil.which("gcc") and not shutil.which("cc"):
            self.skipTest("needs gcc to build the marker shared object")
        self.marker = self.path("MARKER")
        self.write("marker.c", "#include <fcntl.h>\n#include <unistd.h>\n"
                   "__attribute__((constructor)) static void lc_marker(void)\n{\n"
                   "\tint fd = open(%s, O_WRONLY | O_CREAT | O_APPEND, 0644);\n"
                   "\tif (fd >= 0) {\n\t\t(void)!write(fd, \"loaded\\n\", 7);\n\t\tclose(fd);\n\t}\n}\n"
                   % json.dumps(self.marker))
        cc = shutil.which("gcc") or shutil.which("cc")
        self.so = self.path("evil.so")
        subprocess.run([cc, "-shared", "-fPIC", "-o", self.so, self.path("marker.c")], check=True)
        # A "compiler" (and a launcher, and tools in a -B directory) that would write the marker.
        script = "#!/bin/sh\necho ran >> %s\n" % json.dumps(self.marker)
        self.evil_cc = self.write("bin/evil-cc", script)
        for tool in ("evil-cc", "as", "ld", "cc1", "clang", "gcc", "cc"):
            p = self.write("bin/" + tool, script)
            os.chmod(p, 0o755)
        self.src = self.write("src/a.c", BLOCKING)

    def test_marker_mechanism_works(self):
        # Proof that the test would see a load: a plain clang does load the plugin.
        clang = shutil.which("clang")
        if not clang:
            self.skipTest("no clang to prove the marker")
        subprocess.run([clang, "-fsyntax-only", "-fplugin=" + self.so, self.src],
                       capture_output=True, timeout=120)
        self.assertTrue(os.path.exists(self.marker), "clang -fplugin did not load the marker .so")

    def test_plugins_removed_and_nothing_runs(self):
        so, src = self.so, self.src
        X = "-Xclang"
        flag_sets = [
            ["-fplugin=" + so],
            ["-fpass-plugin=" + so],
            ["-fplugin-arg-evil-key=value", "-fplugin=" + so],
            [X, "-load", X, so],
            [X, "-load", so],
            [X, "-fpass-plugin=" + so],
            [X, "-load", X, so, X, "-plugin", X, "evil"],
            [X, "-load", X, so, X, "-add-plugin", X, "evil"],
            [X, "-load", X, so, X, "-plugin-arg-evil", X, "x"],
        ]
        # The removed words, as each notice must quote them.
        removed = [
            ["-fplugin=" + so],
            ["-fpass-plugin=" + so],
            ["-fplugin-arg-evil-key=value", "-fplugin=" + so],
            ["-Xclang -load -Xclang " + so],
            ["-Xclang -load " + so],
            ["-Xclang -fpass-plugin=" + so],
            ["-Xclang -load -Xclang " + so, "-Xclang -plugin -Xclang evil"],
            ["-Xclang -load -Xclang " + so, "-Xclang -add-plugin -Xclang evil"],
            ["-Xclang -load -Xclang " + so, "-Xclang -plugin-arg-evil -Xclang x"],
        ]
        entries = []
        for flags in flag_sets:
            entries.append({"directory": self.tmp, "file": src,
                            "arguments": [self.evil_cc, *flags, "-c", src]})
        # The "command" form, a launcher in front of the compiler, and a -B tool directory.
        entries.append({"directory": self.tmp, "file": src,
                        "command": "%s -fplugin=%s -c %s" % (self.evil_cc, so, src)})
        removed.append(["-fplugin=" + so])
        entries.append({"directory": self.tmp, "file": src,
                        "arguments": ["ccache", self.evil_cc, "-B", self.path("bin"), "-c", src]})
        removed.append([])
        self.compdb("b", entries)
        r = self.analyse("--format", "json", "-p", "b")
        self.assertFalse(os.path.exists(self.marker), "something was loaded or run: %s" % (
            open(self.marker).read() if os.path.exists(self.marker) else ""))
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertEqual([f["rule"] for f in rep["findings"]], ["blocking/sleep"])
        notices = [e["message"] for e in rep["errors"]
                   if e["kind"] == "notice" and e["message"].startswith("removed ")]
        want = []
        for i, words in enumerate(removed):
            for w in words:
                want.append("removed plugin flag '%s' (entry %d, %s)" % (w, i, src))
        self.assertEqual(sorted(notices), sorted(want))
        # Nothing else in "errors": every TU parsed.
        self.assertEqual([e for e in rep["errors"] if e["kind"] != "notice"], [])

    def forwarded_cc1_flags(self):
        """Flags whose values the clang driver puts on the cc1 command line, as -Xclang does:
        plain clang -fsyntax-only loads the marker from the first two (and from the third
        with --analyze)."""
        so, src = self.so, self.src
        self.compdb("b", [
            {"directory": self.tmp, "file": src, "arguments": ["cc", "-Wp,-load," + so, "-c", src]},
            {"directory": self.tmp, "file": src,
             "arguments": ["cc", "-Xpreprocessor", "-load", "-Xpreprocessor", so, "-c", src]},
            {"directory": self.tmp, "file": src,
             "arguments": ["cc", "--analyze", "-Xanalyzer", "-load", "-Xanalyzer", so, "-c", src]},
        ])
        return self.analyse("--format", "json", "-p", "b")

    def test_forwarded_cc1_flags_load_nothing(self):
        r = self.forwarded_cc1_flags()
        self.assertFalse(os.path.exists(self.marker), "something was loaded")
        self.assertIn(r.returncode, (0, 1), r.stderr)

    def test_forwarded_cc1_flags_removed_with_notice(self):
        r = self.forwarded_cc1_flags()
        notices = [e["message"] for e in r.json()["errors"]
                   if e["kind"] == "notice" and e["message"].startswith("removed ")]
        for i in range(3):
            self.assertTrue([n for n in notices if "(entry %d," % i in n and self.so in n],
                            "entry %d: no notice in %s" % (i, notices))

    def test_plugins_on_the_command_line(self):
        r = self.analyse("--format", "json", self.src, "--", "-fplugin=" + self.so,
                         "-Xclang", "-load", "-Xclang", self.so)
        self.assertFalse(os.path.exists(self.marker))
        notices = [e["message"] for e in r.json()["errors"]
                   if e["kind"] == "notice" and e["message"].startswith("removed ")]
        self.assertEqual(notices, ["removed plugin flag '-fplugin=%s' (command line)" % self.so,
                                   "removed plugin flag '-Xclang -load -Xclang %s' (command line)"
                                   % self.so])

    def test_raised_bracket_depth_cannot_crash(self):
        n = 1500000
        self.write("deep.c", "void f(void)\n{\n" + "{" * n + "}" * n + "\n}\n")
        self.compdb("b", [self.entry(self.path("deep.c"), "-fbracket-depth=100000000")])
        r = run(["--no-config", "--no-cache", "-j", JOBS, "-p", "b"], self.tmp, env=self.env,
                timeout=120)
        self.assertGreaterEqual(r.returncode, 0, "killed by signal %d" % -r.returncode)

    def test_exclude_pattern_is_not_exponential(self):
        src = self.write("a" * 40 + ".c", BLOCKING)
        cfg = self.write(".loopcheck.json", json.dumps({"exclude": ["*a" * 12 + "*b"]}))
        r = self.lc("--config", cfg, "-j", JOBS, "--no-cache", src, timeout=20)
        self.assertEqual(r.returncode, 1, r.stderr)

    def header_outside(self, root_parent):
        """A finding in a header outside --srcroot; returns (srcroot, header path)."""
        hdr_dir = tempfile.mkdtemp(prefix="lc-battery-hdr-", dir=root_parent)
        self.addCleanup(shutil.rmtree, hdr_dir, True)
        hdr = os.path.join(os.path.realpath(hdr_dir), "helper.h")
        with open(hdr, "w") as f:
            f.write("unsigned int sleep(unsigned int);\nstatic inline void helper(void)\n{\n\tsleep(1);\n}\n")
        self.write("root/main.c", '#include "%s"\n' % hdr + program("\thelper();"))
        return self.path("root"), hdr

    def reports(self, root, *extra):
        out = {}
        for fmt in ("text", "json", "sarif"):
            r = self.analyse("--format", fmt, "--srcroot", root, *extra, os.path.join(root, "main.c"))
            self.assertEqual(r.returncode, 1, r.stderr)
            out[fmt] = r.stdout.decode()
        return out

    def test_paths_stay_below_srcroot(self):
        root, hdr = self.header_outside(self.tmp)          # a sibling of the root
        out = self.reports(root)
        for fmt, text in out.items():
            with self.subTest(fmt):
                self.assertNotIn(self.tmp, text, "an absolute path in the %s report" % fmt)
                self.assertIn("../" + os.path.basename(os.path.dirname(hdr)) + "/helper.h", text)
        rep = json.loads(out["json"])
        self.assertTrue(rep["findings"][0]["location"]["file"].endswith("/helper.h"))
        # Asked for: absolute paths.
        out = self.reports(root, "--absolute-paths")
        self.assertIn(hdr, out["text"])
        self.assertIn(hdr, out["json"])

    @unittest.skipUnless(os.path.isdir("/var/tmp") and os.access("/var/tmp", os.W_OK)
                         and not os.path.realpath(tempfile.gettempdir()).startswith("/var"),
                         "needs a writable /var/tmp apart from the temporary directory")
    def test_paths_outside_any_common_ancestor(self):
        root, hdr = self.header_outside("/var/tmp")         # nothing in common with /tmp/...
        out = self.reports(root)
        for fmt, text in out.items():
            with self.subTest(fmt):
                self.assertNotIn("/var/tmp", text)
                self.assertNotIn(self.tmp, text)
                self.assertIn("%3Cexternal%3E/helper.h" if fmt == "sarif" else "<external>/helper.h", text)


# ----------------------------------------------------------------------------------------------
def gen_chain(d, n, ntu=4):
    """c0 -> c1 -> ... -> c(n-1) -> sleep, over `ntu` TUs, from a timer callback."""
    files = []
    per = n // ntu
    for t in range(ntu):
        lo, hi = t * per, (n if t == ntu - 1 else (t + 1) * per)
        src = [PROTO, "".join("void c%d(void);\n" % i for i in range(lo, min(hi + 1, n)))]
        for i in range(lo, hi):
            src.append("void c%d(void) { c%d(); }\n" % (i, i + 1) if i + 1 < n
                       else "void c%d(void) { sleep(1); }\n" % i)
        if t == 0:
            src.append("static void on_tick(uv_timer_t *t) { (void)t; c0(); }\n" + MAIN)
        files.append(write_file(d, "chain%d.c" % t, "".join(src)))
    return files


def gen_scc(d, n):
    """n functions in one strongly connected component (a ring plus chords), sleep inside."""
    src = [PROTO, "".join("void s%d(int);\n" % i for i in range(n))]
    for i in range(n):
        body = "s%d(k - 1); s%d(k - 2);" % ((i + 1) % n, (i * 7 + 3) % n)
        if i == n // 2:
            body += " sleep(1);"
        src.append("void s%d(int k) { if (k > 0) { %s } }\n" % (i, body))
    src.append("static void on_tick(uv_timer_t *t) { (void)t; s0(5); }\n" + MAIN)
    return [write_file(d, "scc.c", "".join(src))]


def gen_edges(d, nfn, per_fn, ntu):
    """nfn functions each calling per_fn others (nfn * per_fn call edges) over ntu TUs."""
    decl = "".join("void e%d(void);\n" % i for i in range(nfn))
    per_tu = nfn // ntu
    files = []
    for t in range(ntu):
        src = [PROTO, decl]
        for i in range(t * per_tu, (t + 1) * per_tu):
            calls = "".join("e%d();" % ((i + 1 + k * 37) % nfn) for k in range(per_fn))
            extra = " sleep(1);" if i == nfn - 1 else ""
            src.append("void e%d(void) { static int g; if (g++) return; %s%s }\n" % (i, calls, extra))
        if t == 0:
            src.append("static void on_tick(uv_timer_t *t) { (void)t; e0(); }\n" + MAIN)
        files.append(write_file(d, "edges%d.c" % t, "".join(src)))
    return files


def write_file(d, name, text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


class Extreme(Base):
    """Extreme inputs (issue 9): all finish, bounded in time and memory; figures printed."""

    def db(self, files, *flags):
        self.compdb("build", [self.entry(f, *flags) for f in files])
        return self.path("build")

    def analyse_db(self, name, files, *flags, fmt="json", note="", timeout=TIMEOUT, extra=()):
        build = self.db(files, *flags)
        r = self.analyse("--no-cache", "--format", fmt, *extra, "-p", build, timeout=timeout)
        self.figure(name, r, note)
        return r

    def test_expression_50000_terms(self):
        # Crashes clang's parser on an 8 MB stack (LIBCLANG.md); the 512 MB parse threads hold.
        n = 50000
        f = self.write("expr.c", program("\tint y = %s;\n\t(void)y;\n\tsleep(1);"
                                         % " + ".join("x" for _ in range(n)), extra="static int x;\n"))
        r = self.analyse_db("expression of 50,000 terms", [f])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([x["rule"] for x in r.json()["findings"]], ["blocking/sleep"])

    def test_loop_condition_50000_terms(self):
        n = 50000
        f = self.write("cond.c", program("\twhile (%s)\n\t\tx--;\n\tsleep(1);"
                                         % " && ".join("x" for _ in range(n)), extra="static int x;\n"))
        r = self.analyse_db("loop condition of 50,000 && terms", [f])
        self.assertEqual(r.returncode, 1, r.stderr)

    def test_nested_blocks_5000(self):
        n = 5000
        f = self.write("blocks.c", program("\t" + "{" * n + "sleep(1);" + "}" * n))
        # clang's default nesting limit (256) stops the parse: a partial TU, said so.
        r = self.analyse_db("5,000 nested blocks", [f], note="partial: bracket depth 256")
        self.assertEqual(r.returncode, 0, r.stderr)
        errors = r.json()["errors"]
        self.assertEqual([e["kind"] for e in errors], ["partial"])
        self.assertIn("bracket nesting level", errors[0]["message"])
        # A compile database cannot raise the limit: -fbracket-depth is removed (it would let a
        # crafted file overflow the parser's stack), so the TU stays partial.
        r = self.analyse_db("5,000 nested blocks, -fbracket-depth=100000 (removed)", [f],
                            "-fbracket-depth=100000")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([e["kind"] for e in r.json()["errors"]], ["partial"])

    def test_nested_loops_at_the_bracket_limit(self):
        # clang's nesting limit (256 brackets, not raisable from a compile database) bounds how
        # deep loops can nest, and so the recursion of the loop analysis.
        n = 120
        loops = "".join("for (int i%d = 0; i%d < x; i%d++) {" % (i, i, i) for i in range(n))
        f = self.write("loops.c", program("\t" + loops + "sleep(1);" + "}" * n, extra="static int x;\n"))
        r = self.analyse_db("120 nested data-bounded loops", [f])
        self.assertEqual(r.returncode, 1, r.stderr)
        rules = [x["rule"] for x in r.json()["findings"]]
        self.assertIn("blocking/sleep", rules)
        self.assertIn("cpu/hotspot", rules)

    def test_function_with_100000_statements(self):
        n = 100000
        f = self.write("stmts.c", program("".join("\tx += %d;\n" % (i % 7) for i in range(n)) + "\tsleep(1);",
                                          extra="static int x;\n"))
        r = self.analyse_db("function with 100,000 statements", [f])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([x["rule"] for x in r.json()["findings"]], ["blocking/sleep"])

    def test_call_chain_100000_deep(self):
        n = 100000
        files = gen_chain(self.tmp, n)
        r = self.analyse_db("call chain 100,000 deep (4 TUs)", files)
        self.assertEqual(r.returncode, 1, r.stderr)
        (f,) = r.json()["findings"]
        self.assertEqual(f["rule"], "blocking/sleep")
        calls = [s for s in f["chain"] if s["kind"] == "call"]
        self.assertEqual(len(calls), n)                # on_tick -> c0, ..., c(n-2) -> c(n-1)
        self.assertEqual(f["function"], "c%d" % (n - 1))
        # The text report prints the whole chain too.
        r = self.analyse_db("call chain 100,000 deep, text report", files, fmt="text")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertGreaterEqual(r.stdout.count(b": note: "), n)

    def test_strongly_connected_component_10000(self):
        files = gen_scc(self.tmp, 10000)
        r = self.analyse_db("strongly connected component of 10,000", files)
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertEqual([x["rule"] for x in rep["findings"]], ["blocking/sleep"])
        self.assertGreaterEqual(rep["statistics"]["call_edges"], 20000)

    def test_million_call_edges(self):
        files = gen_edges(self.tmp, 10000, 100, 8)
        r = self.analyse_db("1,000,000 call edges (8 TUs)", files)
        self.assertEqual(r.returncode, 1, r.stderr)
        rep = r.json()
        self.assertGreaterEqual(rep["statistics"]["call_edges"], 1000000)
        self.assertEqual([x["rule"] for x in rep["findings"]], ["blocking/sleep"])

    def test_pointer_passed_to_100000_functions(self):
        # One function-pointer variable passed to 100,000 functions: 100,000 flows out of one slot.
        n = 100000
        decl = "".join("void u%d(void (*)(void));\n" % i for i in range(n))
        body = "".join("\tu%d(fp);\n" % i for i in range(n))
        f = self.write("fan.c", PROTO + decl + "static void work(void) { sleep(1); }\n"
                       "static void (*fp)(void) = work;\nvoid fan(void)\n{\n" + body + "}\n"
                       + program("\tfp();"))
        r = self.analyse_db("one pointer passed to 100,000 functions", [f],
                            note="link.c slot_flow() is quadratic in a slot's successors")
        self.assertEqual(r.returncode, 1, r.stderr)

    def test_chain_of_40000_functions_with_loops(self):
        n = 40000
        src = [PROTO, "int lim;\n", "".join("void c%d(void);\n" % i for i in range(n))]
        for i in range(n):
            nxt = "c%d();" % (i + 1) if i + 1 < n else "sleep(1);"
            src.append("void c%d(void) { for (int i = 0; i < lim; i++) lim--; %s }\n" % (i, nxt))
        src.append("static void on_tick(uv_timer_t *t) { (void)t; c0(); }\n" + MAIN)
        f = self.write("loopchain.c", "".join(src))
        r = self.analyse_db("chain of 40,000 functions each with a loop", [f],
                            note="solve.c collect_loop_hotspots() is O(functions x loops) per TU")
        self.assertEqual(r.returncode, 1, r.stderr)

    def test_expression_under_address_space_limit(self):
        if SANITIZED:
            raise unittest.SkipTest("no address-space limit under sanitizers")
        n = 50000
        f = self.write("expr.c", program("\tint y = %s;\n\t(void)y;\n\tsleep(1);"
                                         % " + ".join("x" for _ in range(n)), extra="static int x;\n"))
        r = run(["--no-config", "--no-cache", "-j", "1", f], self.tmp, env=self.env,
                address_space=640 << 20)
        self.assertGreaterEqual(r.returncode, 0, "killed by signal %d" % -r.returncode)


@unittest.skipUnless(SLOW or os.environ.get("LOOPCHECK_BATTERY_SLOW"), "--slow")
class ParserLimits(Base):
    """Inputs on which clang's own parser is quadratic (clang -fsyntax-only is as slow): only a
    per-TU timeout can bound them. At 20,000 they take seconds, at 100,000 minutes. Figures
    only; each must end within TIMEOUT."""

    def one(self, name, text):
        f = self.write("p.c", text)
        r = self.analyse("--no-cache", "--format", "json", f)
        self.figure(name, r)

    def test_else_if_chain_20000(self):
        self.one("else-if chain of 20,000", "int x; void f(void) { if (x) x++; " + "else if (x) x++; " * 20000 + "}\n")

    def test_nested_if_20000(self):
        self.one("20,000 nested ifs without braces", "int x; void f(void) { " + "if (x) " * 20000 + "x++; }\n")

    def test_unary_chain_20000(self):
        self.one("20,000 unary operators", "int x; void f(void) { x = " + "!" * 20000 + "x; }\n")


# ----------------------------------------------------------------------------------------------
class Signals(Base):
    """SIGINT/SIGTERM during a run with -o: no partial output, no temporary file, no bad cache."""

    def test_interrupt_during_run(self):
        files = gen_edges(self.tmp, 4000, 100, 4)
        self.compdb("build", [self.entry(f) for f in files])
        base = ["--format", "json", "--deterministic", "-p", "build"]
        # The reference: no cache.
        ref = self.analyse("--no-cache", *base)
        self.assertEqual(ref.returncode, 1, ref.stderr)
        duration = ref.seconds
        out = self.path("out", "report.json")
        os.makedirs(os.path.dirname(out))
        outcomes = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            for frac in (0.05, 0.3, 0.6, 0.9, 0.97, 1.02):
                with open(out, "w") as f:
                    f.write("OLD")

                def send(p, delay=duration * frac, sig=sig):
                    threading.Timer(delay, lambda: p.poll() is None and p.send_signal(sig)).start()
                # With the cache (the default): interrupted stores must not corrupt it.
                r = self.analyse(*base, "-o", out, on_start=send, expect_signal=sig)
                with self.subTest(sig=sig.name, at=frac):
                    self.assertIn(r.returncode, (1, -sig), r.stderr)
                    with open(out, "rb") as f:
                        data = f.read()
                    if r.returncode == -sig:
                        # Killed: the old report, or the whole new one if the signal came after
                        # the rename (while freeing memory) -- never a partial one.
                        self.assertIn(data, (b"OLD", ref.stdout), "a partial report replaced the old one")
                    else:
                        self.assertEqual(data, ref.stdout)
                    self.assertEqual(temp_leftovers(self.tmp), [], "temporary files left behind")
                    outcomes.append("%s@%.2f:%s" % (sig.name, frac, "killed" if r.returncode < 0 else "done"))
        FIGURES.append(("SIGINT/SIGTERM during a run (%.1f s)" % duration, round(duration, 2), "", "",
                        " ".join(outcomes)))
        # Whatever the interrupted runs left in the cache, it gives the reference report.
        r = self.analyse(*base)
        self.assertEqual(r.stdout, ref.stdout)

    def test_interrupt_while_writing(self):
        # The window in which the temporary report exists is a few milliseconds; a 28 MB report
        # (a 100,000-step chain) makes it wide enough to catch: stop the process as soon as the
        # temporary file appears, send the signal, let it continue.
        files = gen_chain(self.tmp, 100000)
        self.compdb("build", [self.entry(f) for f in files])
        outdir = self.path("out")
        os.makedirs(outdir)
        for sig in (signal.SIGINT, signal.SIGTERM):
            out = os.path.join(outdir, "report.json")
            with open(out, "w") as f:
                f.write("OLD")
            caught = []

            def watch(p, sig=sig):
                def loop():
                    while p.poll() is None:
                        if any(".tmp." in n for n in os.listdir(outdir)):
                            os.kill(p.pid, signal.SIGSTOP)
                            caught.append(sorted(os.listdir(outdir)))
                            os.kill(p.pid, sig)
                            os.kill(p.pid, signal.SIGCONT)
                            return
                threading.Thread(target=loop, daemon=True).start()
            r = self.analyse("--no-cache", "--format", "json", "-o", out, "-p", "build",
                             on_start=watch, expect_signal=sig)
            with self.subTest(sig=sig.name):
                if not caught:
                    self.skipTest("the temporary file was never seen (finished in %.1f s)" % r.seconds)
                self.assertEqual(r.returncode, -sig, r.stderr)
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), b"OLD")
                self.assertEqual(temp_leftovers(self.tmp), [], "temporary files left behind")
                FIGURES.append(("%s while the report was being written" % sig.name, round(r.seconds, 2),
                                round(r.maxrss_kb / 1024.0, 1), r.returncode,
                                "stopped with %s present" % ", ".join(caught[0])))

    def test_interrupt_before_output(self):
        # Interrupted early (while parsing): no -o file at all.
        files = gen_edges(self.tmp, 4000, 100, 4)
        self.compdb("build", [self.entry(f) for f in files])
        out = self.path("report.sarif")

        def send(p):
            threading.Timer(0.5, lambda: p.poll() is None and p.send_signal(signal.SIGTERM)).start()
        r = self.analyse("--no-cache", "--format", "sarif", "-o", out, "-p", "build", on_start=send,
                         expect_signal=signal.SIGTERM)
        self.assertEqual(r.returncode, -signal.SIGTERM, r.stderr)
        self.assert_no_output(out)


# ----------------------------------------------------------------------------------------------
def print_figures(stream):
    if not FIGURES:
        return
    stream.write("\nExtreme-input figures (wall seconds, peak RSS MB, exit code):\n")
    for name, sec, mb, rc, note in FIGURES:
        stream.write("  %-52s %8s s %8s MB  exit %-3s %s\n" % (name, sec, mb, rc, note))


def main():
    global LOOPCHECK, SANITIZED, SLOW
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--sanitized", action="store_true",
                    help="the binary is built with sanitizers: no address-space limit")
    ap.add_argument("--slow", action="store_true", help="also run the ParserLimits inputs")
    ap.add_argument("--figures", help="write the extreme-input figures to this JSON file")
    args, rest = ap.parse_known_args()
    LOOPCHECK = os.path.abspath(args.loopcheck)
    SANITIZED = args.sanitized
    SLOW = args.slow
    if SLOW:
        ParserLimits.__unittest_skip__ = False
    prog = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2)
    print_figures(sys.stderr)
    if args.figures:
        with open(args.figures, "w") as f:
            json.dump([dict(zip(("input", "seconds", "rss_mb", "exit", "note"), x)) for x in FIGURES],
                      f, indent=1)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
