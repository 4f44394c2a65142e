#!/usr/bin/env python3
"""Run loopcheck on one fixture and compare its findings with the fixture's inline expectations.

A fixture is a directory fixtures/NAME/ holding .c/.h files and an optional fixture.json:

    {"flags":    ["-DFOO", "-Iinclude"],   compiler flags of every source (relative to the fixture)
     "sources":  ["a.c", "b.c"],           default: every *.c below the fixture, sorted
     "variants": {"a.c": [["-DDEBUG"]]},   further compile commands of a source, each with these
                                           flags added (one source built for two programs)
     "args":     ["--some-option"],        extra loopcheck arguments; {fixture} is replaced by the
                                           fixture's absolute path ("--config", "{fixture}/lc.json")
     "exit":     1,                        expected exit code; default 1 if anything is expected, else 0
     "requires": ["uv.h"],                 headers; when one is missing the fixture is skipped (exit 77)
     "allow_errors": false}                true: parse errors ("partial"/"failed") do not fail the fixture

Expectations sit in the sources (.c and .h), on the line they are about, like clang -verify:

    fopen(path, "r");  // expect-finding: blocking/file-io {{fopen}}

    expect-finding(@LOC)?: RULE ([SEVERITY])? ({{message fragment}})?

  @+N / @-N      the line N lines below / above this one
  @FILE:LINE     line LINE of FILE (a path relative to the fixture directory)
  [SEVERITY]     the finding's severity must be exactly this (e.g. [note])
  {{fragment}}   must occur in the finding's message (or be its callee)

A finding that a loopcheck-ignore comment suppresses stays in the JSON report with
"suppressed": true; it is matched only by `expect-suppressed` expectations (same syntax; the
{{fragment}} may also come from the suppression's reason), and others only by `expect-finding`:

    sleep(1);  /* loopcheck-ignore(blocking/sleep): backoff */  // expect-suppressed: blocking/sleep {{backoff}}

Several expectations may share a line. Every finding must be expected and every expectation met,
counted as a multiset over (file, line, rule). Lines mentioning expect-finding that do not parse are
errors, so a typo cannot silently turn an expectation off.

The harness writes a compile_commands.json for the fixture into a temporary directory, runs
`loopcheck --format json --srcroot FIXTURE -p TMP ARGS...`, then the same with
`--format sarif -o TMP/out.sarif`, checks that the SARIF agrees with the JSON and, when
tests/harness/validate_sarif.py exists, that both reports are valid.

Exit codes: 0 pass, 1 mismatch (every problem printed), 2 bad fixture or usage, 77 skipped.
Set LOOPCHECK_TEST_NO_SKIP=1 to turn a skip into a failure (CI installs every dependency).

    run_fixture.py --loopcheck BIN FIXTURE_DIR [--keep] [--update-hint]
    run_fixture.py --write-compdb OUT_DIR FIXTURE_DIR    (only write OUT_DIR/compile_commands.json)
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_SKIP = 0, 1, 2, 77
TIMEOUT_SECONDS = 600  # sanitizer builds are slow; a hang still ends
FIXTURE_KEYS = {"flags", "sources", "variants", "args", "exit", "requires", "allow_errors"}
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "ThreadSanitizer", "MemorySanitizer")

# One expectation; findall() over a line may see several.
EXPECT_RE = re.compile(
    r"expect-(?P<what>finding|suppressed)"
    r"(?:@(?P<loc>[+-]\d+|[^\s:]+:\d+))?"
    r":[ \t]*(?P<rule>[a-z][a-z0-9-]*/[a-z0-9-]+)"
    r"(?:[ \t]*\[(?P<severity>[a-z]+)\])?"
    r"(?:[ \t]*\{\{(?P<fragment>.*?)\}\})?")


class FixtureError(Exception):
    """The fixture (or the harness invocation) is wrong, not loopcheck."""


class Skip(Exception):
    pass


Expectation = collections.namedtuple("Expectation", "file line rule severity fragment origin suppressed")
Finding = collections.namedtuple("Finding", "file line rule severity message callee raw suppressed")


def key(x):
    return (x.file, x.line, x.rule, x.suppressed)


# ---------------------------------------------------------------- fixture ---

def load_fixture(fixture_dir):
    """fixture.json with defaults filled in; `sources` as paths relative to the fixture."""
    cfg = {}
    path = os.path.join(fixture_dir, "fixture.json")
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as f:
                cfg = json.load(f)
        except (OSError, ValueError) as e:
            raise FixtureError(f"{path}: {e}")
        if not isinstance(cfg, dict):
            raise FixtureError(f"{path}: expected a JSON object")
        unknown = set(cfg) - FIXTURE_KEYS
        if unknown:
            raise FixtureError(f"{path}: unknown key(s) {sorted(unknown)}; known: {sorted(FIXTURE_KEYS)}")
    for name in ("flags", "args", "requires"):
        cfg.setdefault(name, [])
        if not isinstance(cfg[name], list) or not all(isinstance(s, str) for s in cfg[name]):
            raise FixtureError(f"{path}: '{name}' must be a list of strings")
    if "sources" not in cfg:
        cfg["sources"] = sorted(p for p in fixture_files(fixture_dir) if p.endswith(".c"))
    for src in cfg["sources"]:
        if not os.path.isfile(os.path.join(fixture_dir, src)):
            raise FixtureError(f"{path}: source '{src}' does not exist")
    if not cfg["sources"]:
        raise FixtureError(f"{fixture_dir}: no .c sources")
    cfg.setdefault("variants", {})
    variants = cfg["variants"]
    if not isinstance(variants, dict) or not all(
            src in cfg["sources"] and isinstance(v, list) and
            all(isinstance(f, list) and all(isinstance(a, str) for a in f) for f in v)
            for src, v in variants.items()):
        raise FixtureError(f"{path}: 'variants' must map sources to lists of flag lists")
    if "exit" in cfg and not isinstance(cfg["exit"], int):
        raise FixtureError(f"{path}: 'exit' must be an integer")
    cfg.setdefault("allow_errors", False)
    return cfg


def fixture_files(fixture_dir):
    """Every .c and .h file below the fixture, relative, sorted."""
    out = []
    for root, dirs, files in os.walk(fixture_dir):
        dirs.sort()
        for name in files:
            if name.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(root, name), fixture_dir))
    return sorted(out)


def parse_expectations(fixture_dir):
    expectations = []
    files = fixture_files(fixture_dir)
    for rel in files:
        with open(os.path.join(fixture_dir, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        for lineno, text in enumerate(lines, 1):
            found = list(EXPECT_RE.finditer(text))
            if text.count("expect-finding") + text.count("expect-suppressed") != len(found):
                raise FixtureError(f"{rel}:{lineno}: malformed expectation (want "
                                   "'expect-finding(@+N|@-N|@FILE:LINE)?: RULE [SEVERITY]? {{fragment}}?'): "
                                   f"{text.strip()}")
            for m in found:
                target_file, target_line = rel, lineno
                loc = m.group("loc")
                if loc and loc[0] in "+-":
                    target_line = lineno + int(loc)
                elif loc:
                    target_file, _, n = loc.rpartition(":")
                    target_file, target_line = os.path.normpath(target_file), int(n)
                    if target_file not in files:
                        raise FixtureError(f"{rel}:{lineno}: expectation names '{target_file}', "
                                           "which is not a .c/.h file of the fixture")
                if target_line < 1:
                    raise FixtureError(f"{rel}:{lineno}: expectation points before line 1")
                expectations.append(Expectation(target_file, target_line, m.group("rule"),
                                                m.group("severity"), m.group("fragment"),
                                                f"{rel}:{lineno}", m.group("what") == "suppressed"))
    return expectations


def missing_headers(fixture_dir, cfg):
    """Headers of `requires` the compiler cannot find with the fixture's flags."""
    missing = []
    cc = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    for header in cfg["requires"]:
        if cc:
            r = subprocess.run([cc, "-E", "-x", "c", "-", *cfg["flags"]], cwd=fixture_dir,
                               input=f"#include <{header}>\n", capture_output=True, text=True)
            found = r.returncode == 0
        else:
            dirs = [os.path.join(fixture_dir, f[2:]) for f in cfg["flags"] if f.startswith("-I")]
            dirs += ["/usr/local/include", "/usr/include"]
            found = any(os.path.exists(os.path.join(d, header)) for d in dirs)
        if not found:
            missing.append(header)
    return missing


