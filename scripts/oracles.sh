#!/usr/bin/env bash
# Installs the reference implementations that oracle tests and benchmarks compare against, into
# ~/.cache/bacl/oracles/<name>-<version>/, keyed by every pinned version. Idempotent: a second run finds the
# venv (a `.ready` marker is written last, so an interrupted install is redone) and takes well under a second.
#
#   lvis-api   the official LVIS evaluator (PyPI lvis==0.5.3) with numpy and pycocotools, in a Python venv.
#              Installed with --no-deps: lvis declares opencv-python and matplotlib only for its visualiser,
#              which the evaluator never uses; test/harness/lvis_oracle.py stubs those imports.
#
#   faster-coco-eval  (PyPI faster-coco-eval==1.8.0, numpy) in a sibling venv: the fastest public LVIS evaluator,
#              which `npm run bench -- lvis-eval` times next to lvis-api (lvis_style=True). A benchmark reference
#              only (its numbers are close to lvis-api's, not identical); small (a wheel and numpy), so it is
#              always installed.
#
#   torch      (only with --bench) PyTorch + torchvision on CPU, the reference framework `npm run bench -- model`
#              compares the native backend with (torchvision's fasterrcnn_resnet50_fpn). A benchmark reference
#              only; no test uses it (about 5 GB with the nvidia-* wheels that PyPI's torch needs to import).
#
# Writes ~/.cache/bacl/oracles/lvis/manifest.json ({python, versions}); test/harness/lvis-oracle.ts reads it;
# ~/.cache/bacl/oracles/faster-coco-eval/manifest.json, which bench/lvis-eval.bench.ts reads; and
# with --bench ~/.cache/bacl/oracles/torch/manifest.json, which bench/model-native.bench.ts reads.
# Python is test infrastructure only: nothing that ships imports it. See docs/adr/0006-lvis-evaluator.md.
set -euo pipefail

LVIS_VERSION="${BACL_LVIS_VERSION:-0.5.3}"
NUMPY_VERSION="${BACL_NUMPY_VERSION:-2.4.6}"
PYCOCOTOOLS_VERSION="${BACL_PYCOCOTOOLS_VERSION:-2.0.11}"
FASTER_COCO_EVAL_VERSION="${BACL_FASTER_COCO_EVAL_VERSION:-1.8.0}"
TORCH_VERSION="${BACL_TORCH_VERSION:-2.15.0}"
TORCHVISION_VERSION="${BACL_TORCHVISION_VERSION:-0.29.2}"
BENCH=0
for arg in "$@"; do
  case "$arg" in
    --bench) BENCH=1 ;;
    *) printf '[oracles] error: unknown argument %s (usage: scripts/oracles.sh [--bench])\n' "$arg" >&2; exit 2 ;;
  esac
done

CACHE="${BACL_CACHE_DIR:-$HOME/.cache/bacl}"
ORACLES="$CACHE/oracles"

log() { printf '[oracles] %s\n' "$*" >&2; }
die() { printf '[oracles] error: %s\n' "$*" >&2; exit 1; }

PYTHON="${BACL_PYTHON:-$(command -v python3 || true)}"
[[ -n "$PYTHON" ]] || die "python3 is not on PATH; install Python >= 3.11 (Debian: apt-get install python3 python3-venv) and rerun"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "$PYTHON is older than 3.11 (numpy $NUMPY_VERSION needs >= 3.11); set BACL_PYTHON to a newer python3"

# ---------------------------------------------------------------- lvis-api
LVIS_DIR="$ORACLES/lvis-$LVIS_VERSION-numpy-$NUMPY_VERSION-pycocotools-$PYCOCOTOOLS_VERSION"
if [[ ! -f "$LVIS_DIR/.ready" ]]; then
  log "installing lvis==$LVIS_VERSION numpy==$NUMPY_VERSION pycocotools==$PYCOCOTOOLS_VERSION into $LVIS_DIR"
  rm -rf "$LVIS_DIR"
  mkdir -p "$LVIS_DIR/logs"
  if ! "$PYTHON" -m venv "$LVIS_DIR/venv" 2>/dev/null; then
    # Debian splits venv/ensurepip out of python3; install it like test-infra.sh installs its packages.
    log "python3 -m venv failed; apt-get install python3-venv"
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null \
      || die "cannot install python3-venv; install it and rerun"
    rm -rf "$LVIS_DIR/venv"
    "$PYTHON" -m venv "$LVIS_DIR/venv" || die "python3 -m venv failed even with python3-venv installed"
  fi
  pip_log="$LVIS_DIR/logs/pip.log"
  if ! "$LVIS_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "numpy==$NUMPY_VERSION" "pycocotools==$PYCOCOTOOLS_VERSION" >"$pip_log" 2>&1 \
    || ! "$LVIS_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
      "lvis==$LVIS_VERSION" >>"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    die "pip install failed (full log: $pip_log)"
  fi
  # The smoke test imports the evaluator exactly as the oracle does (stubbed visualiser, np.float shim).
  "$LVIS_DIR/venv/bin/python" "$(dirname "$0")/../test/harness/lvis_oracle.py" --self-check \
    || die "the installed lvis package does not import; see the error above"
  touch "$LVIS_DIR/.ready"
