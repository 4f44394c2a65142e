#!/usr/bin/env python3
"""Benchmark loopcheck against the libclang parse floor and clang-tidy (issue 8).

Generates a synthetic but realistic project of N translation units (libuv, libevent and GLib
style servers: shared headers, per-module headers, callbacks registered with the loop, helpers
called across files, a few blocking calls) with a compile_commands.json, then measures on the
same TUs in one run:

  parse floor -j1 / -jN      tests/bench/parse_floor.c: parse each TU and dispose it, nothing else
  loopcheck cold -j1 / -jN   --no-cache
  loopcheck cold -jN         empty cache (parses and writes every entry)
  loopcheck warm -jN         nothing changed
  edit one .c                one source file gets a new function
  edit common header         the header every TU includes gets a new declaration
  touch common header        mtime only: entries are checked by content hash and refreshed
  clang-tidy                 --checks=-*,bugprone-signal-handler over the same database, one
                             process (as `clang-tidy -p build FILES`), and run-clang-tidy -j N

For each: wall seconds, ratio to the parse floor with the same thread count, CPU seconds, peak
RSS (ru_maxrss of the process tree from wait4: for run-clang-tidy the largest single process),
and for loopcheck how many TUs it parsed and took from the cache (--stats). It prints figures;
it never fails on time. Exit status is non-zero only when something could not run at all.

    bench.py --build BUILD [--sizes 50,200,1000] [--jobs N] [--workdir DIR] [--json OUT]
    bench.py --build BUILD --compdb PATH [--edit]   an existing project (edits only with --edit,
                                                    and the edited file is restored)
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- generator ---

def pkg_cflags(*pkgs):
    try:
        r = subprocess.run(["pkg-config", "--cflags", *pkgs], capture_output=True, text=True)
    except OSError:
        return None
    return r.stdout.split() if r.returncode == 0 else None


COMMON_H = """\
/* common.h - included by every translation unit of the synthetic project. */
#ifndef COMMON_H
#define COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

typedef void (*done_cb)(void *ctx, int status);

typedef struct request {
    int id;
    buffer in, out;
    done_cb done;
    void *ctx;
} request;

void buffer_init(buffer *b);
int buffer_append(buffer *b, const char *data, size_t len);
void buffer_free(buffer *b);
void log_msg(const char *fmt, ...);
uint32_t checksum32(const void *data, size_t len);
#endif
"""

PROTO_H = """\
#ifndef PROTO_H
#define PROTO_H
#include "common.h"
enum msg_kind { MSG_PING, MSG_GET, MSG_PUT, MSG_DEL, MSG_STATS, MSG_QUIT };
typedef struct message {
    enum msg_kind kind;
    char key[64];
    buffer value;
} message;
int proto_parse(const char *data, size_t len, message *out);
int proto_format(const message *m, buffer *out);
#endif
"""

STORE_H = """\
#ifndef STORE_H
#define STORE_H
#include "common.h"
typedef struct store store;
store *store_open(const char *path);
int store_get(store *s, const char *key, buffer *out);
int store_put(store *s, const char *key, const char *value, size_t len);
void store_flush(store *s);
#endif
"""


def module_header(m, units):
    decls = "\n".join(f"int unit{u}_process(request *r);\nvoid unit{u}_init(void *loop);"
                      for u in units)
    return f"""\
#ifndef MOD{m}_H
#define MOD{m}_H
#include "common.h"
#include "proto.h"
{decls}
#endif
"""


def unit_source(i, n, style, module, blocking):
    nxt = (i + 1) % n
    prev = (i - 1) % n
    block = {
        0: "FILE *f = fopen(\"/etc/hosts\", \"r\");\n    if (f) { char line[128]; while (fgets(line, sizeof line, f)) r->id++; fclose(f); }",
        1: "sleep(1);",
        2: "struct addrinfo *ai = NULL;\n    if (getaddrinfo(\"example.org\", \"80\", NULL, &ai) == 0) freeaddrinfo(ai);",
        3: "usleep(1000);",
    }[i % 4] if blocking else "r->id += 1;"
    extra_includes = "#include <unistd.h>\n#include <netdb.h>\n" if blocking else ""
    common = f"""\
#include "common.h"
#include "proto.h"
#include "store.h"
#include "mod{module}.h"
{extra_includes}
static int counter{i};

static int parse_header{i}(const char *data, size_t len, int *out)
{{
    int value = 0;
    for (size_t k = 0; k < len && data[k] != '\\n'; k++) {{
        if (data[k] >= '0' && data[k] <= '9')
            value = value * 10 + (data[k] - '0');
        else if (data[k] == ':')
            break;
    }}
    *out = value;
    return value > 0 ? 0 : -1;
}}