def write_compdb(fixture_dir, cfg, out_dir):
    """Write OUT_DIR/compile_commands.json: one entry per source, "arguments" form."""
    os.makedirs(out_dir, exist_ok=True)
    entries = []
    for src in cfg["sources"]:
        path = os.path.join(fixture_dir, src)
        for extra in [[]] + cfg["variants"].get(src, []):
            entries.append({"directory": fixture_dir, "file": path,
                            "arguments": ["cc", "-c", path, *cfg["flags"], *extra]})
    with open(os.path.join(out_dir, "compile_commands.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=2)
        f.write("\n")


# ------------------------------------------------------------ running it ---

def run_loopcheck(cmd, problems):
    """Run one loopcheck command; returns the CompletedProcess, or None when it did not finish."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        problems.append(f"loopcheck did not finish within {TIMEOUT_SECONDS}s: {' '.join(cmd)}")
        return None
    except OSError as e:
        raise FixtureError(f"cannot run {cmd[0]}: {e}")
    if r.returncode < 0:
        why = f"was killed by signal {-r.returncode}"
    elif any(m in r.stderr for m in SANITIZER_MARKERS):
        why = f"reported a sanitizer error (exit {r.returncode})"
    elif r.returncode == EXIT_ERROR:
        why = f"exited {EXIT_ERROR} (error)"
    else:
        return r
    problems.append(f"loopcheck {why}: {' '.join(cmd)}")
    sys.stdout.write(f"--- stderr of loopcheck:\n{r.stderr}---\n")
    return None


def rel_to_fixture(path, fixture_dir):
    path = os.path.normpath(path)
    if os.path.isabs(path) and (path + os.sep).startswith(fixture_dir + os.sep):
        return os.path.relpath(path, fixture_dir)
    return path


def parse_json_report(text, fixture_dir, problems):
    """Findings and errors of a --format json report; shape problems appended to `problems`."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        head = "\n".join(text.splitlines()[:20])
        problems.append(f"output is not JSON ({e}); it starts with:\n{head}")
        return [], []
    if not isinstance(doc, dict) or not all(k in doc for k in ("version", "findings", "errors")):
        problems.append("JSON report lacks one of 'version', 'findings', 'errors'")
        return [], []
    findings = []
    for i, f in enumerate(doc["findings"]):
        try:
            loc = f["location"]
            finding = Finding(rel_to_fixture(loc["file"], fixture_dir), int(loc["line"]), f["rule"],
                              f["severity"], f["message"], f.get("callee"), f,
                              f.get("suppressed") is True)
            int(loc["column"])
            if not isinstance(f.get("chain"), list):
                raise KeyError("chain")
        except (KeyError, TypeError, ValueError) as e:
            problems.append(f"finding {i} is malformed (missing or bad {e}): {json.dumps(f)[:300]}")
            continue
        findings.append(finding)
    return findings, doc["errors"]


def matches(exp, finding):
    if exp.severity and exp.severity != finding.severity:
        return False
    if exp.fragment is None:
        return True
    reason = finding.raw.get("suppression_reason") if finding.suppressed else None
    return (exp.fragment in finding.message or exp.fragment == finding.callee
            or (isinstance(reason, str) and exp.fragment in reason))


def match(expectations, findings):
    """Maximum matching of expectations to findings (same file, line and rule; severity and fragment
    when given). Returns (missing expectations, unexpected findings)."""
    owner = {}  # finding index -> expectation index

    def augment(e, seen):
        for fi, f in enumerate(findings):
            if fi in seen or key(f) != key(expectations[e]) or not matches(expectations[e], f):
                continue
            seen.add(fi)
            if fi not in owner or augment(owner[fi], seen):
                owner[fi] = e
                return True
        return False

    matched = {e for e in range(len(expectations)) if augment(e, set())}
    missing = [x for i, x in enumerate(expectations) if i not in matched]
    unexpected = [f for i, f in enumerate(findings) if i not in owner]
    return missing, unexpected


def chain_text(finding):
    names = [s.get("function") for s in finding.raw.get("chain", []) if isinstance(s, dict)]
    names = [n for i, n in enumerate(names) if n and (i == 0 or n != names[i - 1])]
    if not names:
        return ""
    return " -> ".join(names + ([finding.callee] if finding.callee else []))


def sarif_locations(path, fixture_dir, problems):
    """(file, line, ruleId) of each SARIF result, for comparing with the JSON report."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        problems.append(f"SARIF output {path}: {e}")
        return None
    out = []
    try:
        for run in doc["runs"]:
            for res in run.get("results", []):
                phys = res["locations"][0]["physicalLocation"]
                uri = urllib.parse.unquote(phys["artifactLocation"]["uri"])
                if uri.startswith("file://"):
                    uri = uri[len("file://"):]
                out.append((rel_to_fixture(uri, fixture_dir), int(phys["region"]["startLine"]),
                            res["ruleId"]))
    except (KeyError, IndexError, TypeError, ValueError) as e:
        problems.append(f"SARIF output lacks {e} in a result")
        return None
    return out


def check_sarif(loopcheck, base_cmd, tmp, expected_exit, findings, fixture_dir, problems):
    out = os.path.join(tmp, "out.sarif")
    cmd = [loopcheck, "--format", "sarif", "-o", out, *base_cmd]
    r = run_loopcheck(cmd, problems)
    if r is None:
        return
    if r.returncode != expected_exit:
        problems.append(f"--format sarif: exit code {r.returncode}, expected {expected_exit}")
    if not os.path.isfile(out):
        problems.append(f"--format sarif -o {out} wrote no file")
        return
    got = sarif_locations(out, fixture_dir, problems)
    if got is not None:
        want = collections.Counter((f.file, f.line, f.rule) for f in findings)
        got = collections.Counter(got)
        for loc in sorted((want - got).elements()):
            problems.append("SARIF lacks the JSON finding %s:%d: %s" % loc)
        for loc in sorted((got - want).elements()):
            problems.append("SARIF has a result the JSON lacks: %s:%d: %s" % loc)
    validate(out, os.path.join(tmp, "out.json"), problems)


def validate(sarif, json_report, problems):
    """Check both reports with tests/harness/validate_sarif.py when it exists. Its exit code 3
    ("cannot validate": schema or jsonschema missing) is passed on loudly but fails nothing here:
    the SARIF tests own that failure."""
    validator = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_sarif.py")
    if not os.path.exists(validator):
        return
    cmd = [validator] if os.access(validator, os.X_OK) else [sys.executable, validator]
    cmd += [sarif] + (["--json", json_report] if os.path.exists(json_report) else [])
    v = subprocess.run(cmd, capture_output=True, text=True)
    if v.returncode == 3:
        sys.stdout.write(f"WARNING: reports not validated:\n{v.stdout}{v.stderr}")
    elif v.returncode != 0:
        problems.append(f"report is not valid:\n{v.stdout}{v.stderr}".rstrip())


def run(loopcheck, fixture_dir, keep=False, update_hint=False):
    fixture_dir = os.path.realpath(fixture_dir)
    name = os.path.basename(fixture_dir)
    cfg = load_fixture(fixture_dir)
    expectations = parse_expectations(fixture_dir)
    absent = missing_headers(fixture_dir, cfg)
    if absent:
        msg = f"fixture {name} needs <{'>, <'.join(absent)}>, not installed (scripts/setup-deps.sh installs it)"
        if os.environ.get("LOOPCHECK_TEST_NO_SKIP") == "1":
            raise FixtureError(msg + "; LOOPCHECK_TEST_NO_SKIP=1 forbids skipping")
        raise Skip(msg)
    expected_exit = cfg.get("exit", 1 if any(not e.suppressed for e in expectations) else 0)

    tmp = tempfile.mkdtemp(prefix=f"loopcheck-{name}-")
    try:
        write_compdb(fixture_dir, cfg, tmp)
        args = [a.replace("{fixture}", fixture_dir) for a in cfg["args"]]
        base_cmd = ["--srcroot", fixture_dir, "-p", tmp, *args]
        problems = []
        r = run_loopcheck([loopcheck, "--format", "json", *base_cmd], problems)
        findings, errors = [], []
        if r is not None:
            findings, errors = parse_json_report(r.stdout, fixture_dir, problems)
            with open(os.path.join(tmp, "out.json"), "w", encoding="utf-8") as f:
                f.write(r.stdout)
            if r.returncode != expected_exit:
                problems.append(f"exit code {r.returncode}, expected {expected_exit}")
        if not cfg["allow_errors"]:
            for e in errors:
                if isinstance(e, dict) and e.get("kind") in ("partial", "failed"):
                    problems.append(f"{e.get('kind')} parse: {e.get('file')}:{e.get('line')}: "
                                    f"{e.get('message')} (fixtures must compile)")
        missing, unexpected = match(expectations, findings)
        if r is not None:
            check_sarif(loopcheck, base_cmd, tmp, expected_exit, findings, fixture_dir, problems)

        for e in missing:
            extra = "".join([f" [{e.severity}]" if e.severity else "",
                             f" {{{{{e.fragment}}}}}" if e.fragment else ""])
            origin = "" if e.origin == f"{e.file}:{e.line}" else f" (expected at {e.origin})"
            what = " (suppressed)" if e.suppressed else ""
            print(f"{e.file}:{e.line}: missing: {e.rule}{what}{extra}{origin}")
            if update_hint:
                print(f"    hint: if loopcheck is right, delete the expectation at {e.origin}")
        for f in unexpected:
            what = " (suppressed)" if f.suppressed else ""
            print(f"{f.file}:{f.line}: unexpected: {f.rule}{what} [{f.severity}] {f.message}")
            chain = chain_text(f)
            if chain:
                print(f"    via {chain}")
            if update_hint:
                frag = f" {{{{{f.callee}}}}}" if f.callee else ""
                print(f"    hint: if loopcheck is right, add to {f.file}:{f.line}:  "
                      f"// expect-{'suppressed' if f.suppressed else 'finding'}: {f.rule}{frag}")
        for p in problems:
            print(f"{name}: {p}")
        ok = not (missing or unexpected or problems)
        print(f"{'PASS' if ok else 'FAIL'}: {name}: {len(findings)} finding(s), "
              f"{len(expectations)} expected, {len(missing)} missing, {len(unexpected)} unexpected"
              + (f", {len(problems)} other problem(s)" if problems else ""))
        return EXIT_PASS if ok else EXIT_FAIL
    finally:
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("fixture", metavar="FIXTURE_DIR")
    ap.add_argument("--loopcheck", metavar="BIN", default=os.environ.get("LOOPCHECK"),
                    help="the loopcheck binary (default: $LOOPCHECK)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--update-hint", action="store_true",
                    help="say which expectation to add or delete for each mismatch")
    ap.add_argument("--write-compdb", metavar="OUT_DIR",
                    help="only write OUT_DIR/compile_commands.json for the fixture")
    a = ap.parse_args(argv)
    try:
        if not os.path.isdir(a.fixture):
            raise FixtureError(f"{a.fixture}: not a directory")
        if a.write_compdb:
            fixture_dir = os.path.realpath(a.fixture)
            write_compdb(fixture_dir, load_fixture(fixture_dir), os.path.abspath(a.write_compdb))
            return EXIT_PASS
        if not a.loopcheck:
            raise FixtureError("no loopcheck binary: pass --loopcheck BIN or set LOOPCHECK")
        return run(a.loopcheck, a.fixture, a.keep, a.update_hint)
    except Skip as e:
        print(f"SKIP: {e}")
        return EXIT_SKIP
    except FixtureError as e:
        print(f"ERROR: {e}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
