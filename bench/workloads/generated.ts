// Generated DatabaseInstances for the micro-benchmarks: the reference workload's shape
// (DATABASEINSTANCE.md), varied per object and per version so every update changes something.
const PHASES = ['Pending', 'Provisioning', 'Running', 'Failed'] as const;

export function dbInstance(i: number, version: number): Record<string, unknown> {
  const phase = PHASES[(i + version) % PHASES.length]!;
  return {
    apiVersion: 'stable.example.com/v1',
    kind: 'DatabaseInstance',
    metadata: {
      name: `db-${i}`,
      namespace: `ns-${i % 50}`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(version * 1_000_000 + i),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: { engine: i % 2 === 0 ? 'postgres' : 'mysql', version: i % 2 === 0 ? '16' : '8.0', storageGB: 10 + (i % 100) },
    status: {
      phase,
      lastBackupTime: new Date(Date.UTC(2026, 0, 1) + version * 60_000).toISOString(),
      conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False', reason: phase, lastTransitionTime: '2026-01-01T00:00:00Z' }],
    },
  };
}

/** One watch event line, as the apiserver streams it. */
export function watchLine(i: number, version: number): string {
  return `${JSON.stringify({ type: 'MODIFIED', object: dbInstance(i, version) })}\n`;
}
