#!/usr/bin/env bash
# Toolchains for Go, Java (Maven, offline) and Ruby builds, from Debian packages.
# Idempotent: packages already present are skipped; safe to run on every CI start.
set -euo pipefail

packages=(
  golang-go
  maven
  libmaven-compiler-plugin-java
  libmaven-jar-plugin-java
  libmaven-dependency-plugin-java
  libmaven-resources-plugin-java
  libmaven-install-plugin-java
  libsurefire-java
  libcommons-lang3-java
  maven-debian-helper
  ruby
  ruby-bundler
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

go version
mvn -v | sed -n 1p
ruby --version
