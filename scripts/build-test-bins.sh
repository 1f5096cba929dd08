#!/usr/bin/env bash
# Builds the real components the test suite runs (kube-apiserver, kubectl, etcd, the
# OpenTelemetry Collector, ...) from Go modules and caches them OUTSIDE the clone, keyed by
# component and version, so a second run — and CI in a fresh clone on the same machine —
# reuses them instead of rebuilding.
#
#   scripts/build-test-bins.sh [component ...]   (default: the components the test suite needs)
#
# Components: kube-apiserver kubectl etcd otelcol prometheus promtool jaeger kube-state-metrics compose helm
#             prometheus-operator-crds
# Prints nothing but progress on stderr; exits non-zero if a build fails.
set -euo pipefail

KUBERNETES_VERSION="${CROTEL_KUBERNETES_VERSION:-v1.36.3}"
ETCD_VERSION="${CROTEL_ETCD_VERSION:-v3.6.16}"
OTELCOL_VERSION="${CROTEL_OTELCOL_VERSION:-v0.165.0}"
PROMETHEUS_VERSION="${CROTEL_PROMETHEUS_VERSION:-v0.316.0}"
JAEGER_VERSION="${CROTEL_JAEGER_VERSION:-v1.76.0}"
KSM_VERSION="${CROTEL_KSM_VERSION:-v2.20.0}"
COMPOSE_VERSION="${CROTEL_COMPOSE_VERSION:-v5.6.0}"
HELM_VERSION="${CROTEL_HELM_VERSION:-v3.22.0}"
# The Prometheus Operator release whose Prometheus CRD is in shared/fixtures, and the controller-gen
# its CRDs were generated with (their controller-gen.kubebuilder.io/version annotation).
PROMETHEUS_OPERATOR_VERSION="${CROTEL_PROMETHEUS_OPERATOR_VERSION:-v0.93.0}"
CONTROLLER_TOOLS_VERSION="${CROTEL_CONTROLLER_TOOLS_VERSION:-v0.21.0}"

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/crotel"
BIN="$CACHE/bin"
WORK="$CACHE/build"
mkdir -p "$BIN" "$WORK"
export GOFLAGS="${GOFLAGS:--mod=mod}"
export CGO_ENABLED=0

log() { printf '[build-test-bins] %s\n' "$*" >&2; }

# Writes a wrapper module requiring k8s.io/kubernetes at $KUBERNETES_VERSION with a replace
# line for every staging module its go.mod pins at v0.0.0 (those are local paths upstream).
kubernetes_wrapper() {
  local dir="$WORK/kubernetes-$KUBERNETES_VERSION"
  if [[ -f "$dir/.ready" ]]; then echo "$dir"; return; fi
  mkdir -p "$dir"
  local staging="v0.${KUBERNETES_VERSION#v1.}"
  local gomod
  gomod="$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  {
    echo "module crotel.local/kubernetes-bins"
    echo
    echo "go 1.25"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }' "$gomod" | sort -u | while read -r m; do
      echo "replace $m => $m $staging"
    done
  } >"$dir/go.mod"
  cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$dir" && go mod tidy >&2)
  touch "$dir/.ready"
  echo "$dir"
}

