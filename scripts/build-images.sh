#!/usr/bin/env bash
# Builds bacl's two images where Docker runs (CI, a workstation): the operator (Dockerfile.operator) and the
# worker (Dockerfile.worker; --cpu builds its CPU variant, the default is GPU). Tags are
# <registry>/operator:<tag> and <registry>/worker:<tag> (<tag>-cpu with --cpu): the chart's image.repository and
# workerDefaults.image.repository, and `baclctl submit`'s default image. docs/adr/0033-chart-images-and-kind-ci.md.
#
#   scripts/build-images.sh [--registry ghcr.io/bacl] [--tag <package.json version>] [--cpu] [--push]
set -euo pipefail
cd "$(dirname "$0")/.."

registry=ghcr.io/bacl
tag=$(node -p "require('./package.json').version")
variant=gpu
push=false
while (($# > 0)); do
  case "$1" in
    --registry) registry=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --cpu) variant=cpu; shift ;;
    --push) push=true; shift ;;
    *) echo "build-images: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done

build() { # <Dockerfile> <image> [build args...]
  local file=$1 image=$2
  shift 2
  echo "build-images: $image from $file"
  docker build --file "$file" --tag "$image" "$@" .
  if [[ "$push" == true ]]; then docker push "$image"; fi
}

build Dockerfile.operator "$registry/operator:$tag"
# The CPU variant is tagged apart (<tag>-cpu), so it never stands in for the GPU image of the same release.
worker_tag=$tag
if [[ "$variant" == cpu ]]; then worker_tag=$tag-cpu; fi
build Dockerfile.worker "$registry/worker:$worker_tag" --build-arg "VARIANT=$variant"
