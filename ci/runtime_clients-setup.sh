#!/usr/bin/env bash
# What local invoke's official runtime clients need to install and run, from Debian packages:
# Node.js with npm (aws-lambda-ric), and make, cmake and a C++ compiler for the native part
# aws-lambda-ric compiles on install; its line 3 (nodejs22.x and earlier) also runs autoconf, automake
# and libtool (curl's buildconf) and node-gyp 9, which needs a python3 with distutils (3.11 or earlier).
# awslambdaric is a wheel and needs only pip.
# Idempotent: packages already present are skipped; safe to run on every CI start.
set -euo pipefail

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need node || missing+=(nodejs)
need npm || missing+=(npm)
need make || missing+=(make)
need cmake || missing+=(cmake)
need g++ || missing+=(g++)
need autoreconf || missing+=(autoconf)
need automake || missing+=(automake)
need libtoolize || missing+=(libtool)
need python3 || missing+=(python3)

if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
node --version && npm --version && cmake --version | head -1 && g++ --version | head -1
autoreconf --version | head -1
python3 -c 'import distutils' 2>/dev/null ||
  echo "warning: $(command -v python3) has no distutils: aws-lambda-ric 3 (nodejs22.x and earlier) cannot be built" >&2
