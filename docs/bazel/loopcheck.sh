#!/bin/sh
# tools/loopcheck/loopcheck.sh: runs loopcheck ($LOOPCHECK, else from PATH) for loopcheck.bzl.
lc=${LOOPCHECK:-loopcheck}
if [ "$1" = extract-in-execroot ]; then
	# `extract-in-execroot SRC ARGS...`: Bazel's execution root (and its sandboxes) reach the
	# workspace through symbolic links, and libclang records the files a TU reads by their
	# real path; so the source is given by its real path and the summary's paths are made
	# relative to the workspace it lies in, as if extract ran there.
	src=$2
	shift 2
	real=$(realpath "$src") || exit 2
	root=${real%/"$src"}
	[ "$root" != "$real" ] || root=$PWD
	exec "$lc" extract --root "$root" "$real" "$@"
fi
exec "$lc" "$@"