fi

mkdir -p "$ORACLES/lvis"
cat >"$ORACLES/lvis/manifest.json.tmp" <<JSON
{
  "python": "$LVIS_DIR/venv/bin/python",
  "versions": { "lvis": "$LVIS_VERSION", "numpy": "$NUMPY_VERSION", "pycocotools": "$PYCOCOTOOLS_VERSION" }
}
JSON
mv "$ORACLES/lvis/manifest.json.tmp" "$ORACLES/lvis/manifest.json"
log "ready: $ORACLES/lvis/manifest.json"

# ---------------------------------------------------------------- faster-coco-eval (benchmark reference)
FCE_DIR="$ORACLES/faster-coco-eval-$FASTER_COCO_EVAL_VERSION-numpy-$NUMPY_VERSION"
if [[ ! -f "$FCE_DIR/.ready" ]]; then
  log "installing faster-coco-eval==$FASTER_COCO_EVAL_VERSION numpy==$NUMPY_VERSION into $FCE_DIR"
  rm -rf "$FCE_DIR"
  mkdir -p "$FCE_DIR/logs"
  # python3-venv is there by now (the lvis-api step installs it when missing).
  "$PYTHON" -m venv "$FCE_DIR/venv" || die "python3 -m venv failed; install python3-venv and rerun"
  pip_log="$FCE_DIR/logs/pip.log"
  if ! "$FCE_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "faster-coco-eval==$FASTER_COCO_EVAL_VERSION" "numpy==$NUMPY_VERSION" >"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    die "pip install failed (full log: $pip_log)"
  fi
  "$FCE_DIR/venv/bin/python" -c 'from faster_coco_eval import COCO, COCOeval_faster' \
    || die "faster-coco-eval does not import; see the error above"
  touch "$FCE_DIR/.ready"
fi
mkdir -p "$ORACLES/faster-coco-eval"
printf '{ "python": "%s", "versions": { "faster-coco-eval": "%s", "numpy": "%s" } }\n' \
  "$FCE_DIR/venv/bin/python" "$FASTER_COCO_EVAL_VERSION" "$NUMPY_VERSION" >"$ORACLES/faster-coco-eval/manifest.json.tmp"
mv "$ORACLES/faster-coco-eval/manifest.json.tmp" "$ORACLES/faster-coco-eval/manifest.json"
log "ready: $ORACLES/faster-coco-eval/manifest.json"

# ---------------------------------------------------------------- torch (benchmark reference, --bench only)
if ((BENCH)); then
  TORCH_DIR="$ORACLES/torch-$TORCH_VERSION-torchvision-$TORCHVISION_VERSION"
  if [[ ! -f "$TORCH_DIR/.ready" ]]; then
    log "installing torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION (CPU use) into $TORCH_DIR"
    rm -rf "$TORCH_DIR"
    mkdir -p "$TORCH_DIR/logs"
    "$PYTHON" -m venv "$TORCH_DIR/venv" || die "python3 -m venv failed; install python3-venv and rerun"
    pip_log="$TORCH_DIR/logs/pip.log"
    pip=("$TORCH_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir)
    # PyPI's Linux torch imports only with its nvidia-* wheels present (it preloads libcudart and cuBLAS), so
    # they come too (several GB) although nothing here runs on a GPU.
    if ! "${pip[@]}" "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" "numpy==$NUMPY_VERSION" \
      >"$pip_log" 2>&1; then
      tail -n 40 "$pip_log" >&2
      die "pip install failed (full log: $pip_log)"
    fi
    "$TORCH_DIR/venv/bin/python" -c 'import torch, torchvision; torchvision.models.detection.fasterrcnn_resnet50_fpn' \
      || die "torch does not import; see the error above"
    touch "$TORCH_DIR/.ready"
  fi
  mkdir -p "$ORACLES/torch"
  printf '{ "python": "%s", "versions": { "torch": "%s", "torchvision": "%s" } }\n' \
    "$TORCH_DIR/venv/bin/python" "$TORCH_VERSION" "$TORCHVISION_VERSION" >"$ORACLES/torch/manifest.json"
  log "ready: $ORACLES/torch/manifest.json"
fi
