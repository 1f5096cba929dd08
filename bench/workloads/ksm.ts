// The workload both kube-state-metrics benchmarks drive: the KSM config giving the reference
// workload's series, how to count them in an exposition, and one steady stream of status writes.
import type { ApiClient, ApiResponse } from '../lib/api.ts';
import { instancePath, instanceRef } from './databaseinstances.ts';

export const KSM_CONFIG = new URL('./ksm-databaseinstance.yaml', import.meta.url).pathname;

/** Series the config gives per bench object: 5 phases + 1 condition + storage + backup. */
export const KSM_SERIES_PER_OBJECT = 8;

const PREFIX = 'database_instance_';

/** Lines of the config's series in an exposition. */
export function countKsmSeries(text: string): number {
  let n = text.startsWith(PREFIX) ? 1 : 0;
  let i = 0;
  while ((i = text.indexOf(`\n${PREFIX}`, i)) >= 0) {
    n++;
    i += PREFIX.length;
  }
  return n;
}

const PHASES = ['Running', 'Failed', 'Provisioning'] as const;

/** Write w of the stream: object (w·7919) mod N moves to the next phase, its Ready condition with it. */
export function steadyStatusWrite(api: ApiClient, w: number, objects: number, namespaces: number): Promise<ApiResponse> {
  const phase = PHASES[w % PHASES.length]!;
  return api.send('PATCH', `${instancePath(instanceRef((w * 7919) % objects, namespaces))}/status`, {
    status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False', reason: phase, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
  });
}
