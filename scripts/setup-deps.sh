#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the example need,
# and only those that are missing: runs nothing (not even apt-get update)
# when everything is there. apt-get as root, through sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake pkg-config         # the build
  libclang-dev llvm-dev clang libclang-rt-dev  # libclang (14 on Debian 12), llvm-config; libFuzzer
  libcjson-dev libcriterion-dev            # JSON; unit tests
  libuv1-dev libevent-dev libev-dev libglib2.0-dev  # event loops the fixtures include
  python3 python3-jsonschema python3-rfc3987        # test harness, SARIF validation
  valgrind                                          # valgrind/memcheck test (issue 9)
  git pre-commit                                    # the pre-commit hook test (tests/e2e_adoption.py)
  ninja-build                                       # the ninja-gen flow (tests/e2e_scale.py, issue 10)
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup-deps: no dpkg-query, so not Debian: install the equivalents of" \
       "${packages[*]} and Node.js's node_api.h yourself" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
    missing+=("$p")
  fi
done
# node_api.h (example-server fixture): any Node.js installation that provides it will do.
if [ ! -f /usr/include/node/node_api.h ]; then
  missing+=(libnode-dev)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all dependencies are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup-deps: need root to install ${missing[*]}, and there is no sudo" >&2
  exit 1
fi

echo "setup-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
