#!/usr/bin/env python3
"""Figures for extract and link as separate steps (issue 10, docs/scale.md).

For each size N, generates the synthetic project of tests/bench/bench.py (libuv, libevent and
GLib style TUs with shared and per-module headers, callbacks, cross-file helpers, a few blocking
calls; N units plus main.c and support.c), then measures:

  extract       `loopcheck extract -p BUILD --root ROOT -j J -o SUMS`: every TU parsed for real,
                one .lcsum per TU
  sizes         bytes per summary: mean, median, 90th percentile, largest, total; and the mean
                per TU style (GLib TUs carry GLib's static inline functions)
  link          `loopcheck link --root ROOT --format sarif -o OUT SUMS` (wall seconds, peak RSS,
                and its --stats split: read, link, solve, report)
  merge         `link --merge -o ALL.lcsum SUMS`, then `link` of that one file
  one-shot      with --check-one-shot: `loopcheck --no-cache -p BUILD` with the same report
                options, and whether its SARIF is byte-identical to link's

It prints figures; it never fails on time.

    scale_bench.py --loopcheck BIN [--sizes 1000,10000] [--jobs J] [--workdir DIR]
                   [--check-one-shot] [--json OUT]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the synthetic project generator)


def run(cmd, cwd=None):
    """(wall seconds, peak RSS MB, exit status, stderr) of one command."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    return wall, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), err


def style_of(name):
    """The generator's style of unitN (styles cycle uv, uv, event, glib)."""
    m = re.search(r"unit(\d+)\.c", name)
    if not m:
        return "other"
    return ("uv", "uv", "event", "glib")[int(m.group(1)) % 4]


def one_size(args, n):
    root = os.path.join(args.workdir, f"p{n}")
    t0 = time.monotonic()
    info = bench.generate(root, n)
    gen = time.monotonic() - t0
    build, sums = info["build"], os.path.join(root, "sums")
    lc = args.loopcheck
    fig = {"tus": info["ntus"], "generate_s": round(gen, 2)}

    wall, rss, rc, err = run([lc, "extract", "-p", build, "--root", root, "-j", str(args.jobs),
                              "-o", sums])
    if rc != 0:
        sys.exit(f"extract failed ({rc}): {err}")
    fig.update(extract_s=round(wall, 2), extract_rss_mb=round(rss, 1))

    sizes = {f: os.path.getsize(os.path.join(sums, f)) for f in os.listdir(sums)}
    v = sorted(sizes.values())
    fig["summary_bytes"] = {
        "mean": round(statistics.mean(v)), "median": round(statistics.median(v)),
        "p90": v[int(0.9 * (len(v) - 1))], "max": v[-1], "total": sum(v),
        "by_style": {s: round(statistics.mean([b for f, b in sizes.items() if style_of(f) == s]))
                     for s in ("uv", "event", "glib")
                     if any(style_of(f) == s for f in sizes)},
    }

    report = ["--format", "sarif", "--srcroot", root, "--deterministic", "--exit-zero"]
    out_link = os.path.join(root, "link.sarif")
    best = None
    for _ in range(args.repeat):
        wall, rss, rc, err = run([lc, "link", "--root", root, *report, "--stats", "-o",
                                  out_link, sums])
        if rc != 0:
            sys.exit(f"link failed ({rc}): {err}")
        if best is None or wall < best[0]:
            best = (wall, rss, err)
    split = dict(re.findall(r"^\s+(read|link|solve|report|total)\s+([\d.]+) s", best[2], re.M))
    fig["link"] = {"wall_s": round(best[0], 3), "rss_mb": round(best[1], 1),
                   **{k + "_s": float(x) for k, x in split.items()}}

    merged = os.path.join(root, "all.lcsum")
    wall, rss, rc, err = run([lc, "link", "--merge", "-o", merged, sums])
    if rc != 0:
        sys.exit(f"merge failed ({rc}): {err}")
    fig["merge"] = {"wall_s": round(wall, 3), "rss_mb": round(rss, 1),
                    "bytes": os.path.getsize(merged)}
    out_merged = os.path.join(root, "merged.sarif")
    wall, rss, rc, err = run([lc, "link", "--root", root, *report, "-o", out_merged, merged])
    fig["link_merged"] = {"wall_s": round(wall, 3), "rss_mb": round(rss, 1),
                          "identical": open(out_merged, "rb").read() == open(out_link, "rb").read()}

    if args.check_one_shot:
        out_one = os.path.join(root, "one.sarif")
        wall, rss, rc, err = run([lc, "--no-cache", "-j", str(args.jobs), "-p", build, *report,
                                  "-o", out_one])
        fig["one_shot"] = {"wall_s": round(wall, 2), "rss_mb": round(rss, 1),
                           "identical": open(out_one, "rb").read() == open(out_link, "rb").read()}
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--loopcheck", required=True)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3, help="link runs; the fastest is reported")
    ap.add_argument("--workdir", help="where projects are generated (default: a temp dir)")
    ap.add_argument("--check-one-shot", action="store_true")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    args = ap.parse_args()
    args.loopcheck = os.path.realpath(args.loopcheck)
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="lc-scale-bench-")
    figures = {}
    for n in (int(x) for x in args.sizes.split(",")):
        fig = figures[n] = one_size(args, n)
        s, link, merge = fig["summary_bytes"], fig["link"], fig["merge"]
        print(f"{fig['tus']} TUs: extract -j{args.jobs} {fig['extract_s']} s; summary bytes per TU "
              f"mean {s['mean']}, median {s['median']}, p90 {s['p90']}, max {s['max']} "
              f"(by style {s['by_style']}), total {s['total']}")
        print(f"  link {link['wall_s']} s ({link}), peak RSS {link['rss_mb']} MB")
        print(f"  merge {merge['wall_s']} s -> {merge['bytes']} bytes; link of it "
              f"{fig['link_merged']['wall_s']} s, identical {fig['link_merged']['identical']}")
        if "one_shot" in fig:
            print(f"  one-shot {fig['one_shot']}")
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
