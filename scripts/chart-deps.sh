#!/usr/bin/env bash
# The chart's dependency archives (the official nats chart, charts/bacl-operator/Chart.yaml) into
# charts/bacl-operator/charts/, which git ignores: `helm lint`, `helm template` and `helm install` of the chart
# need them there even when nats.enabled is false. Downloaded once into ~/.cache/bacl/charts/ (what
# `helm dependency build` would fetch, from the release the nats repo index points at); offline, put the
# archive there yourself (`helm package` of nats-io/k8s helm/charts/nats at tag nats-<version>).
# docs/adr/0033-chart-images-and-kind-ci.md.
set -euo pipefail
cd "$(dirname "$0")/.."

chart=charts/bacl-operator
cache="${BACL_CACHE_DIR:-$HOME/.cache/bacl}/charts"
# The version pinned in Chart.yaml (the line after `- name: nats`).
version=$(awk '/- name: nats/ { found = 1; next } found && /version:/ { print $2; exit }' "$chart/Chart.yaml")
[[ -n "$version" ]] || { echo "chart-deps: no nats dependency version in $chart/Chart.yaml" >&2; exit 1; }
archive="nats-$version.tgz"

mkdir -p "$cache" "$chart/charts"
if [[ ! -s "$cache/$archive" ]]; then
  url="https://github.com/nats-io/k8s/releases/download/nats-$version/$archive"
  echo "chart-deps: downloading $url"
  if ! curl -fsSL --retry 3 -o "$cache/$archive.part" "$url"; then
    rm -f "$cache/$archive.part"
    echo "chart-deps: cannot download $url; offline, put $archive into $cache" >&2
    exit 1
  fi
  mv "$cache/$archive.part" "$cache/$archive"
fi
# Only the pinned version: an older archive left in charts/ would be a second nats subchart.
find "$chart/charts" -maxdepth 1 -name 'nats-*.tgz' ! -name "$archive" -delete
cp -p "$cache/$archive" "$chart/charts/$archive"
echo "chart-deps: $chart/charts/$archive"
