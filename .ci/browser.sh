#!/usr/bin/env bash
# Headless Chromium for the report's browser tests (tests/test_report_browser.py) and for
# `make bench` (which times report.html opening in it), from Debian's packages. `make test`
# and `make bench` call this: it does nothing when Chromium is here, installs
# it when it can (root or passwordless sudo, with apt-get), and otherwise says why not. With
# CI=true a missing browser is an error (the browser tests must run there); elsewhere they skip.
set -euo pipefail

have() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
have && exit 0

ci() { [[ "${CI:-}" =~ ^(1|true|yes)$ ]]; }
if command -v apt-get >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]]; then as_root=()
  elif sudo -n true 2>/dev/null; then as_root=(sudo -n)
  else as_root=(none); fi
  if [[ "${as_root[0]:-}" != none ]]; then
    echo "browser: installing Debian's chromium for the report's browser tests (once)"
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq >/dev/null
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
    have && exit 0
  fi
fi
why="no Chromium and no way to install it here (needs apt-get as root or with sudo)"
if ci; then echo "browser: error: $why; CI=true needs the browser tests" >&2; exit 1; fi
echo "browser: $why; the browser tests will skip"
