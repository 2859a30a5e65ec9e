#!/usr/bin/env bash
# scripts/install-deps.sh - installs what strata needs to build and test, on
# Debian 12 (bookworm), as root. Idempotent and cheap: it asks dpkg and the
# Python interpreter what is already there and installs only what is
# missing, printing one line when nothing is (about a second).
#
#   apt:  LLVM/MLIR 22, clang-22 (with its sanitizer and libFuzzer
#         runtimes), lld-22, ninja, ccache, cmake, ONNX,
#         protobuf, googletest, pybind11 (list below)
#   pip:  python/requirements.txt, with the `python3` on PATH (the one the
#         build is configured with: -DPython3_EXECUTABLE)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$repo_root/python/requirements.txt"

apt_packages=(
  llvm-22-dev libmlir-22-dev mlir-22-tools clang-22 lld-22 llvm-22-tools
  ninja-build ccache cmake make libclang-rt-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libgtest-dev pybind11-dev
  zlib1g-dev
)

log() { echo "install-deps: $*"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    log "need root to run: $*" >&2
    exit 1
  fi
}

# --- Python: the interpreter on PATH (pyenv's here). Without one, fall back
# to Debian's, with pip and headers from apt.
python_from_apt=0
if ! command -v python3 >/dev/null; then
  python_from_apt=1
  apt_packages+=(python3 python3-pip python3-dev)
fi

# --- apt ---------------------------------------------------------------------
missing_apt=()
installed="$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' \
  "${apt_packages[@]}" 2>/dev/null || true)"
for package in "${apt_packages[@]}"; do
  if ! grep -qE "^ii +${package}(:[a-z0-9]+)?\$" <<<"$installed"; then
    missing_apt+=("$package")
  fi
done
if ((${#missing_apt[@]})); then
  log "installing apt packages: ${missing_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing_apt[@]}"
fi

# Debian's python3 lacks headers unless python3-dev is there; pyenv's has them.
if ((python_from_apt == 0)) && ! python3 -c '
import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  if [[ "$(python3 -c 'import sys; print(sys.prefix)')" == /usr ]]; then
    log "installing python3-dev (Python.h is missing)"
    as_root apt-get install -y -qq --no-install-recommends python3-dev
  else
    log "warning: $(command -v python3) has no Python.h; the pybind11 module will not build" >&2
  fi
fi

# --- pip ---------------------------------------------------------------------
# Compares each pinned `name==version` with what the interpreter has.
missing_pip="$(python3 - "$requirements" <<'EOF'
import re, sys
from importlib import metadata
missing = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, version = line.partition("==")
    try:
        have = metadata.version(name.strip())
    except metadata.PackageNotFoundError:
        have = None
    if have is None or (version and have != version.strip()):
        missing.append(f"{name.strip()}=={version.strip()} (have {have})")
print(", ".join(missing))
EOF
)"
if [[ -n "$missing_pip" ]]; then
  log "installing pip packages: $missing_pip"
  pip_flags=(--quiet --disable-pip-version-check --no-input --root-user-action=ignore)
  if [[ "$(python3 -c 'import sys; print(sys.prefix)')" == /usr ]]; then
    pip_flags+=(--break-system-packages)  # Debian's own python3 (PEP 668)
  fi
  python3 -m pip install "${pip_flags[@]}" -r "$requirements"
fi

if ((${#missing_apt[@]} == 0)) && [[ -z "$missing_pip" ]]; then
  log "all ${#apt_packages[@]} apt packages and $(grep -cE '^[A-Za-z0-9]' "$requirements") pip packages present ($(command -v python3))"
fi