static void handle{i}(request *r)
{{
    int status = 0;
    message m;
    memset(&m, 0, sizeof m);
    if (proto_parse(r->in.data, r->in.len, &m) != 0) {{
        status = -EINVAL;
    }} else {{
        switch (m.kind) {{
        case MSG_PING: buffer_append(&r->out, "pong\\n", 5); break;
        case MSG_GET: status = unit{nxt}_process(r); break;
        case MSG_PUT: {{ {block} }} break;
        case MSG_DEL: status = unit{prev}_process(r); break;
        default: status = -ENOTSUP; break;
        }}
    }}
    counter{i}++;
    if (r->done)
        r->done(r->ctx, status);
}}

int unit{i}_process(request *r)
{{
    int len = 0;
    if (parse_header{i}(r->in.data, r->in.len, &len) != 0)
        return -1;
    for (int k = 0; k < len && k < 16; k++)
        r->id = (int)checksum32(r->in.data, r->in.len) + k;
    return r->id;
}}
"""
    if style == "uv":
        return common + f"""
#include <uv.h>

typedef struct conn{i} {{
    uv_tcp_t handle;
    uv_timer_t timer;
    request req;
}} conn{i};

static void on_close{i}(uv_handle_t *h) {{ free(h->data); }}

static void on_alloc{i}(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{{
    UNUSED(h);
    buf->base = malloc(suggested);
    buf->len = suggested;
}}

static void on_read{i}(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{{
    conn{i} *c = s->data;
    if (nread < 0) {{
        uv_close((uv_handle_t *)s, on_close{i});
    }} else {{
        buffer_append(&c->req.in, buf->base, (size_t)nread);
        handle{i}(&c->req);
    }}
    free(buf->base);
}}

static void on_timer{i}(uv_timer_t *t)
{{
    conn{i} *c = t->data;
    log_msg("unit {i}: %d requests", counter{i});
    handle{i}(&c->req);
}}

static void on_connection{i}(uv_stream_t *server, int status)
{{
    if (status < 0)
        return;
    conn{i} *c = calloc(1, sizeof *c);
    uv_tcp_init(server->loop, &c->handle);
    c->handle.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->handle) == 0)
        uv_read_start((uv_stream_t *)&c->handle, on_alloc{i}, on_read{i});
    uv_timer_init(server->loop, &c->timer);
    c->timer.data = c;
    uv_timer_start(&c->timer, on_timer{i}, 1000, 1000);
}}

void unit{i}_init(void *loop)
{{
    static uv_tcp_t server;
    struct sockaddr_in addr;
    uv_tcp_init(loop, &server);
    uv_ip4_addr("0.0.0.0", 7000 + {i}, &addr);
    uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
    uv_listen((uv_stream_t *)&server, 128, on_connection{i});
}}
"""
    if style == "event":
        return common + f"""
#include <event2/event.h>
#include <event2/bufferevent.h>
#include <event2/buffer.h>

static void on_read{i}(struct bufferevent *bev, void *arg)
{{
    request *r = arg;
    char chunk[512];
    size_t n;
    while ((n = bufferevent_read(bev, chunk, sizeof chunk)) > 0)
        buffer_append(&r->in, chunk, n);
    handle{i}(r);
}}

static void on_event{i}(struct bufferevent *bev, short what, void *arg)
{{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {{
        bufferevent_free(bev);
        free(arg);
    }}
}}

static void on_tick{i}(evutil_socket_t fd, short what, void *arg)
{{
    UNUSED(fd); UNUSED(what);
    handle{i}(arg);
}}

void unit{i}_init(void *loop)
{{
    struct event_base *base = loop;
    request *r = calloc(1, sizeof *r);
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, on_read{i}, NULL, on_event{i}, r);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    struct timeval tv = {{ 1, 0 }};
    struct event *ev = event_new(base, -1, EV_PERSIST, on_tick{i}, r);
    event_add(ev, &tv);
}}
"""
    gio = i % 8 == 3
    inc = "#include <gio/gio.h>\n" if gio else "#include <glib.h>\n"
    gio_part = f"""
static void on_incoming{i}(GObject *src, GAsyncResult *res, gpointer data)
{{
    GError *err = NULL;
    GSocketConnection *conn = g_socket_listener_accept_finish(G_SOCKET_LISTENER(src), res, NULL, &err);
    if (conn) {{
        handle{i}(data);
        g_object_unref(conn);
    }}
    g_clear_error(&err);
}}
""" if gio else ""
    gio_init = f"""
    GSocketListener *l = g_socket_listener_new();
    g_socket_listener_accept_async(l, NULL, on_incoming{i}, r);""" if gio else ""
    return common + inc + f"""
