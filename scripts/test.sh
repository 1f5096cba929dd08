#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it: type-check, lint, unit tests, then integration
# tests against a real kube-apiserver + etcd and a real OpenTelemetry Collector.
# Missing test binaries are built first (cached outside the clone; see scripts/build-test-bins.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$(scripts/ensure-node.sh):$PATH"
echo "node $(node --version)"

# promtool (prometheus/ rule tests), compose (docker-compose.yml validation), prometheus and jaeger
# (the native stack test), kube-state-metrics (the KSM conformance suite), helm and the Prometheus
# Operator CRDs (charts/crotel) join the Collector.
components=(otelcol promtool compose prometheus jaeger kube-state-metrics helm prometheus-operator-crds)
[[ -z "${KUBEBUILDER_ASSETS:-}" ]] && components=(etcd kube-apiserver kubectl "${components[@]}")
scripts/build-test-bins.sh "${components[@]}"

step() { printf '\n== %s\n' "$*"; }
step "type-check (tsc --noEmit)"; npx tsc --noEmit -p .
step "lint (eslint)"; npx eslint .
step "unit tests"; node --test --test-reporter=dot "test/unit/**/*.test.ts"
# One integration file at a time: each starts its own control plane and the machine has 2 cores.
step "integration tests"; node --test --test-concurrency=1 --test-timeout=300000 "test/integration/**/*.test.ts"
# The short seeded chaos run (chaos/short-run.test.ts, `npm run chaos:short`): every fault kind on
# the real components, failing on any series mismatch, duplicate or unexplained span; ~2 min.
step "chaos (short seeded run)"; node --test --test-timeout=300000 chaos/short-run.test.ts