build_kubernetes_cmd() { # $1 = kube-apiserver | kubectl
  local out="$BIN/$1-$KUBERNETES_VERSION"
  [[ -x "$out" ]] && { log "$1 $KUBERNETES_VERSION cached"; return; }
  local dir; dir="$(kubernetes_wrapper)"
  local pkg=k8s.io/component-base/version
  local ld="-s -w -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  log "building $1 $KUBERNETES_VERSION (cold: ~10 min)"
  (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$out.tmp" "k8s.io/kubernetes/cmd/$1")
  mv "$out.tmp" "$out"
}

build_etcd() {
  local out="$BIN/etcd-$ETCD_VERSION"
  [[ -x "$out" ]] && { log "etcd $ETCD_VERSION cached"; return; }
  local dir="$WORK/etcd-$ETCD_VERSION"; mkdir -p "$dir"
  printf 'module crotel.local/etcd-bin\n\ngo 1.25\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >"$dir/tools.go"
  log "building etcd $ETCD_VERSION (cold: ~4 min)"
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$out.tmp" go.etcd.io/etcd/server/v3)
  mv "$out.tmp" "$out"
}

build_otelcol() {
  local out="$BIN/otelcol-crotel-$OTELCOL_VERSION"
  [[ -x "$out" ]] && { log "otelcol $OTELCOL_VERSION cached"; return; }
  local root; root="$(cd "$(dirname "$0")/.." && pwd)"
  local dir="$WORK/otelcol-$OTELCOL_VERSION"; mkdir -p "$dir"
  local builder="$BIN/ocb-$OTELCOL_VERSION"
  if [[ ! -x "$builder" ]]; then
    log "installing ocb $OTELCOL_VERSION"
    GOBIN="$dir/gobin" go install "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_VERSION"
    mv "$dir/gobin/builder" "$builder"
  fi
  sed -e "s/@VERSION@/${OTELCOL_VERSION#v}/g" -e "s#@OUT@#$dir/dist#" "$root/otel-collector/builder-manifest.yaml" >"$dir/manifest.yaml"
  log "building otelcol $OTELCOL_VERSION (cold: ~7 min)"
  (cd "$dir" && "$builder" --config manifest.yaml >&2)
  cp "$dir/dist/otelcol-crotel" "$out.tmp" && mv "$out.tmp" "$out"
}

build_prometheus() {
  local out="$BIN/prometheus-$PROMETHEUS_VERSION"
  [[ -x "$out" ]] && { log "prometheus $PROMETHEUS_VERSION cached"; return; }
  log "building prometheus $PROMETHEUS_VERSION (cold: ~12 min)"
  GOBIN="$WORK/prometheus-gobin" go install "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_VERSION"
  mv "$WORK/prometheus-gobin/prometheus" "$out"
}

# promtool of the same Prometheus release: `promtool check config|rules` and `promtool test rules`
# for prometheus/ (Debian's prometheus package ships an older 2.x promtool).
build_promtool() {
  local out="$BIN/promtool-$PROMETHEUS_VERSION"
  [[ -x "$out" ]] && { log "promtool $PROMETHEUS_VERSION cached"; return; }
  log "building promtool $PROMETHEUS_VERSION (cold: ~10 min, seconds after prometheus)"
  GOBIN="$WORK/promtool-gobin" go install -ldflags "-s -w" "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
  mv "$WORK/promtool-gobin/promtool" "$out"
}

# Docker Compose (the CLI plugin's code as a standalone binary), used only for
# `docker-compose config --quiet`: the real loader validates docker-compose.yml without an engine.
# Its go.mod excludes two pseudo-versions; a wrapper module must copy those lines.
build_compose() {
  local out="$BIN/compose-$COMPOSE_VERSION"
  [[ -x "$out" ]] && { log "compose $COMPOSE_VERSION cached"; return; }
  local dir="$WORK/compose-$COMPOSE_VERSION"; mkdir -p "$dir"
  cat >"$dir/go.mod" <<GOMOD
module crotel.local/compose-bin

go 1.26

require github.com/docker/compose/v5 $COMPOSE_VERSION

exclude (
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2
)
GOMOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/docker/compose/v5/cmd"\n' >"$dir/tools.go"
  log "building compose $COMPOSE_VERSION (cold: ~2 min)"
  (cd "$dir" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$out.tmp" github.com/docker/compose/v5/cmd)
  mv "$out.tmp" "$out"
}

build_jaeger() {
  local out="$BIN/jaeger-$JAEGER_VERSION"
  [[ -x "$out" ]] && { log "jaeger $JAEGER_VERSION cached"; return; }
  local dir="$WORK/jaeger-$JAEGER_VERSION"; mkdir -p "$dir"
  printf 'module crotel.local/jaeger-bin\n\ngo 1.25\n' >"$dir/go.mod"
  log "building jaeger $JAEGER_VERSION (cold: ~9 min)"
  (cd "$dir" && go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >&2 \
    && go build -trimpath -ldflags "-s -w" -o "$out.tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
  mv "$out.tmp" "$out"
}

build_ksm() {
  local out="$BIN/kube-state-metrics-$KSM_VERSION"
  [[ -x "$out" ]] && { log "kube-state-metrics $KSM_VERSION cached"; return; }
  local dir="$WORK/ksm-$KSM_VERSION"; mkdir -p "$dir"
  printf 'module crotel.local/ksm-bin\n\ngo 1.25\n' >"$dir/go.mod"
  log "building kube-state-metrics $KSM_VERSION"
  (cd "$dir" && go get "k8s.io/kube-state-metrics/v2@$KSM_VERSION" >&2 \
    && go build -trimpath -ldflags "-s -w" -o "$out.tmp" k8s.io/kube-state-metrics/v2)
  mv "$out.tmp" "$out"
}

# Helm 3 (`helm lint` / `helm template` for charts/crotel), from its Go module; the version is
# stamped in as upstream's Makefile does, so `helm version` and the chart's kubeVersion checks see it.
build_helm() {
  local out="$BIN/helm-$HELM_VERSION"
  [[ -x "$out" ]] && { log "helm $HELM_VERSION cached"; return; }
  local dir="$WORK/helm-$HELM_VERSION"; mkdir -p "$dir"
  printf 'module crotel.local/helm-bin\n\ngo 1.25\n' >"$dir/go.mod"
  log "building helm $HELM_VERSION (cold: ~3 min)"
  (cd "$dir" && go get "helm.sh/helm/v3@$HELM_VERSION" >&2)
  # The Kubernetes version `helm template`/`helm lint` assume without a cluster: the client-go
  # minor it is built with (v0.N.x → 1.N), as upstream's Makefile stamps it.
  local minor; minor="$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2)"
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do ld+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"; done
  (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$out.tmp" helm.sh/helm/v3/cmd/helm)
  mv "$out.tmp" "$out"
}

# The Prometheus Operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule, …) generated the way
# upstream generates them: controller-gen over the Go types of its pkg/apis/monitoring module.
# Written to $CACHE/crds/prometheus-operator-<version>/ (the chart's dry-run test installs them).
build_prometheus_operator_crds() {
  local out="$CACHE/crds/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION"
  [[ -f "$out/.ready" ]] && { log "prometheus-operator CRDs $PROMETHEUS_OPERATOR_VERSION cached"; return; }
  local dir="$WORK/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION"; mkdir -p "$dir" "$out"
  local module=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring
  printf 'module crotel.local/prometheus-operator-crds\n\ngo 1.25\n' >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s/v1"\n' "$module" >"$dir/tools.go"
  log "generating prometheus-operator CRDs $PROMETHEUS_OPERATOR_VERSION (controller-gen $CONTROLLER_TOOLS_VERSION, cold: ~3 min)"
  (cd "$dir" && go get "$module@$PROMETHEUS_OPERATOR_VERSION" >&2 \
    && go get -tool "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION" >&2 \
    && go tool controller-gen crd:crdVersions=v1 "paths=$module/v1" "output:crd:dir=$out" >&2)
  touch "$out/.ready"
}

components=("$@")
[[ ${#components[@]} -eq 0 ]] && components=(etcd kube-apiserver kubectl otelcol)
for c in "${components[@]}"; do
  case "$c" in
    kube-apiserver|kubectl) build_kubernetes_cmd "$c" ;;
    etcd) build_etcd ;;
    otelcol) build_otelcol ;;
    prometheus) build_prometheus ;;
    promtool) build_promtool ;;
    compose) build_compose ;;
    jaeger) build_jaeger ;;
    kube-state-metrics) build_ksm ;;
    helm) build_helm ;;
    prometheus-operator-crds) build_prometheus_operator_crds ;;
    *) echo "unknown component: $c" >&2; exit 2 ;;
  esac
done
log "done: $BIN"
