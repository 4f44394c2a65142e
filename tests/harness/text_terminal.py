#!/usr/bin/env python3
"""The text report's terminal behaviour, with the real binary: colours only on a terminal (a
pseudo-terminal here), NO_COLOR honoured, --color overriding both, -o FILE never coloured,
--quiet silent when there is nothing to report, and the closing summary line.

    text_terminal.py --loopcheck BIN --fixtures FIXTURES_DIR

Uses fixtures/partial-tu (findings and a partially parsed TU) and fixtures/main-only (clean).
Exit codes: 0 pass, 1 failure, 77 skipped (libuv's uv.h missing).
"""

import argparse
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_fixture  # noqa: E402

ESC = "\033["
SUMMARY = re.compile(r"^(no findings|\d+ findings? in \d+ files?)( \([^)]*\))?; "
                     r"\d+ TUs? analysed(, \d+ partial)?(, \d+ failed)?$")


def on_pty(cmd, env):
    """Run cmd with stdout on a pseudo-terminal (stderr a pipe); returns (status, stdout)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            p.kill()
            raise RuntimeError(f"no output for 120s: {cmd}")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        if not data:
            break
        chunks.append(data)
    os.close(master)
    p.stderr.read()
    p.wait()
    return p.returncode, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def on_pipe(cmd, env):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return r.returncode, r.stdout, r.stderr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--fixtures", required=True)
    a = ap.parse_args(argv)
    loopcheck = os.path.abspath(a.loopcheck)
    partial = os.path.realpath(os.path.join(a.fixtures, "partial-tu"))
    clean = os.path.realpath(os.path.join(a.fixtures, "main-only"))
    problems = []

    def expect(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            problems.append(what)

    work = tempfile.mkdtemp(prefix="loopcheck-text-")
    try:
        cmds = {}
        for name, fixture in (("partial", partial), ("clean", clean)):
            cfg = run_fixture.load_fixture(fixture)
            missing = run_fixture.missing_headers(fixture, cfg)
            if missing:
                print(f"SKIP: <{'>, <'.join(missing)}> not installed")
                return 77
            db = os.path.join(work, name)
            run_fixture.write_compdb(fixture, cfg, db)
            cmds[name] = [loopcheck, "--srcroot", fixture, "-p", db]
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        no_color = dict(env, NO_COLOR="1")
        empty_no_color = dict(env, NO_COLOR="")

        _, out = on_pty(cmds["partial"], env)
        expect(ESC in out, "colours on a terminal by default")
        expect("\033[1;35mwarning:\033[0m" in out, "warnings in bold magenta")
        _, out = on_pty(cmds["partial"], no_color)
        expect(ESC not in out, "no colours on a terminal with NO_COLOR=1")
        _, out = on_pty(cmds["partial"], empty_no_color)
        expect(ESC in out, "an empty NO_COLOR is ignored (no-color.org)")
        _, out = on_pty(cmds["partial"] + ["--color", "never"], env)
        expect(ESC not in out, "--color never on a terminal")
        _, out = on_pty(cmds["partial"] + ["--color", "always"], no_color)
        expect(ESC in out, "--color always beats NO_COLOR")
        _, out, _ = on_pipe(cmds["partial"], env)
        expect(ESC not in out, "no colours into a pipe")
        _, out, _ = on_pipe(cmds["partial"] + ["--color", "always"], env)
        expect(ESC in out, "--color always into a pipe")
        report = os.path.join(work, "report.txt")
        _, out = on_pty(cmds["partial"] + ["-o", report], env)
        with open(report, encoding="utf-8") as f:
            text = f.read()
        expect(ESC not in text and out == "", "-o FILE from a terminal: plain file, nothing on stdout")

        status, out, _ = on_pipe(cmds["partial"], env)
        last = out.rstrip("\n").split("\n")[-1]
        expect(status == 1, "exit 1 with findings")
        expect(last == "2 findings in 1 file; 1 TU analysed, 1 partial",
               f"summary line with the partial TU: {last!r}")
        expect(SUMMARY.match(last) is not None, "summary line matches the documented shape")
        expect(out.startswith("report.c:9:10: error: "), "the partial TU is reported first")
        status, out, _ = on_pipe(cmds["partial"] + ["--quiet"], env)
        expect(out.rstrip("\n").split("\n")[-1] == last, "--quiet keeps the summary of findings")

        status, out, err = on_pipe(cmds["clean"], env)
        expect(status == 0 and out == "no findings; 1 TU analysed\n",
               f"a clean run says so in one line: {out!r}")
        status, out, err = on_pipe(cmds["clean"] + ["--quiet"], env)
        expect(status == 0 and out == "" and err == "",
               f"--quiet prints nothing when clean: {out!r} {err!r}")
        _, out = on_pty(cmds["clean"] + ["-q"], env)
        expect(out == "", "-q on a terminal prints nothing when clean")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("FAIL" if problems else "PASS", f"({len(problems)} failure(s))" if problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
