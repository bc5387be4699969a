#!/usr/bin/env bash
# Installs and builds the real servers the tests talk to, into ~/.cache/bacl/infra/, keyed by version.
# Idempotent: a second run finds every binary in place and takes seconds.
#
#   nats-server                 Debian package (apt)
#   etcd, kube-apiserver,       built from Go modules: k8s.io/kubernetes at one pinned release, its
#   kubectl                     staging modules pinned by `replace` lines derived from its downloaded go.mod
#   versitygw                   built from its Go module (S3 gateway, posix backend)
#   helm                        built from its Go module (helm.sh/helm/v3), to lint, render and install the chart
#
# Writes ~/.cache/bacl/infra/manifest.json (binary paths + versions); test/harness reads it.
# See docs/adr/0003-test-infrastructure.md for why these servers and versions.
set -euo pipefail

K8S_VERSION="${BACL_K8S_VERSION:-1.35.4}"
VERSITYGW_VERSION="${BACL_VERSITYGW_VERSION:-1.8.0}"
HELM_VERSION="${BACL_HELM_VERSION:-3.22.0}"

CACHE="${BACL_CACHE_DIR:-$HOME/.cache/bacl}"
INFRA="$CACHE/infra"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$CACHE/go/mod}"
export GOCACHE="$CACHE/go/build"
export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

log() { printf '[test-infra] %s\n' "$*" >&2; }
# Runs a noisy command with its output in a log file; on failure shows the tail and stops.
quietly() {
  local name="$1"; shift
  local logfile="$INFRA/logs/$name.log"
  mkdir -p "$INFRA/logs"
  if ! "$@" >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    die "$name failed (full log: $logfile)"
  fi
}
die() { printf '[test-infra] error: %s\n' "$*" >&2; exit 1; }

# Go may be installed but not on a non-login PATH (CI runs with the machine's plain environment).
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null || die "go is not on PATH; install Go >= 1.25 (https://go.dev/doc/install) and rerun"
mkdir -p "$INFRA"

# ---------------------------------------------------------------- nats-server (Debian)
ensure_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]} == 0)) && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
ensure_apt nats-server openssl
NATS_BIN="$(command -v nats-server || echo /usr/sbin/nats-server)"
[[ -x "$NATS_BIN" ]] || die "nats-server not found after apt install"
NATS_VERSION="$("$NATS_BIN" --version | grep -oE 'v[0-9.]+' | head -1)"

