#!/usr/bin/env bash
# What the `terminal` tests need: tmux (a real pseudo-terminal for `genesys interact`) and git
# (the wizard clones a repository by file:// URL). Debian packages; installed only when missing.
set -euo pipefail
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v git >/dev/null || missing+=(git)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
tmux -V
