// The lifecycle both traces steps drive: what a DatabaseInstance controller writes into status,
// and which of those writes end a reconcile episode (so a root span is due). Shared by the lag
// writer (real apiserver), the replay's event selection (recorded stream) and its synthetic
// fallback (listed objects), so all three mean the same workload.
//
// An object's life: step 0 creates it (no status: in progress, the `created` episode opens), then
// status writes cycle through
//   Pending → Provisioning → Running → Failed → Running → Pending → …
// with Ready False, False, True, False, True. With the reference config (success phase Running,
// failure phase Failed) that gives, per cycle of 5 writes:
//   Running after Provisioning — ends the open episode (created, then degraded): root + 2 children
//   Failed                     — opens and ends a degraded episode at once: root (ERROR) + 2 children
//   Pending after Running      — opens a degraded episode;  Provisioning closes the Pending span
// i.e. 7 spans and 9 transitions (phase and Ready status) per 5 writes.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface LifecycleState {
  readonly phase: string;
  readonly ready: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

export const CYCLE: readonly LifecycleState[] = [
  { phase: 'Pending', ready: 'False', reason: 'Pending', message: 'Waiting for a volume' },
  { phase: 'Provisioning', ready: 'False', reason: 'Provisioning', message: 'Database is provisioning' },
  { phase: 'Running', ready: 'True', reason: 'DatabaseReady', message: 'Database is provisioned and ready' },
  { phase: 'Failed', ready: 'False', reason: 'Failed', message: 'Database process exited: postgres://app:s3cret@db:5432/app unreachable' },
  { phase: 'Running', ready: 'True', reason: 'DatabaseReady', message: 'Database is provisioned and ready' },
];

/** Spans and transitions the tracker emits per cycle of CYCLE.length writes (see above). */
export const SPANS_PER_CYCLE = 7;
export const TRANSITIONS_PER_CYCLE = 9;

/** The state written at step ≥ 1 of an object's life (step 0 is its creation). */
export function stateAt(step: number): LifecycleState {
  return CYCLE[(step - 1) % CYCLE.length]!;
}

/** The outcome of the episode the write of this step ends, or undefined when it ends none. */
export function endsEpisode(step: number): 'succeeded' | 'failed' | undefined {
  if (step < 1) return undefined;
  const at = (step - 1) % CYCLE.length;
  return at === 2 ? 'succeeded' : at === 3 ? 'failed' : undefined;
}

/** RFC 3339 at whole seconds, as controllers write lastTransitionTime. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The status a controller writes for `state`: phase, the Ready condition (lastTransitionTime =
 * `readySinceMs`, which the caller moves only when Ready's status changes) and lastBackupTime
 * (a value unique per write, so the bench's own watch can tell when the write was delivered).
 */
export function statusOf(state: LifecycleState, readySinceMs: number, lastBackupSeconds: number): Record<string, unknown> {
  return {
    phase: state.phase,
    lastBackupTime: rfc3339Seconds(lastBackupSeconds * 1000),
    conditions: [{ type: 'Ready', status: state.ready, reason: state.reason, message: state.message, lastTransitionTime: rfc3339Seconds(readySinceMs) }],
  };
}

interface EventLine {
  type?: string;
  object?: { metadata?: { uid?: string; name?: string }; status?: { phase?: string } };
}

/**
 * From a recorded watch stream: the MODIFIED events of objects that went through the lifecycle,
 * each object's cut to whole cycles starting at a Pending, in recorded order. Repeating the result
 * then continues every object's life where the last pass left it (Running → Pending), so no pass
 * boundary creates a transition the lifecycle does not have.
 */
export function lifecycleEvents(recorded: readonly string[]): string[] {
  const perObject = new Map<string, { line: number; phase?: string }[]>();
  recorded.forEach((text, line) => {
    const event = JSON.parse(text) as EventLine;
    const uid = event.object?.metadata?.uid;
    if (event.type !== 'MODIFIED' || !uid) return;
    let list = perObject.get(uid);
    if (!list) perObject.set(uid, (list = []));
    list.push({ line, phase: event.object?.status?.phase });
  });
  const keep = new Set<number>();
  for (const events of perObject.values()) {
    const first = events.findIndex((e, i) => e.phase === CYCLE[0]!.phase && events[i + 1]?.phase === CYCLE[1]!.phase);
    if (first < 0) continue;
    const usable = events.slice(first);
    const whole = usable.length - (usable.length % CYCLE.length);
    for (let i = 0; i < whole; i++) {
      // The recording must follow the cycle; anything else (a lost write) disqualifies the object.
      if (usable[i]!.phase !== CYCLE[i % CYCLE.length]!.phase) break;
      if (i % CYCLE.length === CYCLE.length - 1) for (let k = i - CYCLE.length + 1; k <= i; k++) keep.add(usable[k]!.line);
    }
  }
  return recorded.filter((_text, line) => keep.has(line));
}

/**
 * Synthetic fallback (no recording, or asked for): MODIFIED events built from listed objects,
 * every object taken once through one cycle — step k of all objects, then step k+1 — with
 * lastTransitionTime moving when Ready changes and a fresh lastBackupTime per event.
 */
export async function synthesizeLifecycle(objectsFile: string, maxObjects: number): Promise<string[]> {
  const objects: Record<string, unknown>[] = [];
  const rl = createInterface({ input: createReadStream(objectsFile), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    objects.push(JSON.parse(line) as Record<string, unknown>);
    if (objects.length >= maxObjects) break;
  }
  rl.close();
  const base = Date.UTC(2031, 0, 1);
  const out: string[] = [];
  let n = 0;
  for (let at = 0; at < CYCLE.length; at++) {
    const state = CYCLE[at]!;
    for (const object of objects) {
      n++;
      const readySince = base + (at === 1 ? 0 : at) * 60_000; // Provisioning keeps Pending's False
      // Each event its own resourceVersion (the store skips an update whose version it holds).
      const metadata = { ...(object.metadata as Record<string, unknown>), resourceVersion: `${String((object.metadata as { resourceVersion?: string }).resourceVersion)}-s${at}` };
      out.push(JSON.stringify({ type: 'MODIFIED', object: { ...object, metadata, status: statusOf(state, readySince, base / 1000 + n) } }));
    }
  }
  return out;
}
