// The scenarios `npm run bench -- <name>` runs, with the line `--list` prints for each. Modules
// load only when their scenario runs (the cluster ones pull in the harness and src/).
import type { Scenario } from '../lib/cli.ts';

export interface ScenarioEntry {
  readonly name: string;
  readonly description: string;
  load(): Promise<Scenario>;
}

export const SCENARIOS: readonly ScenarioEntry[] = [
  { name: 'metrics', description: 'N DatabaseInstances on a real apiserver: list floor, start → ready, memory, scrape, write → /metrics lag, replay capacity', load: async () => (await import('./metrics.ts')).scenario },
  { name: 'traces', description: 'lifecycle traces: write → span lag (direct and through a Collector), transitions/s on one core into Jaeger', load: async () => (await import('./traces.ts')).scenario },
  { name: 'zero-config', description: 'K CRDs × M objects with no config: start → health, memory and scrape per object', load: async () => (await import('./zero-config.ts')).scenario },
  { name: 'ksm-side-by-side', description: 'kube-state-metrics v2.20 and crotel --ksm-config on the same objects: start, RSS, scrape, CPU', load: async () => (await import('./ksm-side-by-side.ts')).scenario },
  { name: 'watch-cpu', description: 'CPU per watched update for crotel binaries and --watch-coalesce windows (and kube-state-metrics)', load: async () => (await import('./watch-cpu.ts')).scenario },
  { name: 'idle', description: 'crotel at rest (no objects): RSS and CPU per binary and per push setup (none, http/protobuf, grpc)', load: async () => (await import('./idle.ts')).scenario },
  { name: 'micro', description: 'in process, no apiserver: watch decode, extract + store, exposition, OTLP producer, episode tracker', load: async () => (await import('./micro.ts')).scenario },
  { name: 'extract', description: 'in process: extraction cost per object with the full reference config (redaction, series guard)', load: async () => (await import('./extract.ts')).scenario },
  { name: 'compare', description: 'two kept result files side by side: per figure old, new, delta % (as benchstat)', load: async () => (await import('./compare.ts')).scenario },
  { name: 'readme', description: "rewrite README.md's benchmark tables from bench/results/*.json (--check: fail if they differ)", load: async () => (await import('./readme.ts')).scenario },
];
