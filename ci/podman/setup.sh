#!/usr/bin/env bash
# Prepare this machine for genesys's real-Podman tests (pytest -m podman, -m ci_images). Run as root.
#
# Idempotent: installs podman, runc and mmdebstrap from Debian packages, then builds
# the local stand-ins for the Lambda build images and for the CI image of a Node
# function's GitLab jobs unless they already exist, with the
# engine settings of ci/podman/containers.conf (the caller exports CONTAINERS_CONF
# pointing at that file for the tests too).
# No container registry is reachable from CI machines, so the images are made from
# Debian packages with mmdebstrap, using the Debian mirror this machine's apt uses, and
# tagged with the fully qualified names of the AWS images genesys uses by default, so the
# tests build with genesys's defaults and nothing is ever pulled (--pull=never).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="$here/containers.conf"
python_image="localhost/lambda-python:3.11"
node_image="localhost/lambda-nodejs:18"
# The AWS names the stand-ins answer to (runtimes python3.11 and nodejs22.x).
python_default="public.ecr.aws/lambda/python:3.11"
node_default="public.ecr.aws/lambda/nodejs:22"
# The image `genesys ci gitlab` gives the jobs of a nodejs22.x function (cicd/model.py IMAGES).
# Like the official node:22-bookworm (Debian bookworm, from buildpack-deps): node, npm, git, bash,
# curl, ca-certificates, apt and Debian's python3, and no pip and no venv module, so the
# generated jobs' prelude installs python3-venv itself, as it must in the real image.
# The stand-in's node is Debian's (18), not 22: what is run here is the jobs' script.
node_ci_image="docker.io/library/node:22-bookworm"
# gitlab-ci-local's docker executor copies the clone, caches and artifacts in and out of its
# volumes with this helper image (bash and rsync): the tests run jobs in their images with it.
gcl_util_image="docker.io/firecow/gitlab-ci-local-util"

log() { printf 'ci/podman: %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
    log "run as root (rootful Podman is what CI uses)"
    exit 1
fi

missing=()
for tool in podman runc mmdebstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends podman runc mmdebstrap >/dev/null
fi

if [ ! -f "$conf" ]; then
    log "$conf is missing"
    exit 1
fi
export CONTAINERS_CONF="$conf"

# The Debian mirror apt is configured with here (never written into any file).
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
mirror="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null \
          | awk -v want="$codename" '$2 == want { print $1; exit }')"
if [ -z "$mirror" ]; then
    apt-get update -qq
    mirror="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
              | awk -v want="$codename" '$2 == want { print $1; exit }')"
fi
if [ -z "$mirror" ]; then
    log "no apt source for $codename found; cannot build the images"
    exit 1
fi

build_image() {  # name, packages
    local name="$1" packages="$2"
    if podman image exists "$name"; then
        log "$name already present"
        return
    fi
    log "building $name from $codename ($packages)"
    local started=$SECONDS
    mmdebstrap --quiet --variant=essential --include="$packages" "$codename" - "$mirror" \
        | podman import --change 'CMD ["/bin/sh"]' - "$name" >/dev/null
    log "$name built in $((SECONDS - started))s"
}

build_image "$python_image" "python3,python3-pip,ca-certificates"
build_image "$node_image" "nodejs,npm,ca-certificates"
build_image "$node_ci_image" "apt,bash,ca-certificates,curl,git,nodejs,npm,python3,procps"
build_image "$gcl_util_image" "bash,rsync"
podman tag "$python_image" "$python_default"
podman tag "$node_image" "$node_default"

podman run --rm --pull=never "$python_default" python3 -c 'import sys; print("python", sys.version.split()[0])'
podman run --rm --pull=never "$node_default" sh -c 'echo node $(node --version) npm $(npm --version)'
podman run --rm --pull=never "$node_ci_image" sh -c \
    'echo node $(node --version) git $(git --version | cut -d" " -f3) $(python3 --version);
     ! python3 -c "import ensurepip" 2>/dev/null || { echo "unlike node:22-bookworm, it has a venv module"; exit 1; }'