# ---------------------------------------------------------------- kubernetes + etcd
K8S_DIR="$INFRA/kubernetes-v$K8S_VERSION"
build_kubernetes() {
  local work="$K8S_DIR/src"
  rm -rf "$work" && mkdir -p "$work" "$K8S_DIR/bin"
  cd "$work"
  printf 'module bacl.local/kubebin\n\ngo 1.25.0\n' > go.mod
  log "downloading k8s.io/kubernetes@v$K8S_VERSION"
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || die "could not download k8s.io/kubernetes@v$K8S_VERSION"
  # The published go.mod requires every staging module at v0.0.0 and its ./staging replaces are ignored for
  # dependencies; pin each one to the matching v0.<minor>.<patch>. The list comes from the .mod file itself.
  local staging_version="v0.${K8S_VERSION#1.}"
  local mods
  mods="$(grep -E '^[[:space:]]*k8s\.io/[a-z0-9-]+ v0\.0\.0([[:space:]]|$)' "$gomod" | awk '{print $1}' | sort -u)"
  [[ -n "$mods" ]] || die "no staging modules found in $gomod; the recipe needs revisiting for v$K8S_VERSION"
  local args=()
  for m in $mods; do args+=("-replace=$m=$m@$staging_version"); done
  go mod edit "${args[@]}"
  # etcd comes from the same module graph, at the version kubernetes itself pins (so it is one it supports).
  local etcd_version
  etcd_version="$(grep -E '^[[:space:]]*go\.etcd\.io/etcd/client/v3 ' "$gomod" | awk '{print $2}')"
  [[ -n "$etcd_version" ]] || die "could not find the etcd version that kubernetes v$K8S_VERSION pins"
  log "resolving the module graph ($(wc -w <<<"$mods") staging modules at $staging_version, etcd $etcd_version)"
  quietly go-get-kubernetes go get "k8s.io/kubernetes@v$K8S_VERSION" "go.etcd.io/etcd/server/v3@$etcd_version"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION")"
  log "building kube-apiserver v$K8S_VERSION (cold: ~10 min on 2 cores)"
  quietly build-kube-apiserver go build -trimpath -ldflags "$ldflags" -o "$K8S_DIR/bin/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  mv "$K8S_DIR/bin/kube-apiserver.tmp" "$K8S_DIR/bin/kube-apiserver"
  log "building kubectl v$K8S_VERSION"
  quietly build-kubectl go build -trimpath -ldflags "$ldflags" -o "$K8S_DIR/bin/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
  mv "$K8S_DIR/bin/kubectl.tmp" "$K8S_DIR/bin/kubectl"
  log "building etcd $etcd_version"
  quietly build-etcd go build -trimpath -ldflags "-s -w" -o "$K8S_DIR/bin/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$K8S_DIR/bin/etcd.tmp" "$K8S_DIR/bin/etcd"
  echo "$etcd_version" > "$K8S_DIR/etcd-version"
  # Source and module graph are only needed to build; the binaries are what we keep.
  cd "$INFRA" && rm -rf "$work"
}
if [[ -x "$K8S_DIR/bin/kube-apiserver" && -x "$K8S_DIR/bin/kubectl" && -x "$K8S_DIR/bin/etcd" ]]; then
  log "kubernetes v$K8S_VERSION: cached"
else
  ( build_kubernetes )
fi
ETCD_VERSION="$(cat "$K8S_DIR/etcd-version")"

# ---------------------------------------------------------------- versitygw
VGW_DIR="$INFRA/versitygw-v$VERSITYGW_VERSION"
if [[ -x "$VGW_DIR/bin/versitygw" ]]; then
  log "versitygw v$VERSITYGW_VERSION: cached"
else
  log "building versitygw v$VERSITYGW_VERSION"
  mkdir -p "$VGW_DIR/bin"
  GOBIN="$VGW_DIR/bin" quietly build-versitygw go install -trimpath -ldflags "-s -w" "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION"
fi

# ---------------------------------------------------------------- helm
HELM_DIR="$INFRA/helm-v$HELM_VERSION"
if [[ -x "$HELM_DIR/bin/helm" ]]; then
  log "helm v$HELM_VERSION: cached"
else
  log "building helm v$HELM_VERSION"
  mkdir -p "$HELM_DIR/bin"
  GOBIN="$HELM_DIR/bin" quietly build-helm go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
fi

# ---------------------------------------------------------------- manifest for the harness
cat > "$INFRA/manifest.json.tmp" <<JSON
{
  "natsServer": { "bin": "$NATS_BIN", "version": "$NATS_VERSION" },
  "etcd": { "bin": "$K8S_DIR/bin/etcd", "version": "$ETCD_VERSION" },
  "kubeApiserver": { "bin": "$K8S_DIR/bin/kube-apiserver", "version": "v$K8S_VERSION" },
  "kubectl": { "bin": "$K8S_DIR/bin/kubectl", "version": "v$K8S_VERSION" },
  "versitygw": { "bin": "$VGW_DIR/bin/versitygw", "version": "v$VERSITYGW_VERSION" },
  "helm": { "bin": "$HELM_DIR/bin/helm", "version": "v$HELM_VERSION" },
  "openssl": { "bin": "$(command -v openssl)", "version": "$(openssl version | awk '{print $2}')" }
}
JSON
mv "$INFRA/manifest.json.tmp" "$INFRA/manifest.json"
log "ready: $INFRA/manifest.json"
