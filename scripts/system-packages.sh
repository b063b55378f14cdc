#!/usr/bin/env bash
# Check and install the Debian packages listed in packages-debian.txt, by what the build needs
# from each (a program, a LaTeX file, a file), not by whether some other tool happens to exist.
#
#   scripts/system-packages.sh check     list the packages whose probes fail; exit 1 if any
#   scripts/system-packages.sh install   install them (root with apt-get), else name them, exit 1
#
# SELCOMP_PACKAGES=<file> reads another list (used by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
list=${SELCOMP_PACKAGES:-packages-debian.txt}
mode=${1:-check}
[ -r "$list" ] || { echo "cannot read the package list $list" >&2; exit 2; }

probe() {  # probe KIND:WHAT -> 0 if present
  local kind=${1%%:*} what=${1#*:}
  case $kind in
    cmd) command -v "$what" >/dev/null 2>&1 ;;
    tex) command -v kpsewhich >/dev/null 2>&1 && [ -n "$(kpsewhich "$what" 2>/dev/null)" ] ;;
    file) [ -e "$what" ] ;;
    *) echo "$list: unknown probe '$1' (use cmd:, tex: or file:)" >&2; exit 2 ;;
  esac
}

missing() {  # prints "package<TAB>failing probes" for each package with a failing probe
  local pkg probes p failed
  while read -r pkg probes; do
    [[ -z $pkg || $pkg == \#* ]] && continue
    failed=""
    for p in $probes; do probe "$p" || failed="$failed ${p#*:}"; done
    [ -n "$failed" ] && printf '%s\t%s\n' "$pkg" "${failed# }"
  done < "$list"
  return 0
}

report() {
  while IFS=$'\t' read -r pkg what; do
    echo "  $pkg (provides: $what)" >&2
  done <<<"$1"
}

todo=$(missing)
case $mode in
  check)
    [ -z "$todo" ] && exit 0
    echo "missing Debian packages (from $list):" >&2; report "$todo"
    echo "install them with: sudo apt-get install $(cut -f1 <<<"$todo" | tr '\n' ' ')" >&2
    exit 1 ;;
  install)
    [ -z "$todo" ] && exit 0
    pkgs=$(cut -f1 <<<"$todo" | tr '\n' ' ')
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "missing Debian packages (from $list):" >&2; report "$todo"
      echo "install them as root: sudo apt-get install $pkgs" >&2
      exit 1
    fi
    echo "== installing Debian packages: $pkgs"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    still=$(missing)
    if [ -n "$still" ]; then
      echo "installed, but still missing:" >&2; report "$still"; exit 1
    fi ;;
  *) echo "usage: $0 check|install" >&2; exit 2 ;;
esac
