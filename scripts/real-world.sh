#!/usr/bin/env bash
# Run loopcheck on real event-loop programs from Debian's source packages: the held-out set
# beyond the fixtures. Prints, per project, the number of TUs, the time, the peak RSS and the
# findings per rule, and keeps each report (text and JSON) under the work directory for reading.
# It fetches and builds third-party code, so it is not part of the test suite (nothing here is
# committed): run it by hand after changing the analysis, and read what changed.
#
#   scripts/real-world.sh [WORKDIR] [PROJECT...]     (default WORKDIR: build/real-world)
#
# Projects: hddemux (libuv), memcached (libevent), tmux (libevent), bitlbee (GLib), redis (ae).
# Needs deb-src entries in the apt sources (see docs/performance.md) and root or sudo for build
# dependencies.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-$here/build/real-world}
shift || true
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(hddemux memcached tmux bitlbee redis)
loopcheck=$here/build/loopcheck
[ -x "$loopcheck" ] || { echo "build loopcheck first (scripts/example.sh)" >&2; exit 2; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get install -y -qq bear dpkg-dev time >/dev/null

mkdir -p "$work"
cd "$work"

# Unpack the upstream tarball even when the Debian part of the source package is missing.
fetch() {
	local pkg=$1
	if ! ls -d "$pkg"-*/ >/dev/null 2>&1; then
		apt-get source -qq --download-only "$pkg" >/dev/null 2>&1 || true
		local tarball
		tarball=$(ls "${pkg}"_*.orig.tar.* 2>/dev/null | head -n 1)
		[ -n "$tarball" ] || { echo "$pkg: no source package (add deb-src entries)" >&2; return 1; }
		tar xf "$tarball"
	fi
	ls -d "$pkg"-*/ | head -n 1
}

build() {
	local pkg=$1 dir=$2
	[ -f "$dir/compile_commands.json" ] && return 0
	$sudo apt-get build-dep -y -qq "$pkg" >/dev/null 2>&1 || true
	(
		cd "$dir"
		if [ -x configure ]; then ./configure >/dev/null 2>&1 || true
		elif [ -x autogen.sh ]; then (./autogen.sh && ./configure) >/dev/null 2>&1 || true
		fi
		bear -- make -k -j"$(nproc)" >/dev/null 2>&1 || true
	)
	[ -f "$dir/compile_commands.json" ]
}

printf '%-12s %5s %8s %8s  %s\n' project TUs seconds "RSS MB" "findings by rule"
for pkg in "${projects[@]}"; do
	dir=$(fetch "$pkg") || continue
	build "$pkg" "$dir" || { echo "$pkg: build produced no compile database" >&2; continue; }
	tus=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/compile_commands.json")
	start=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$pkg.rss" "$loopcheck" --no-cache -p "$dir" --srcroot "$dir" \
		--format json -o "$pkg.json" || true
	end=$(date +%s.%N)
	"$loopcheck" --no-cache -p "$dir" --srcroot "$dir" --color never -o "$pkg.txt" || true
	rules=$(python3 -c '
import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter(f["rule"] for f in d["findings"])
print(", ".join(f"{r} {n}" for r, n in sorted(c.items())) or "none")' "$pkg.json")
	printf '%-12s %5s %8.1f %8d  %s\n' "$pkg" "$tus" "$(python3 -c "print($end - $start)")" \
		"$(( $(tail -n 1 "$pkg.rss") / 1024 ))" "$rules"
done
echo "reports: $work/<project>.txt and .json"
