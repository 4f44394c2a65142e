#!/usr/bin/env python3
"""End-to-end tests of the configuration file and the changed-files mode (issue 7).

- .loopcheck.json: a rule turned off, a severity changed, an allow-list, exclusions, the nesting
  limit, fail_on, a custom loop and blocking function, discovery (upwards, stopping at .git),
  --config, --no-config, --dump-config, command-line values winning over the file, and a bad
  file (exit 2, one line naming file:line:col and the key).
- Changed files: with -p, FILE arguments restrict the report to findings located in them or whose
  chain passes through them, while the whole compile database is analysed.

    e2e_config.py --loopcheck BIN [--fixtures DIR] [unittest args]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

LOOPCHECK = None
FIXTURES = None
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
HAVE_UV = os.path.exists("/usr/include/uv.h")

# b.c registers the timer callback; the blocking calls it reaches are in a.c and gen/gen.c;
# c.c is part of the program but on no chain. e.c has a custom loop (evq) that only the
# configuration declares.
SOURCES = {
    "app.h": """\
        void do_work(void);
        void gen_table(void);
        int unrelated(int x);
        """,
    "a.c": """\
        #include <pthread.h>
        #include <stdio.h>
        #include <unistd.h>

        #include "app.h"

        static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

        static void log_line(const char *s)
        {
        \t(void)s;
        \tusleep(10);
        }

        void do_work(void)
        {
        \tFILE *f = fopen("/etc/app.conf", "r");
        \t(void)f;
        \tpthread_mutex_lock(&mu);
        \tlog_line("done");
        \tgen_table();
        }
        """,
    "b.c": """\
        #include <uv.h>

        #include "app.h"

        static uv_timer_t timer;

        static void on_tick(uv_timer_t *t)
        {
        \t(void)t;
        \tdo_work();
        }

        int main(void)
        {
        \tuv_timer_init(uv_default_loop(), &timer);
        \tuv_timer_start(&timer, on_tick, 1000, 1000);
        \treturn uv_run(uv_default_loop(), UV_RUN_DEFAULT);
        }
        """,
    "c.c": """\
        #include "app.h"

        int unrelated(int x)
        {
        \treturn x + 1;
        }
        """,
    "gen/gen.c": """\
        #include <unistd.h>

        #include "../app.h"

        void gen_table(void)
        {
        \tsleep(1);
        }
        """,
    "e.c": """\
        typedef void (*evq_fn)(void *data);
        int evq_timer_add(unsigned ms, evq_fn fn, void *data);
        int store_get_sync(const char *key, char *out);

        static void on_evq_tick(void *data)
        {
        \tchar buf[64];
        \tstore_get_sync("counter", buf);
        \t(void)data;
        }

        void evq_setup(void)
        {
        \tevq_timer_add(1000, on_evq_tick, 0);
        }
        """,
}

FOPEN = ("a.c", 17, "blocking/file-io")
LOCK = ("a.c", 19, "blocking/lock")
USLEEP = ("a.c", 12, "blocking/sleep")
SLEEP = ("gen/gen.c", 7, "blocking/sleep")
STORE = ("e.c", 8, "blocking/database")
ALL_DEFAULT = {FOPEN, LOCK, USLEEP, SLEEP}

CUSTOM_LOOP = {
    "loops": [{"profile": "evq", "registrars": [
        {"function": "evq_timer_add", "callbacks": [{"arg": 1, "kind": "timer callback"}]}]}],
    "blocking": [{"function": "store_get_sync", "rule": "blocking/database",
                  "reason": "store_get_sync() waits for the storage server"}],
}


@unittest.skipUnless(HAVE_UV, "uv.h is not installed")
class Project(unittest.TestCase):
    """A small libuv program in a temporary repository: proj/{.git,build,a.c,...}."""

    def setUp(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="loopcheck-e2e-config-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.proj = os.path.join(self.tmp, "proj")
        os.makedirs(os.path.join(self.proj, ".git"))
        for rel, text in SOURCES.items():
            self.write(rel, textwrap.dedent(text))
        entries = [{"directory": self.proj, "file": os.path.join(self.proj, rel),
                    "arguments": ["cc", "-c", rel]}
                   for rel in sorted(SOURCES) if rel.endswith(".c")]
        self.write("build/compile_commands.json", json.dumps(entries, indent=1))

    def write(self, rel, text, base=None):
        path = os.path.join(base or self.proj, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def config(self, obj, rel=".loopcheck.json"):
        return self.write(rel, json.dumps(obj, indent=2) if not isinstance(obj, str) else obj)

    def lc(self, *args, cwd=None):
        r = subprocess.run([LOOPCHECK, *args], capture_output=True, text=True,
                           cwd=cwd or self.proj, timeout=600)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, r.stderr, f"loopcheck {' '.join(args)}:\n{r.stderr}")
        self.assertGreaterEqual(r.returncode, 0, f"killed by signal {-r.returncode}: {r.stderr}")
        return r

    def run_json(self, *args, cwd=None, exit_code=None):
        r = self.lc("--format", "json", "--srcroot", self.proj, "-p", "build", *args, cwd=cwd)
        what = f"loopcheck {' '.join(args)}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
        self.assertIn(r.returncode, (0, 1), what)
        if exit_code is not None:
            self.assertEqual(r.returncode, exit_code, what)
        report = json.loads(r.stdout)
        return report["findings"], r

    def found(self, findings):
        return {(f["location"]["file"], f["location"]["line"], f["rule"]) for f in findings}

    def assert_error(self, r, *names):
        what = f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}"
        self.assertEqual(r.returncode, 2, what)
        lines = r.stderr.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, f"want one stderr line, got:\n{r.stderr}")
        for name in names:
            self.assertIn(name, lines[0])
        return lines[0]

    # --- without a configuration -----------------------------------------------------------

    def test_no_config_reports_everything(self):
        findings, _ = self.run_json(exit_code=1)
        self.assertEqual(self.found(findings), ALL_DEFAULT)

    # --- rule settings ------------------------------------------------------------------------

    def test_rule_off(self):
        self.config({"rules": {"blocking/lock": "off"}})
        findings, _ = self.run_json()
        self.assertEqual(self.found(findings), ALL_DEFAULT - {LOCK})
        r = self.lc("--list-rules")
        self.assertEqual(r.returncode, 0, r.stderr)
        line = next(l for l in r.stdout.splitlines() if l.startswith("blocking/lock "))
        self.assertEqual(line.split()[1], "off")

    def test_family_glob_and_exact_id(self):
        self.config({"rules": {"blocking/*": "off", "blocking/file-io": "error"}})
        findings, _ = self.run_json()
        self.assertEqual(self.found(findings), {FOPEN})
        self.assertEqual(findings[0]["severity"], "error")

    def test_severity_override(self):
        self.config({"rules": {"blocking/file-io": "error", "blocking/sleep": "note"}})
        findings, _ = self.run_json()
        by_rule = {f["rule"]: f["severity"] for f in findings}
        self.assertEqual(by_rule["blocking/file-io"], "error")
        self.assertEqual(by_rule["blocking/sleep"], "note")
        self.assertEqual(by_rule["blocking/lock"], "note", "the catalogue's own severity stays")
        # SARIF's rule metadata agrees with the override.
        sarif = os.path.join(self.tmp, "out.sarif")
        r = self.lc("--format", "sarif", "-o", sarif, "-p", "build")
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(sarif) as f:
            run = json.load(f)["runs"][0]
        levels = {rule["id"]: rule.get("defaultConfiguration", {}).get("level")
                  for rule in run["tool"]["driver"]["rules"]}
        self.assertEqual(levels.get("blocking/file-io"), "error")
        self.assertEqual(levels.get("blocking/sleep"), "note")
        results = {res["ruleId"]: res["level"] for res in run["results"]}
        self.assertEqual(results["blocking/file-io"], "error")

    def test_fail_on(self):
        self.config({"fail_on": "error"})
        self.run_json(exit_code=0)
        self.run_json("--fail-on", "warning", exit_code=1)
        self.config({"fail_on": "error", "rules": {"blocking/lock": "error"}})
        self.run_json(exit_code=1)

    # --- allow, exclude ---------------------------------------------------------------------

    def test_allow_list(self):
        self.config({"allow": ["log_*"]})
        findings, _ = self.run_json()
        self.assertEqual(self.found(findings), ALL_DEFAULT - {USLEEP})

    def test_exclude(self):
        self.config({"exclude": ["gen/**"]})
        findings, _ = self.run_json()
        self.assertEqual(self.found(findings), ALL_DEFAULT - {SLEEP})
        # The excluded file is still parsed: excluding the file with the callback's
        # registration (b.c) must not lose the findings it leads to.
        self.config({"exclude": ["b.c"]})
        findings, _ = self.run_json()
        self.assertEqual(self.found(findings), ALL_DEFAULT)

    def test_exclude_is_relative_to_the_config_file(self):
        os.makedirs(os.path.join(self.proj, "sub"))
        self.config({"exclude": ["gen/*.c"]}, rel="sub/cfg.json")
        findings, _ = self.run_json("--config", "sub/cfg.json")
        self.assertEqual(self.found(findings), ALL_DEFAULT, "sub/gen/*.c matches nothing")
        self.config({"exclude": ["../gen/*.c"]}, rel="sub/cfg.json")
        findings, _ = self.run_json("--config", "sub/cfg.json")
        self.assertEqual(self.found(findings), ALL_DEFAULT - {SLEEP})

    # --- custom loop ------------------------------------------------------------------------

    def test_custom_loop_and_blocking_function(self):
        findings, _ = self.run_json()
        self.assertNotIn(STORE, self.found(findings))
        self.config(CUSTOM_LOOP)
        findings, _ = self.run_json()
        self.assertEqual(self.found(findings), ALL_DEFAULT | {STORE})
        store = next(f for f in findings if f["rule"] == "blocking/database")
        self.assertEqual(store["entry"]["callback"], "on_evq_tick")
        self.assertEqual(store["entry"]["profile"], "evq")
        r = self.lc("--list-profiles")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^evq\s")
        # --profile selects among built-in profiles and the file's loops.
        findings, _ = self.run_json("--profile", "evq")
        self.assertEqual(self.found(findings), {STORE})
        findings, _ = self.run_json("--profile", "libuv")
        self.assertEqual(self.found(findings), ALL_DEFAULT)

    # --- nesting limit ----------------------------------------------------------------------

    def test_nesting_limit_from_the_file(self):
        if not FIXTURES:
            self.skipTest("--fixtures not given")
        src = os.path.join(FIXTURES, "callback-nesting-limit")
        dst = os.path.join(self.tmp, "nesting")
        shutil.copytree(src, dst)
        os.makedirs(os.path.join(dst, ".git"))
        files = sorted(f for f in os.listdir(dst) if f.endswith(".c"))
        entries = [{"directory": dst, "file": os.path.join(dst, f), "arguments": ["cc", "-c", f]}
                   for f in files]
        self.write("build/compile_commands.json", json.dumps(entries), base=dst)

        def nesting(*args):
            r = self.lc("--format", "json", "-p", "build", *args, cwd=dst)
            self.assertIn(r.returncode, (0, 1), r.stderr)
            return [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "callback/nesting"]

        self.assertEqual(nesting(), [], "the default limit is 5")
        self.config({"nesting_limit": 2}, rel=os.path.join(dst, ".loopcheck.json"))
        found = nesting()
        self.assertEqual(len(found), 1)
        self.assertIn("exceeds the limit of 2", found[0]["message"])
        self.assertEqual(nesting("--nesting-limit", "5"), [], "the command line wins")

    # --- discovery --------------------------------------------------------------------------

    def test_discovered_from_a_subdirectory(self):
        self.config({"rules": {"blocking/lock": "off"}})
        sub = os.path.join(self.proj, "gen")
        r = self.lc("--format", "json", "--srcroot", self.proj, "-p", "../build", cwd=sub)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(self.found(json.loads(r.stdout)["findings"]), ALL_DEFAULT - {LOCK})

    def test_discovery_stops_at_the_repository_root(self):
        # A broken file above the repository is never read...
        self.config('{"nesting_limt": 3}', rel=os.path.join(self.tmp, ".loopcheck.json"))
        findings, _ = self.run_json(exit_code=1)
        self.assertEqual(self.found(findings), ALL_DEFAULT)
        # ...but it is once the repository marker is gone.
        os.rmdir(os.path.join(self.proj, ".git"))
        r = self.lc("-p", "build")
        self.assert_error(r, os.path.join(self.tmp, ".loopcheck.json") + ":1:2:",
                          'unknown key "nesting_limt" (did you mean "nesting_limit"?)')

    def test_no_config_and_explicit_config(self):
        self.config({"rules": {"blocking/lock": "off"}})
        findings, _ = self.run_json("--no-config")
        self.assertEqual(self.found(findings), ALL_DEFAULT)
        other = self.config({"rules": {"blocking/file-io": "off"}}, rel="other.json")
        findings, _ = self.run_json("--config", other)
        self.assertEqual(self.found(findings), ALL_DEFAULT - {FOPEN})
        r = self.lc("--config", "missing.json", "-p", "build")
        self.assert_error(r, "missing.json", "No such file or directory")

    def test_dump_config(self):
        path = self.config({"nesting_limit": 3, "rules": {"blocking/*": "note"},
                            "allow": ["log_*"], "exclude": ["gen/**"], **CUSTOM_LOOP})
        r = self.lc("--dump-config", "--hotspot-loop-depth", "4")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertEqual(d["config_file"], path)
        self.assertEqual(d["nesting_limit"], 3)
        self.assertEqual(d["hotspot_loop_depth"], 4, "the command line wins")
        self.assertEqual(d["rules"]["blocking/lock"], "note")
        self.assertEqual(d["rules"]["cpu/hotspot"], "warning")
        self.assertEqual(d["allow"], ["log_*"])
        self.assertEqual(d["exclude"], ["gen/**"])
        self.assertEqual(d["fail_on"], "warning")
        self.assertIn("libuv", d["profiles"])
        self.assertEqual([l["profile"] for l in d["loops"]], ["evq"])
        self.assertEqual(d["blocking"][0]["function"], "store_get_sync")
        # It is itself a valid configuration once "config_file" is taken out.
        del d["config_file"]
        again = self.config(d, rel="again.json")
        r2 = self.lc("--dump-config", "--config", again)
        self.assertEqual(r2.returncode, 0, r2.stderr)
        d2 = json.loads(r2.stdout)
        del d2["config_file"]
        d["hotspot_loop_depth"] = 4
        self.assertEqual(d2, d)

        r = self.lc("--dump-config", "--no-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertIsNone(d["config_file"])
        self.assertEqual(d["nesting_limit"], 5)
        self.assertEqual(d["hotspot_loop_depth"], 2)

    def test_bad_config(self):
        path = self.config('{\n  "rules": {"blocking/lock": "off"},\n  "nesting_limt": 3\n}\n')
        for args in (["-p", "build"], ["--dump-config"], ["--list-rules"]):
            r = self.lc(*args)
            line = self.assert_error(r, f"{path}:3:3:", '"nesting_limt"', '"nesting_limit"')
            self.assertTrue(line.startswith("loopcheck: error: "), line)
        self.config('{"loops": [{"profile": "evq", "registrars": [{"function": "f",\n'
                    '  "callbacks": [{"arg": 1, "context": "main"}]}]}]}')
        self.assert_error(self.lc("-p", "build"), f"{path}:2:39:", '"context"',
                          "loops[0].registrars[0].callbacks[0]")
        self.config('{"rules": {"blocking/lok": "off"}}')
        self.assert_error(self.lc("-p", "build"), f"{path}:1:12:", '"blocking/lok"',
                          '"blocking/lock"')

    # --- changed files ----------------------------------------------------------------------

    def test_changed_file_with_the_finding(self):
        # The three calls in a.c, and sleep() in gen/gen.c: do_work (a.c) calls gen_table.
        findings, _ = self.run_json("a.c", exit_code=1)
        self.assertEqual(self.found(findings), {FOPEN, LOCK, USLEEP, SLEEP})
        # A file only at the end of chains keeps only its own findings.
        findings, _ = self.run_json("gen/gen.c", exit_code=1)
        self.assertEqual(self.found(findings), {SLEEP})

    def test_changed_file_on_the_chain(self):
        # b.c has no blocking call, but every chain starts there.
        findings, _ = self.run_json("b.c", exit_code=1)
        self.assertEqual(self.found(findings), ALL_DEFAULT)

    def test_changed_file_elsewhere(self):
        findings, r = self.run_json("c.c", exit_code=0)
        self.assertEqual(findings, [])

    def test_changed_files_several_and_directories(self):
        findings, _ = self.run_json("c.c", "gen", exit_code=1)
        self.assertEqual(self.found(findings), {SLEEP})
        findings, _ = self.run_json("./gen/../gen/gen.c", exit_code=1)
        self.assertEqual(self.found(findings), {SLEEP})

    def test_changed_header_not_in_the_database(self):
        findings, _ = self.run_json("app.h", exit_code=0)
        self.assertEqual(findings, [])

    def test_changed_file_that_does_not_exist(self):
        r = self.lc("-p", "build", "a.c", "nope.c")
        self.assert_error(r, "nope.c", "No such file or directory")

    def test_changed_files_with_exclude_and_rules(self):
        self.config({"rules": {"blocking/lock": "off"}, "exclude": ["gen"]})
        findings, _ = self.run_json("b.c")
        self.assertEqual(self.found(findings), ALL_DEFAULT - {LOCK, SLEEP})


def main():
    global LOOPCHECK, FIXTURES
    ap = argparse.ArgumentParser()
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--fixtures")
    args, rest = ap.parse_known_args()
    LOOPCHECK = os.path.realpath(args.loopcheck)
    FIXTURES = os.path.realpath(args.fixtures) if args.fixtures else None
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
