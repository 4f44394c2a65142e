#!/usr/bin/python3
"""Validate loopcheck reports against their schemas.

    validate_sarif.py FILE.sarif... [--json FILE.json]...

SARIF files are checked against the official OASIS SARIF 2.1.0 schema
(draft-04) with Debian's python3-jsonschema (Draft4Validator plus a
FormatChecker; python3-rfc3987 makes it check "uri" and "uri-reference"),
then for what the schema cannot say: every result's ruleIndex names the rule
with its ruleId, and every "[text](id)" cited in a message has a related
location with that id.

JSON reports (--json, also spelled --json-schema-for-json) are checked
against docs/loopcheck-report.schema.json.

Schema locations:
  SARIF  $LOOPCHECK_SARIF_SCHEMA, else <repo>/../shared/sarif/sarif-schema-2.1.0.json
  JSON   $LOOPCHECK_JSON_SCHEMA, else <repo>/docs/loopcheck-report.schema.json
where <repo> is two directories above this script.

Exit status: 0 all valid, 1 something invalid (each error printed),
2 usage, 3 cannot validate (schema or jsonschema module not found).
"""

import argparse
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SARIF_SCHEMA_DEFAULT = os.path.join(REPO, "..", "shared", "sarif", "sarif-schema-2.1.0.json")
JSON_SCHEMA_DEFAULT = os.path.join(REPO, "docs", "loopcheck-report.schema.json")

EXIT_VALID, EXIT_INVALID, EXIT_USAGE, EXIT_CANNOT = 0, 1, 2, 3


def loud(msg):
    bar = "=" * 72
    sys.stderr.write("%s\n%s\n%s\n" % (bar, msg, bar))


def load_schema(env, default, what):
    path = os.environ.get(env) or default
    if not os.path.isfile(path):
        loud("%s SCHEMA NOT FOUND: set %s (looked for %s)" % (what, env, os.path.normpath(path)))
        sys.exit(EXIT_CANNOT)
    with open(path, encoding="utf-8") as f:
        return json.load(f), path


def load_document(path, errors):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        errors.append("%s: cannot read as JSON: %s" % (path, e))
        return None


def validator_for(schema, jsonschema):
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def schema_errors(path, doc, validator):
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append("%s: %s: %s" % (path, where, err.message))
    return out


LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\((\d+)\)")


def sarif_consistency(path, doc):
    """What the schema cannot check."""
    out = []
    for r_i, run in enumerate(doc.get("runs") or []):
        rules = ((run.get("tool") or {}).get("driver") or {}).get("rules") or []
        for i, res in enumerate(run.get("results") or []):
            where = "%s: runs/%d/results/%d" % (path, r_i, i)
            idx = res.get("ruleIndex")
            if idx is not None:
                if not 0 <= idx < len(rules):
                    out.append("%s: ruleIndex %d out of range (%d rules)" % (where, idx, len(rules)))
                elif rules[idx].get("id") != res.get("ruleId"):
                    out.append("%s: ruleIndex %d is rule %r, not ruleId %r"
                               % (where, idx, rules[idx].get("id"), res.get("ruleId")))
            ids = {loc.get("id") for loc in res.get("relatedLocations") or []}
            text = (res.get("message") or {}).get("text", "")
            for m in LINK.finditer(text):
                if int(m.group(1)) not in ids:
                    out.append("%s: message cites [..](%s) but no relatedLocation has that id"
                               % (where, m.group(1)))
            for loc in res.get("locations") or []:
                art = (loc.get("physicalLocation") or {}).get("artifactLocation") or {}
                uri = art.get("uri", "")
                if uri.startswith("/"):
                    out.append("%s: uri %r is an absolute path, not a URI" % (where, uri))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sarif", nargs="*", help="SARIF files to validate")
    ap.add_argument("--json", "--json-schema-for-json", dest="json", action="append",
                    default=[], metavar="FILE", help="a loopcheck JSON report to validate")
    args = ap.parse_args()
    if not args.sarif and not args.json:
        ap.print_usage(sys.stderr)
        return EXIT_USAGE

    try:
        import jsonschema
    except ImportError:
        loud("python3-jsonschema NOT INSTALLED: apt-get install python3-jsonschema "
             "python3-rfc3987 (running %s)" % sys.executable)
        return EXIT_CANNOT
    try:
        import rfc3987  # noqa: F401  (enables the "uri" format checks)
    except ImportError:
        sys.stderr.write("validate_sarif.py: warning: python3-rfc3987 missing, "
                         "URI formats are not checked\n")

    errors = []
    if args.sarif:
        schema, _ = load_schema("LOOPCHECK_SARIF_SCHEMA", SARIF_SCHEMA_DEFAULT, "SARIF")
        v = validator_for(schema, jsonschema)
        for path in args.sarif:
            doc = load_document(path, errors)
            if doc is not None:
                errors += schema_errors(path, doc, v)
                errors += sarif_consistency(path, doc)
    if args.json:
        schema, _ = load_schema("LOOPCHECK_JSON_SCHEMA", JSON_SCHEMA_DEFAULT, "LOOPCHECK JSON")
        v = validator_for(schema, jsonschema)
        for path in args.json:
            doc = load_document(path, errors)
            if doc is not None:
                errors += schema_errors(path, doc, v)

    for e in errors:
        print(e)
    if errors:
        print("%d error(s)" % len(errors), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_VALID


if __name__ == "__main__":
    sys.exit(main())
