"""loopcheck for Bazel (docs/scale.md): `loopcheck extract` per C source of every cc_* target, as
an aspect (the way bazel_clang_tidy runs clang-tidy), and `loopcheck link` per binary, as a rule.

    load("//tools/loopcheck:loopcheck.bzl", "loopcheck_report")

    cc_binary(name = "server", srcs = ["main.c"], deps = [":net"])
    loopcheck_report(name = "server_loopcheck", binary = ":server")  # server_loopcheck.sarif

    bazel build //app:server_loopcheck          # one SARIF per binary
    bazel build //... --aspects //tools/loopcheck:loopcheck.bzl%loopcheck_aspect \
        --output_groups=lcsum                   # every summary, e.g. to warm a remote cache

Summaries hold paths relative to the workspace and content hashes, no absolute path of the
machine (system headers aside): extract actions are hermetic and cacheable locally and remotely,
and a changed source re-runs the extract actions of that file only. `link` runs in the execution
root (`--root .`), where the same relative paths lead to the sources it reads suppression
comments from. `//tools/loopcheck:loopcheck` is
the loopcheck to run: by default a wrapper calling `loopcheck` from PATH (see BUILD.bazel).
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

LoopcheckInfo = provider(
    doc = "The summaries of a target and of its deps, and the files `link` reads suppression " +
          "comments from.",
    fields = {
        "summaries": "depset of .lcsum files",
        "sources": "depset of the C sources and headers",
    },
)

def _toolchain_flags(ctx):
    """The C compiler flags of the toolchain, with --copt and --conlyopt."""
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(ctx = ctx, cc_toolchain = cc_toolchain)
    variables = cc_common.create_compile_variables(
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.conlyopts,
    )
    return cc_common.get_memory_inefficient_command_line(
        feature_configuration = features,
        action_name = ACTION_NAMES.c_compile,
        variables = variables,
    )

# GCC flags of Bazel's default toolchain that libclang does not know (bazel_clang_tidy keeps the
# same kind of list): each would make every TU "parsed with 1 error".
_GCC_ONLY_FLAGS = ["-fno-canonical-system-headers", "-fstack-usage"]

def _extract(ctx, src, flags, cc):
    out = ctx.actions.declare_file("%s.lcsum/%s.lcsum" % (ctx.label.name, src.path.replace("/", "+")))
    args = ctx.actions.args()
    # loopcheck.sh: `extract --root WORKSPACE REAL_SRC`, see there.
    args.add_all(["extract-in-execroot", src, "-o", out, "--"])
    args.add_all(flags)
    args.add_all(cc.defines, before_each = "-D")
    args.add_all(cc.local_defines, before_each = "-D")
    args.add_all(cc.framework_includes, before_each = "-F")
    args.add_all(cc.includes, before_each = "-I")
    args.add_all(cc.quote_includes, before_each = "-iquote")
    args.add_all(cc.system_includes, before_each = "-isystem")
    ctx.actions.run(
        executable = ctx.executable._loopcheck,
        arguments = [args],
        inputs = depset([src], transitive = [cc.headers]),
        outputs = [out],
        mnemonic = "LoopcheckExtract",
        progress_message = "loopcheck extract %s" % src.short_path,
        use_default_shell_env = True,
    )
    return out

def _loopcheck_aspect_impl(target, ctx):
    if CcInfo not in target:
        return []
    cc = target[CcInfo].compilation_context
    flags = [f for f in _toolchain_flags(ctx) + getattr(ctx.rule.attr, "copts", [])
             if f not in _GCC_ONLY_FLAGS]
    srcs = [f for s in getattr(ctx.rule.attr, "srcs", []) for f in s.files.to_list() if f.extension == "c"]
    outs = [_extract(ctx, src, flags, cc) for src in srcs]
    deps = [d[LoopcheckInfo] for d in getattr(ctx.rule.attr, "deps", []) if LoopcheckInfo in d]
    summaries = depset(outs, transitive = [d.summaries for d in deps])
    return [
        LoopcheckInfo(
            summaries = summaries,
            sources = depset(srcs, transitive = [cc.headers] + [d.sources for d in deps]),
        ),
        OutputGroupInfo(lcsum = summaries),
    ]

loopcheck_aspect = aspect(
    implementation = _loopcheck_aspect_impl,
    attr_aspects = ["deps"],
    fragments = ["cpp"],
    attrs = {
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
        "_loopcheck": attr.label(
            default = Label("//tools/loopcheck:loopcheck"),
            executable = True,
            cfg = "exec",
        ),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
)

def _loopcheck_report_impl(ctx):
    info = ctx.attr.binary[LoopcheckInfo]
    out = ctx.actions.declare_file("%s.%s" % (ctx.label.name, ctx.attr.format))
    args = ctx.actions.args()
    args.add_all(["link", "--root", ".", "--srcroot", ".", "--format", ctx.attr.format,
                  "--exit-zero", "-o", out])
    inputs = [info.summaries, info.sources]
    if ctx.file.config:
        args.add("--config", ctx.file.config)
        inputs.append(depset([ctx.file.config]))
    else:
        args.add("--no-config")
    args.add_all(ctx.attr.options)
    # Thousands of summaries go through a file: --summaries-from=FILE.
    files = ctx.actions.args()
    files.use_param_file("--summaries-from=%s", use_always = True)
    files.set_param_file_format("multiline")
    files.add_all(info.summaries)
    ctx.actions.run(
        executable = ctx.executable._loopcheck,
        arguments = [args, files],
        inputs = depset(transitive = inputs),
        outputs = [out],
        mnemonic = "LoopcheckLink",
        progress_message = "loopcheck link %s" % ctx.attr.binary.label,
        use_default_shell_env = True,
    )
    return [DefaultInfo(files = depset([out]))]

loopcheck_report = rule(
    implementation = _loopcheck_report_impl,
    doc = "The loopcheck report of one binary: `link` of the summaries of its sources and deps.",
    attrs = {
        "binary": attr.label(mandatory = True, aspects = [loopcheck_aspect], providers = [CcInfo]),
        "format": attr.string(default = "sarif", values = ["sarif", "json", "text", "codequality"]),
        "config": attr.label(allow_single_file = True, doc = "a .loopcheck.json (default: none)"),
        "options": attr.string_list(doc = "more `loopcheck link` options"),
        "_loopcheck": attr.label(
            default = Label("//tools/loopcheck:loopcheck"),
            executable = True,
            cfg = "exec",
        ),
    },
)