static gboolean on_timeout{i}(gpointer data)
{{
    handle{i}(data);
    return G_SOURCE_CONTINUE;
}}

static gboolean on_idle{i}(gpointer data)
{{
    request *r = data;
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "unit {i}: %d", r->id);
    log_msg("%s", s->str);
    g_string_free(s, TRUE);
    return G_SOURCE_REMOVE;
}}
{gio_part}
void unit{i}_init(void *loop)
{{
    UNUSED(loop);
    request *r = g_new0(request, 1);
    g_timeout_add(1000, on_timeout{i}, r);
    g_idle_add(on_idle{i}, r);{gio_init}
}}
"""


def generate(root, n):
    """Write a project of n TUs (plus main.c and a support file) under root."""
    if os.path.exists(root):
        shutil.rmtree(root)
    inc = os.path.join(root, "include")
    os.makedirs(inc)
    os.makedirs(os.path.join(root, "build"))
    for name, text in (("common.h", COMMON_H), ("proto.h", PROTO_H), ("store.h", STORE_H)):
        with open(os.path.join(inc, name), "w") as f:
            f.write(text)
    glib = pkg_cflags("glib-2.0", "gio-2.0")
    styles = ["uv", "uv", "event", "glib"] if glib else ["uv", "uv", "event", "event"]
    per_module = 10
    sources = []
    for m in range((n + per_module - 1) // per_module):
        units = list(range(m * per_module, min(n, (m + 1) * per_module)))
        mdir = os.path.join(root, "src", f"mod{m}")
        os.makedirs(mdir)
        with open(os.path.join(mdir, f"mod{m}.h"), "w") as f:
            f.write(module_header(m, units))
        for u in units:
            style = styles[u % 4]
            path = os.path.join(mdir, f"unit{u}.c")
            with open(path, "w") as f:
                f.write(unit_source(u, n, style, m, blocking=(u % 5 == 0)))
            sources.append((path, style, m))
    support = os.path.join(root, "src", "support.c")
    with open(support, "w") as f:
        f.write("""\
#include <stdarg.h>
#include "common.h"
#include "proto.h"
void buffer_init(buffer *b) { b->data = NULL; b->len = b->cap = 0; }
int buffer_append(buffer *b, const char *data, size_t len)
{
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + len) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) return -1;
        b->data = p; b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}
void buffer_free(buffer *b) { free(b->data); buffer_init(b); }
void log_msg(const char *fmt, ...)
{
    va_list ap; va_start(ap, fmt); vfprintf(stderr, fmt, ap); va_end(ap);
}
uint32_t checksum32(const void *data, size_t len)
{
    const unsigned char *p = data; uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) { h ^= p[i]; h *= 16777619u; }
    return h;
}
int proto_parse(const char *data, size_t len, message *out)
{
    if (len < 4) return -1;
    out->kind = (enum msg_kind)(data[0] % 6);
    return 0;
}
""")
    sources.append((support, "plain", None))
    main_c = os.path.join(root, "src", "main.c")
    with open(main_c, "w") as f:
        f.write('#include <uv.h>\n#include "common.h"\n')
        for m in range((n + per_module - 1) // per_module):
            f.write(f'#include "mod{m}.h"\n')
        f.write("int main(void)\n{\n    uv_loop_t *loop = uv_default_loop();\n")
        for u in range(n):
            f.write(f"    unit{u}_init(loop);\n")
        f.write("    return uv_run(loop, UV_RUN_DEFAULT);\n}\n")
    sources.append((main_c, "uv", None))

    build = os.path.join(root, "build")
    entries = []
    for path, style, m in sources:
        args = ["cc", "-c", "-O2", "-g", "-Wall", "-D_GNU_SOURCE", f"-I{inc}"]
        if m is not None:
            args.append(f"-I{os.path.join(root, 'src', f'mod{m}')}")
        else:
            args += [f"-I{os.path.join(root, 'src', f'mod{k}')}"
                     for k in range((n + per_module - 1) // per_module)] if path == main_c else []
        if style == "glib":
            args += glib
        rel = os.path.relpath(path, root)
        args += ["-o", os.path.join("obj", rel.replace("/", "_") + ".o"), path]
        entries.append({"directory": build, "file": path, "arguments": args})
    with open(os.path.join(build, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=1)
    return {"build": build, "one_c": sources[len(sources) // 2][0],
            "header": os.path.join(inc, "common.h"), "ntus": len(entries)}


# ---------------------------------------------------------------- measuring ---

def measure(cmd, cwd=None):
    """Run cmd; returns (wall seconds, CPU seconds, peak RSS MB, stdout, stderr, exit code)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024.0,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"), "rc": p.returncode}


