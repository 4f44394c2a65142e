#!/usr/bin/env python3
"""Show that loopcheck's fingerprints survive unrelated edits and follow renames.

For each fixture given, on a copy of it in a temporary directory:

1. Analyse it (--format json and --format sarif) and note each finding's fingerprint with its
   rule, enclosing function, callee, entry callback and line.
2. Insert blank lines and a comment at the top of every .c/.h file and above every finding's
   line, analyse again: every finding must be back on a different line with the same
   fingerprint (the same multiset of fingerprints, the same rule/function/callee/entry for
   each), and SARIF's partialFingerprints must carry the same values.
3. Rename the enclosing function of one finding (everywhere in the copy) and analyse again: the
   findings in that function must get fingerprints that did not exist before, all the others
   must keep theirs.

    fingerprint_stability.py --loopcheck BIN FIXTURE_DIR...

Exit codes: 0 pass, 1 failure (each printed), 2 usage or bad fixture, 77 skipped (a header the
fixture requires is missing; LOOPCHECK_TEST_NO_SKIP=1 makes that an error).
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_fixture  # noqa: E402

EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_SKIP = 0, 1, 2, 77
INSERTED_TOP = "\n\n/* Lines inserted above everything by fingerprint_stability.py. */\n\n"
INSERTED_ABOVE = "\n/* Inserted above a finding by fingerprint_stability.py. */\n\n"

Item = collections.namedtuple("Item", "fingerprint rule function callee callback file line")


class Failure(Exception):
    pass


def analyse(loopcheck, copy, cfg, tmp):
    """Findings of the copy (JSON), checked against the SARIF report's partialFingerprints."""
    run_fixture.write_compdb(copy, cfg, tmp)
    args = [x.replace("{fixture}", copy) for x in cfg["args"]]  # as run_fixture.py does
    base = ["--deterministic", "--srcroot", copy, "-p", tmp, *args]
    items = []
    r = subprocess.run([loopcheck, "--format", "json", *base], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise Failure(f"loopcheck exited {r.returncode}:\n{r.stderr}")
    for f in json.loads(r.stdout)["findings"]:
        items.append(Item(f["fingerprint"], f["rule"], f["function"], f["callee"],
                          f["entry"]["callback"], f["location"]["file"], f["location"]["line"]))
    r = subprocess.run([loopcheck, "--format", "sarif", *base], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise Failure(f"loopcheck --format sarif exited {r.returncode}:\n{r.stderr}")
    sarif = [res.get("partialFingerprints", {}).get("loopcheck/v1")
             for run in json.loads(r.stdout)["runs"] for res in run.get("results", [])]
    if sorted(sarif, key=str) != sorted(i.fingerprint for i in items):
        raise Failure(f"SARIF partialFingerprints {sarif} differ from the JSON fingerprints "
                      f"{[i.fingerprint for i in items]}")
    return items


def identity(i):
    return (i.fingerprint, i.rule, i.function, i.callee, i.callback)


def insert_lines(copy, items):
    by_file = collections.defaultdict(set)
    for i in items:
        by_file[i.file].add(i.line)
    for rel in run_fixture.fixture_files(copy):
        path = os.path.join(copy, rel)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for line in sorted(by_file.get(rel, ()), reverse=True):
            lines.insert(line - 1, INSERTED_ABOVE)
        with open(path, "w", encoding="utf-8") as f:
            f.write(INSERTED_TOP + "\n".join(lines))


def rename(copy, old, new):
    word = re.compile(r"\b%s\b" % re.escape(old))
    n = 0
    for rel in run_fixture.fixture_files(copy):
        path = os.path.join(copy, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text, k = word.subn(new, text)
        n += k
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return n


def check_fixture(loopcheck, fixture_dir):
    name = os.path.basename(fixture_dir)
    cfg = run_fixture.load_fixture(fixture_dir)
    absent = run_fixture.missing_headers(fixture_dir, cfg)
    if absent:
        msg = f"{name} needs <{'>, <'.join(absent)}>, not installed"
        if os.environ.get("LOOPCHECK_TEST_NO_SKIP") == "1":
            raise run_fixture.FixtureError(msg + "; LOOPCHECK_TEST_NO_SKIP=1 forbids skipping")
        raise run_fixture.Skip(msg)
    work = tempfile.mkdtemp(prefix=f"loopcheck-fp-{name}-")
    try:
        copy = os.path.join(work, name)
        shutil.copytree(fixture_dir, copy)
        tmp = os.path.join(work, "db")
        before = analyse(loopcheck, copy, cfg, tmp)
        if not before:
            raise run_fixture.FixtureError(f"{name} has no findings: nothing to fingerprint")
        if len({i.fingerprint for i in before}) != len(before):
            raise Failure(f"two findings share a fingerprint: {before}")

        # 2. Lines inserted above: same fingerprints, same identities, other lines.
        insert_lines(copy, before)
        after = analyse(loopcheck, copy, cfg, tmp)
        want = sorted(identity(i) for i in before)
        got = sorted(identity(i) for i in after)
        if want != got:
            lost = sorted(set(want) - set(got))
            new = sorted(set(got) - set(want))
            raise Failure("fingerprints changed when lines were inserted:\n"
                          f"  gone: {lost}\n  new:  {new}")
        old_line = {i.fingerprint: (i.file, i.line) for i in before}
        unmoved = [i for i in after if old_line[i.fingerprint] == (i.file, i.line)]
        if unmoved:
            raise Failure(f"the inserted lines did not move these findings: {unmoved}")
        print(f"{name}: {len(after)} fingerprints unchanged with every finding moved "
              f"(e.g. {before[0].file}:{before[0].line} -> {after[0].file}:{after[0].line})")

        # 3. Renamed enclosing function: its findings get new fingerprints, the others keep theirs.
        victim = next((i.function for i in after if i.function not in ("main", i.callback)),
                      after[0].function)
        if not rename(copy, victim, victim + "_renamed"):
            raise Failure(f"could not rename {victim}")
        renamed = analyse(loopcheck, copy, cfg, tmp)
        old = {i.fingerprint for i in after}
        for i in renamed:
            moved = i.function == victim + "_renamed" or i.callback == victim + "_renamed"
            if moved and i.fingerprint in old:
                raise Failure(f"renaming {victim} kept the fingerprint of {i}")
            if not moved and i.fingerprint not in old:
                raise Failure(f"renaming {victim} changed the fingerprint of {i}")
        if not any(i.function == victim + "_renamed" for i in renamed):
            raise Failure(f"no finding is in {victim}_renamed after the rename: {renamed}")
        if len(renamed) != len(after):
            raise Failure(f"renaming {victim} changed the number of findings: {renamed}")
        print(f"{name}: renaming {victim} changed exactly its findings' fingerprints")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("fixtures", nargs="+", metavar="FIXTURE_DIR")
    ap.add_argument("--loopcheck", metavar="BIN", default=os.environ.get("LOOPCHECK"))
    a = ap.parse_args(argv)
    if not a.loopcheck:
        print("ERROR: no loopcheck binary: pass --loopcheck BIN or set LOOPCHECK")
        return EXIT_ERROR
    status, skipped = EXIT_PASS, 0
    for arg in a.fixtures:
        fixture_dir = os.path.realpath(arg)
        try:
            check_fixture(os.path.abspath(a.loopcheck), fixture_dir)
        except run_fixture.Skip as e:
            print(f"SKIP: {e}")
            skipped += 1
        except run_fixture.FixtureError as e:
            print(f"ERROR: {e}")
            status = EXIT_ERROR
        except Failure as e:
            print(f"FAIL: {os.path.basename(fixture_dir)}: {e}")
            status = max(status, EXIT_FAIL) if status != EXIT_ERROR else status
    if status == EXIT_PASS and skipped == len(a.fixtures):
        return EXIT_SKIP
    if status == EXIT_PASS:
        print("PASS: fingerprints are independent of line numbers")
    return status


if __name__ == "__main__":
    sys.exit(main())
