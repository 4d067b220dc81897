#!/usr/bin/env bash
# Prepare this machine for genesys's TypeScript tests (pytest -m typescript): Node.js and npm
# from Debian packages. esbuild itself is not installed here: genesys installs its pinned
# version with npm into its cache folder on first use, which is what the tests exercise.
# Idempotent: nothing is installed when node and npm are already on PATH.
set -euo pipefail

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm
fi

echo "node $(node --version), npm $(npm --version)"