STATS_RE = re.compile(r"stats: (\d+) TUs: (\d+) parsed, (\d+) from the cache")


def loopcheck_run(lc, build, jobs, cache, out_json, extra=()):
    cmd = [lc, "-p", build, "-j", str(jobs), "--format", "json", "--deterministic",
           "--exit-zero", "--stats", "-o", out_json]
    cmd += ["--no-cache"] if cache is None else ["--cache-dir", cache]
    r = measure(cmd + list(extra))
    m = STATS_RE.search(r["stderr"])
    if r["rc"] != 0 or not m:
        raise RuntimeError(f"loopcheck failed ({r['rc']}): {' '.join(cmd)}\n{r['stderr'][-2000:]}")
    r["parsed"], r["hits"] = int(m.group(2)), int(m.group(3))
    return r


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def bench_one(args, label, build, ntus, one_c=None, header=None, edit=True):
    lc, floor = args.loopcheck, args.parse_floor
    jobs = args.jobs
    work = tempfile.mkdtemp(prefix="lc-bench-", dir=args.workdir)
    cache = os.path.join(work, "cache")
    rows = []

    def row(name, r, ref=None, threads=None):
        r = dict(r)
        r["name"], r["ref"], r["threads"] = name, ref, threads
        for k in ("stdout", "stderr"):
            r.pop(k, None)
        rows.append(r)
        return r

    load = os.getloadavg()
    print(f"\n== {label}: {ntus} TUs, -j{jobs} (load average {load[0]:.2f}) ==", flush=True)
    measure([floor, "-j", str(jobs), build])  # warm the page cache, untimed
    fl1 = row("parse floor -j1", measure([floor, "-j", "1", build]), None, 1)
    flN = row(f"parse floor -j{jobs}", measure([floor, "-j", str(jobs), build]), None, jobs)
    out = lambda n: os.path.join(work, n + ".json")
    cold1 = row("loopcheck cold -j1 (--no-cache)",
                loopcheck_run(lc, build, 1, None, out("cold1")), fl1, 1)
    coldN_nc = row(f"loopcheck cold -j{jobs} (--no-cache)",
                   loopcheck_run(lc, build, jobs, None, out("coldN_nc")), flN, jobs)
    coldN = row(f"loopcheck cold -j{jobs} (empty cache)",
                loopcheck_run(lc, build, jobs, cache, out("coldN")), flN, jobs)
    warm = row(f"loopcheck warm -j{jobs} (nothing changed)",
               loopcheck_run(lc, build, jobs, cache, out("warm")), flN, jobs)
    same = all(open(out(a)).read() == open(out("cold1")).read()
               for a in ("coldN_nc", "coldN", "warm"))
    edits = {}
    if edit and one_c:
        append(one_c, "\nint bench_added_function(int x) { return x * 3; }\n")
        edits["c"] = row(f"loopcheck -j{jobs} after editing one .c",
                         loopcheck_run(lc, build, jobs, cache, out("edit_c")), flN, jobs)
    if edit and header:
        append(header, "\nint bench_added_declaration(int x);\n")
        edits["h"] = row(f"loopcheck -j{jobs} after editing common.h",
                         loopcheck_run(lc, build, jobs, cache, out("edit_h")), flN, jobs)
        now = time.time() - 10
        os.utime(header, (now, now))
        edits["t"] = row(f"loopcheck -j{jobs} after touching common.h (mtime only)",
                         loopcheck_run(lc, build, jobs, cache, out("touch_h")), flN, jobs)
    tidy = shutil.which(args.clang_tidy) if args.clang_tidy else None
    if tidy:
        with open(os.path.join(build, "compile_commands.json")) as f:
            files = [e["file"] if os.path.isabs(e["file"])
                     else os.path.join(e["directory"], e["file"]) for e in json.load(f)]
        row("clang-tidy bugprone-signal-handler (1 process)",
            measure([tidy, "-p", build, "--quiet", "--checks=-*,bugprone-signal-handler", *files]),
            fl1, 1)
        run_tidy = shutil.which("run-" + os.path.basename(tidy))
        if run_tidy:
            row(f"run-clang-tidy -j{jobs} bugprone-signal-handler",
                measure([run_tidy, "-p", build, "-j", str(jobs), "-quiet",
                         "-clang-tidy-binary", tidy, "-checks=-*,bugprone-signal-handler"]),
                flN, jobs)

    print(f"{'scenario':52} {'wall s':>8} {'x floor':>8} {'CPU s':>8} {'x floor':>8} "
          f"{'RSS MB':>7} {'parsed':>6} {'cached':>6}")
    for r in rows:
        ref = r.get("ref") or r
        r["x_floor_wall"] = r["wall"] / ref["wall"]
        r["x_floor_cpu"] = r["cpu"] / ref["cpu"] if ref["cpu"] else 0.0
        print(f"{r['name']:52} {r['wall']:8.2f} {r['x_floor_wall']:8.2f} {r['cpu']:8.2f} "
              f"{r['x_floor_cpu']:8.2f} {r['rss_mb']:7.1f} "
              f"{r.get('parsed', ''):>6} {r.get('hits', ''):>6}")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(on {os.cpu_count()} cores; other work on the machine inflates wall times)")
    print(f"speed-up -j1 -> -j{jobs}: floor {fl1['wall'] / flN['wall']:.2f}x, "
          f"loopcheck {cold1['wall'] / coldN_nc['wall']:.2f}x")
    print(f"warm = {100 * warm['wall'] / coldN['wall']:.1f}% of cold -j{jobs}")
    if "c" in edits:
        per_tu = flN["wall"] * jobs / ntus
        print(f"one .c edited = {100 * edits['c']['wall'] / coldN['wall']:.1f}% of cold "
              f"(target: 10% of cold + one TU's parse, ~{per_tu:.2f} s)")
    print(f"reports identical (-j1, -j{jobs}, cache cold, warm): {'yes' if same else 'NO'}")
    shutil.rmtree(work, ignore_errors=True)
    for r in rows:
        r.pop("ref", None)
    return {"label": label, "tus": ntus, "jobs": jobs, "rows": rows, "identical": same,
            "loadavg_end": list(os.getloadavg())}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"),
                    help="loopcheck build directory (holds loopcheck and parse-floor)")
    ap.add_argument("--loopcheck", help="loopcheck binary (default: BUILD/loopcheck)")
    ap.add_argument("--parse-floor", help="parse-floor binary (default: BUILD/parse-floor)")
    ap.add_argument("--sizes", default="50,200,1000", help="TU counts to generate")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--workdir", help="where projects are generated (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the generated projects")
    ap.add_argument("--compdb", help="benchmark an existing compile database instead")
    ap.add_argument("--edit", action="store_true",
                    help="with --compdb: also time an edited .c file (restored afterwards)")
    ap.add_argument("--clang-tidy", default="clang-tidy-14" if shutil.which("clang-tidy-14")
                    else "clang-tidy", help="clang-tidy binary; '' to skip")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    a = ap.parse_args(argv)
    a.loopcheck = os.path.abspath(a.loopcheck or os.path.join(a.build, "loopcheck"))
    a.parse_floor = os.path.abspath(a.parse_floor or os.path.join(a.build, "parse-floor"))
    for b in (a.loopcheck, a.parse_floor):
        if not os.access(b, os.X_OK):
            print(f"bench: {b} not found: build the project first", file=sys.stderr)
            return 2
    results = []
    if a.compdb:
        build = a.compdb if os.path.isdir(a.compdb) else os.path.dirname(a.compdb)
        with open(os.path.join(build, "compile_commands.json")) as f:
            db = json.load(f)
        one_c, saved = None, None
        if a.edit and db:
            e = db[len(db) // 2]
            one_c = e["file"] if os.path.isabs(e["file"]) else os.path.join(e["directory"], e["file"])
            with open(one_c, "rb") as f:
                saved = (f.read(), os.stat(one_c))
        try:
            results.append(bench_one(a, build, build, len(db), one_c, None, edit=a.edit))
        finally:
            if saved:
                with open(one_c, "wb") as f:
                    f.write(saved[0])
                os.utime(one_c, ns=(saved[1].st_atime_ns, saved[1].st_mtime_ns))
    else:
        top = a.workdir or tempfile.mkdtemp(prefix="lc-bench-projects-")
        os.makedirs(top, exist_ok=True)
        try:
            for n in [int(s) for s in a.sizes.split(",") if s.strip()]:
                info = generate(os.path.join(top, f"p{n}"), n)
                results.append(bench_one(a, f"synthetic {n}", info["build"], info["ntus"],
                                         info["one_c"], info["header"]))
        finally:
            if not a.keep and not a.workdir:
                shutil.rmtree(top, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
