#!/usr/bin/env python3
"""Compare loopcheck's reports on a fixture with the golden files stored beside it.

Each fixture directory fixtures/NAME/ holds, next to its sources:

    expected.txt     --format text   (the compiler-style report)
    expected.json    --format json
    expected.sarif   --format sarif
    expected.dot     --format dot

produced by

    loopcheck --format FMT --deterministic --color never --srcroot FIXTURE -p TMP ARGS...

(TMP holding the compile database tests/harness/run_fixture.py writes; ARGS from fixture.json,
"{fixture}" in them replaced by the fixture's absolute path, as run_fixture.py does)
and then normalized, so that the files are the same on every machine:

- `--deterministic` leaves out the tool version and the timings; `--srcroot` makes the fixture's
  paths relative. Any path that still leads out of the fixture (`../../usr/include/stdio.h`,
  which appears when the checkout shares a directory with the system headers) is written
  `<external>/stdio.h`, as loopcheck itself writes one that shares nothing with the root; a
  leftover absolute path of the fixture, the compile database's directory or the working
  directory becomes `<fixture>`, `<tmp>` or `<cwd>`.
- JSON: `statistics` keeps only the counts that depend on the fixture alone (translation units
  and entries); the sizes of the call graph and anything about jobs, caches and time depend on
  the installed headers and the machine.
- SARIF: `tool.driver.rules` keeps only the rules the results use, in their order, and each
  result's `ruleIndex` is renumbered to match; each rule's `help` (the whole of docs/rules/*.md)
  becomes a pointer to that file. So adding a rule, or editing a rule's page, does not change
  every golden file; the full rule metadata is checked by tests/unit/test_report.c and by the
  schema validation of run_fixture.py.

Usage:
    golden.py --loopcheck BIN FIXTURE_DIR...            compare; a unified diff per mismatch
    golden.py --loopcheck BIN --update FIXTURE_DIR...   (re)write the golden files

`--update` first runs the fixture's own test (run_fixture.py) and refuses to bless the output of a
fixture that fails it (`--force` overrides). Review the diff (git diff fixtures/) before committing.

Exit codes: 0 pass, 1 mismatch or golden files missing, 2 bad fixture or usage, 77 skipped
(a header the fixture `requires` is not installed; LOOPCHECK_TEST_NO_SKIP=1 makes it an error).
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_fixture  # noqa: E402  (load_fixture, write_compdb, missing_headers)

EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_SKIP = 0, 1, 2, 77
TIMEOUT_SECONDS = 600

# (format, golden file name)
FORMATS = (("text", "expected.txt"), ("json", "expected.json"),
           ("sarif", "expected.sarif"), ("dot", "expected.dot"))
MAX_DIFF_LINES = 200

# statistics keys that depend only on the fixture
STABLE_STATS = ("tus", "tus_partial", "tus_failed", "entries_loop", "entries_worker")

# A relative path climbing out of the fixture: "../../usr/include/stdio.h". Not preceded by a
# character that would make it part of a longer word or path.
ESCAPING_PATH = re.compile(r"(?<![\w./%-])(?:\.\./)+(?:[\w.+%-]+/)*([\w.+%-]+)")
# The same inside a SARIF uri, where '<' and '>' are percent-encoded.
EXTERNAL_URI = "%3Cexternal%3E/"


class GoldenError(Exception):
    """The fixture or the invocation is wrong (exit 2)."""


def normalize_text(text, fixture_dir, tmp):
    """Path normalization common to every format."""
    text = text.replace(fixture_dir + "/", "").replace(fixture_dir, "<fixture>")
    text = text.replace(tmp, "<tmp>")
    cwd = os.getcwd()
    if cwd != "/":
        text = text.replace(cwd, "<cwd>")
    return ESCAPING_PATH.sub(lambda m: "<external>/" + m.group(1), text)


def normalize_json(doc):
    stats = doc.get("statistics")
    if isinstance(stats, dict):
        doc["statistics"] = {k: stats[k] for k in STABLE_STATS if k in stats}
    return doc


def normalize_sarif(doc):
    for run in doc.get("runs", []):
        driver = run.get("tool", {}).get("driver", {})
        rules = driver.get("rules")
        if not isinstance(rules, list):
            continue
        used = {res.get("ruleId") for res in run.get("results", [])}
        kept = [r for r in rules if isinstance(r, dict) and r.get("id") in used]
        index = {r["id"]: i for i, r in enumerate(kept)}
        for r in kept:
            if isinstance(r.get("help"), dict):
                page = "docs/rules/%s.md" % r["id"].replace("/", "-")
                r["help"] = {k: "<%s>" % page for k in r["help"]}
        driver["rules"] = kept
        for res in run.get("results", []):
            if "ruleIndex" in res:
                if res.get("ruleId") in index:
                    res["ruleIndex"] = index[res["ruleId"]]
                else:
                    del res["ruleIndex"]
    return doc


def normalize(fmt, text, fixture_dir, tmp):
    text = normalize_text(text, fixture_dir, tmp)
    if fmt not in ("json", "sarif"):
        return text
    try:
        doc = json.loads(text)
    except ValueError as e:
        return text + f"\n<<< not JSON: {e} >>>\n"
    doc = normalize_json(doc) if fmt == "json" else normalize_sarif(doc)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    # External files in SARIF uris: "%3Cexternal%3E/stdio.h" stays; "../" ones were rewritten
    # above in their encoded spelling "<external>/..." -> encode like loopcheck does.
    return text.replace('"uri": "<external>/', '"uri": "' + EXTERNAL_URI)


def run_loopcheck(loopcheck, fmt, base_cmd):
    cmd = [loopcheck, "--format", fmt, "--deterministic", "--color", "never", *base_cmd]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise GoldenError(f"loopcheck did not finish within {TIMEOUT_SECONDS}s: {' '.join(cmd)}")
    except OSError as e:
        raise GoldenError(f"cannot run {loopcheck}: {e}")
    bad = r.returncode not in (0, 1) or any(m in r.stderr for m in run_fixture.SANITIZER_MARKERS)
    if bad:
        raise GoldenError(f"loopcheck exited {r.returncode}: {' '.join(cmd)}\n{r.stderr}")
    return r.stdout


def reports(loopcheck, fixture_dir):
    """{golden file name: normalized report} for the fixture."""
    cfg = run_fixture.load_fixture(fixture_dir)
    absent = run_fixture.missing_headers(fixture_dir, cfg)
    if absent:
        msg = f"needs <{'>, <'.join(absent)}>, not installed (scripts/setup-deps.sh installs it)"
        if os.environ.get("LOOPCHECK_TEST_NO_SKIP") == "1":
            raise GoldenError(msg + "; LOOPCHECK_TEST_NO_SKIP=1 forbids skipping")
        raise run_fixture.Skip(msg)
    tmp = tempfile.mkdtemp(prefix="loopcheck-golden-")
    try:
        run_fixture.write_compdb(fixture_dir, cfg, tmp)
        # As run_fixture.py: "{fixture}" in args is the fixture's absolute path.
        args = [x.replace("{fixture}", fixture_dir) for x in cfg["args"]]
        base_cmd = ["--srcroot", fixture_dir, "-p", tmp, *args]
        return {name: normalize(fmt, run_loopcheck(loopcheck, fmt, base_cmd), fixture_dir, tmp)
                for fmt, name in FORMATS}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def leaks(text, fixture_dir):
    """Machine-specific strings left after normalization."""
    out = []
    for what in (fixture_dir, os.path.dirname(os.path.dirname(fixture_dir)), os.getcwd(),
                 os.path.expanduser("~"), tempfile.gettempdir() + "/loopcheck-"):
        if what and len(what) > 1 and what in text:
            out.append(what)
    return out


def check(loopcheck, fixture_dir, name):
    got = reports(loopcheck, fixture_dir)
    present = [f for f in got if os.path.exists(os.path.join(fixture_dir, f))]
    if not present:
        print(f"FAIL: {name}: no golden files; run golden.py --update {name} "
              f"(tests/harness/golden.py --loopcheck BIN --update fixtures/{name})")
        return EXIT_FAIL
    failed = False
    for fname, text in got.items():
        path = os.path.join(fixture_dir, fname)
        if fname not in present:
            print(f"{name}: {fname} is missing; run golden.py --update {name}")
            failed = True
            continue
        with open(path, encoding="utf-8") as f:
            want = f.read()
        if want == text:
            continue
        failed = True
        diff = list(difflib.unified_diff(want.splitlines(), text.splitlines(),
                                         f"fixtures/{name}/{fname} (golden)",
                                         f"fixtures/{name}/{fname} (loopcheck now)", lineterm=""))
        print(f"{name}: {fname} differs:")
        for line in diff[:MAX_DIFF_LINES]:
            print(line)
        if len(diff) > MAX_DIFF_LINES:
            print(f"... {len(diff) - MAX_DIFF_LINES} more diff lines")
    for fname, text in got.items():
        for leak in leaks(text, fixture_dir):
            print(f"{name}: {fname} still names the machine-specific '{leak}'")
            failed = True
    if failed:
        print(f"FAIL: {name}: if the change is intended, run golden.py --update {name} and "
              "review git diff")
        return EXIT_FAIL
    print(f"PASS: {name}: {len(got)} golden files match")
    return EXIT_PASS


def update(loopcheck, fixture_dir, name, force):
    if not force:
        r = subprocess.run([sys.executable, os.path.join(HERE, "run_fixture.py"),
                            "--loopcheck", loopcheck, fixture_dir], capture_output=True, text=True)
        if r.returncode == EXIT_SKIP:
            raise run_fixture.Skip(r.stdout.strip())
        if r.returncode != 0:
            print(r.stdout, end="")
            print(f"NOT UPDATED: {name}: its fixture test fails; fix that first (or --force)")
            return EXIT_FAIL
    got = reports(loopcheck, fixture_dir)
    changed = []
    for fname, text in got.items():
        for leak in leaks(text, fixture_dir):
            raise GoldenError(f"{fname} would name the machine-specific '{leak}'")
        path = os.path.join(fixture_dir, fname)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            changed.append(fname)
    print(f"UPDATED: {name}: {', '.join(changed) if changed else 'nothing changed'}")
    return EXIT_PASS


def self_test():
    """The normalization, on made-up reports (golden.py --self-test)."""
    fx, tmp = "/home/u/src/loopcheck/fixtures/demo", "/tmp/loopcheck-golden-x1"
    cases = [
        ("../../../usr/include/stdio.h:12:3: note: x", "<external>/stdio.h:12:3: note: x"),
        ('"file": "../../include/bits/stdio2.h",', '"file": "<external>/stdio2.h",'),
        ("a.c:1:2: warning: w\n", "a.c:1:2: warning: w\n"),
        ("src/../a.c and x/../y", "src/../a.c and x/../y"),
        (f"{fx}/a.c:3:1: error: e", "a.c:3:1: error: e"),
        (f"root {fx} and {tmp}/compile_commands.json", "root <fixture> and <tmp>/compile_commands.json"),
        ('"reg:../../usr/include/uv.h:9:1:uv_timer_start"', '"reg:<external>/uv.h:9:1:uv_timer_start"'),
    ]
    bad = 0
    for given, want in cases:
        got = normalize_text(given, fx, tmp)
        if got != want:
            print(f"normalize_text({given!r}) = {got!r}, want {want!r}")
            bad += 1
    sarif = {"runs": [{"tool": {"driver": {"name": "loopcheck", "rules": [
        {"id": "a/x", "help": {"text": "t", "markdown": "m"}}, {"id": "b/y"}, {"id": "c/z"}]}},
        "results": [{"ruleId": "c/z", "ruleIndex": 2}, {"ruleId": "a/x", "ruleIndex": 0},
                    {"ruleId": "c/z", "ruleIndex": 2}]}]}
    got = normalize("sarif", json.dumps(sarif), fx, tmp)
    run = json.loads(got)["runs"][0]
    if [r["id"] for r in run["tool"]["driver"]["rules"]] != ["a/x", "c/z"] or \
            [r["ruleIndex"] for r in run["results"]] != [1, 0, 1] or \
            run["tool"]["driver"]["rules"][0]["help"] != {"text": "<docs/rules/a-x.md>",
                                                          "markdown": "<docs/rules/a-x.md>"}:
        print(f"normalize_sarif gave {got}")
        bad += 1
    doc = json.loads(normalize("json", json.dumps({"statistics": {
        "tus": 2, "functions": 9, "call_edges": 4, "jobs": 8, "seconds_total": 0.2,
        "entries_loop": 1}, "findings": [{"location": {"file": "../../../usr/include/x.h"}}]}),
        fx, tmp))
    if doc["statistics"] != {"tus": 2, "entries_loop": 1} or \
            doc["findings"][0]["location"]["file"] != "<external>/x.h":
        print(f"normalize_json gave {doc}")
        bad += 1
    sarif = '{"runs": [{"results": [{"uri": "../../usr/include/uv.h"}]}]}'
    if '"uri": "%3Cexternal%3E/uv.h"' not in normalize("sarif", sarif, fx, tmp):
        print("an external SARIF uri is not written as loopcheck writes it")
        bad += 1
    print("FAIL: golden.py self-test" if bad else "PASS: golden.py self-test")
    return EXIT_FAIL if bad else EXIT_PASS


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("fixtures", nargs="*", metavar="FIXTURE_DIR")
    ap.add_argument("--loopcheck", metavar="BIN", default=os.environ.get("LOOPCHECK"),
                    help="the loopcheck binary (default: $LOOPCHECK)")
    ap.add_argument("--update", action="store_true", help="write the golden files")
    ap.add_argument("--force", action="store_true",
                    help="with --update: even when the fixture's own test fails")
    ap.add_argument("--self-test", action="store_true", help="test the normalization itself")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.fixtures:
        ap.error("no FIXTURE_DIR")
    status = EXIT_PASS
    for arg in a.fixtures:
        # "NAME" alone means fixtures/NAME of this repository.
        if not os.path.isdir(arg) and os.sep not in arg:
            arg = os.path.join(HERE, "..", "..", "fixtures", arg)
        fixture_dir = os.path.realpath(arg)
        name = os.path.basename(fixture_dir)
        try:
            if not os.path.isdir(fixture_dir):
                raise GoldenError(f"{arg}: not a directory")
            if not a.loopcheck:
                raise GoldenError("no loopcheck binary: pass --loopcheck BIN or set LOOPCHECK")
            loopcheck = os.path.abspath(a.loopcheck)
            rc = update(loopcheck, fixture_dir, name, a.force) if a.update \
                else check(loopcheck, fixture_dir, name)
        except run_fixture.Skip as e:
            print(f"SKIP: {name}: {e}")
            rc = EXIT_SKIP
        except (GoldenError, run_fixture.FixtureError) as e:
            print(f"ERROR: {name}: {e}")
            rc = EXIT_ERROR
        # The worst wins; a skip only when nothing else happened.
        if rc == EXIT_ERROR or (rc == EXIT_FAIL and status != EXIT_ERROR) or \
                (rc == EXIT_SKIP and status == EXIT_PASS):
            status = rc
    return status


if __name__ == "__main__":
    sys.exit(main())
