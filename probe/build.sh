#!/usr/bin/env bash
# Builds the probe: vmlinux.h from the running kernel's BTF -> probe.bpf.o (clang, CO-RE) ->
# a libbpf skeleton embedding it -> the node-addon-api addon (node-gyp bundled with npm, headers
# from /usr/include/node, shared libbpf). `npm run build:probe`; scripts/setup-debian runs it.
# Outputs stay in probe/build/ (never committed).
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "build:probe: $*" >&2; exit 1; }

[ "$(uname -m)" = x86_64 ] || fail "only x86_64 is supported (syscall table in probe/syscalls.ts)"
command -v clang >/dev/null || fail "clang not found: apt-get install clang llvm (see scripts/setup-debian)"
BPFTOOL=$(command -v bpftool || true)
[ -n "$BPFTOOL" ] || { [ -x /usr/sbin/bpftool ] && BPFTOOL=/usr/sbin/bpftool; } || true
[ -n "$BPFTOOL" ] || fail "bpftool not found: apt-get install bpftool"
[ -f /usr/include/bpf/libbpf.h ] || fail "libbpf headers not found: apt-get install libbpf-dev"
[ -r /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux is not readable: the kernel needs CONFIG_DEBUG_INFO_BTF=y"
NODEDIR=/usr
[ -f "$NODEDIR/include/node/node_api.h" ] || fail "Node headers not found in /usr/include/node: apt-get install nodejs (Debian) or libnode-dev"
NPM_DIR=$(dirname "$(readlink -f "$(command -v npm)")")/..
NODE_GYP="$NPM_DIR/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || fail "node-gyp (bundled with npm) not found at $NODE_GYP"

node "$NODE_GYP" configure --nodedir="$NODEDIR" --loglevel=warn >/dev/null

mkdir -p build/bpf
"$BPFTOOL" btf dump file /sys/kernel/btf/vmlinux format c > build/bpf/vmlinux.h
clang -g -O2 -Wall -Wno-unused-function -target bpf -D__TARGET_ARCH_x86 \
  -Ibuild/bpf -Ibpf -c bpf/probe.bpf.c -o build/bpf/probe.bpf.o
"$BPFTOOL" gen skeleton build/bpf/probe.bpf.o name saker_probe > build/bpf/probe.skel.h

node "$NODE_GYP" build -j 1 --loglevel=warn >/dev/null
cc -O2 -o build/syscall-loop addon/syscall-loop.c
echo "build:probe: built probe/build/Release/saker_probe.node"
