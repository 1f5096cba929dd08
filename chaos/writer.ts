// Drives DatabaseInstances through random lifecycles the way a controller and its users would
// (create, status phases and a Ready condition, spec changes, degradations, terminal failure,
// deletion, re-creation under the same name), and journals every write with the object the
// apiserver returned (its resourceVersion): the ground truth the verdict compares against.
import type { ControlPlane } from '../harness/control-plane.ts';
import { DB_PATH } from '../harness/databaseinstances.ts';
import type { Rng } from './rng.ts';

export interface JournalEntry {
  readonly seq: number;
  /** Wall-clock ms when the apiserver answered. */
  readonly at: number;
  readonly name: string;
  /** `observed`: read back after a write whose outcome was unknown (the journal stays the truth). */
  readonly op: 'create' | 'status' | 'spec' | 'delete' | 'observed';
  readonly resourceVersion: string;
  readonly object: Record<string, unknown>;
}

interface ObjectState {
  exists: boolean;
  generation: number;
  phase?: string;
  /** Running with Ready=False. */
  degraded?: boolean;
  busy: boolean;
}

type Step = { op: JournalEntry['op']; status?: Record<string, unknown>; spec?: Record<string, unknown> };

const second = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const ready = (status: 'True' | 'False', reason: string): Record<string, unknown>[] => [{ type: 'Ready', status, reason, lastTransitionTime: second(Date.now()) }];

function isDegraded(object: { status?: { phase?: string; conditions?: { type?: string; status?: string }[] } }): boolean {
  return object.status?.phase === 'Running' && object.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'False') === true;
}

export class Writer {
  readonly journal: JournalEntry[] = [];
  readonly namespace: string;
  private readonly cp: ControlPlane;
  private readonly rng: Rng;
  private readonly objects = new Map<string, ObjectState>();
  private running = false;
  private paused = 0;
  private inflight = new Set<Promise<void>>();
  private workers: Promise<void>[] = [];
  /** Mean pause between a worker's writes; lowered for a burst. */
  private gapMs: number;
  failures = 0;
  readonly failureReasons = new Map<string, number>();

  constructor(cp: ControlPlane, rng: Rng, namespace: string, objects: number, gapMs: number) {
    this.cp = cp;
    this.rng = rng;
    this.namespace = namespace;
    this.gapMs = gapMs;
    for (let i = 0; i < objects; i++) this.objects.set(`db-${i}`, { exists: false, generation: 0, busy: false });
  }

  start(workers: number): void {
    this.running = true;
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Holds new writes and waits for the ones in flight (around an apiserver restart, so no write's outcome is unknown). */
  async pause(): Promise<void> {
    this.paused++;
    await Promise.all([...this.inflight]);
  }

  resume(): void {
    this.paused = Math.max(0, this.paused - 1);
  }

  burst(gapMs: number, forMs: number): void {
    const normal = this.gapMs;
    this.gapMs = gapMs;
    setTimeout(() => (this.gapMs = normal), forMs).unref();
  }

  private async work(): Promise<void> {
    while (this.running) {
      await new Promise((r) => setTimeout(r, this.rng.int(this.gapMs / 2, this.gapMs * 1.5)));
      if (this.paused > 0 || !this.running) continue;
      const idle = [...this.objects].filter(([, s]) => !s.busy);
      if (idle.length === 0) continue;
      const [name, state] = this.rng.pick(idle);
      const step = this.next(state);
      if (!step) continue;
      state.busy = true;
      const write = this.apply(name, state, step).catch(async (error: unknown) => {
        this.failures++;
        const reason = String(error).replace(/db-\d+/g, 'db-N').slice(0, 120);
        this.failureReasons.set(reason, (this.failureReasons.get(reason) ?? 0) + 1);
        await this.resync(name, state);
      }).finally(() => {
        state.busy = false;
        this.inflight.delete(write);
      });
      this.inflight.add(write);
      await write;
    }
  }

  /** The next write for an object, as its controller or a user would make it. */
  private next(s: ObjectState): Step | undefined {
    const r = this.rng;
    if (!s.exists) return { op: 'create' };
    const rolledOut = { observedGeneration: s.generation };
    switch (s.phase) {
      case undefined:
        return { op: 'status', status: { phase: 'Pending' } };
      case 'Pending':
        return { op: 'status', status: { phase: 'Provisioning', conditions: ready('False', 'Provisioning') } };
      case 'Provisioning':
        return r.chance(0.1)
          ? { op: 'status', status: { phase: 'Failed', conditions: ready('False', 'ProvisioningFailed') } }
          : { op: 'status', status: { phase: 'Running', conditions: ready('True', 'DatabaseReady'), ...rolledOut } };
      case 'Running': {
        // Degraded: still Running (the CRD has no such phase), Ready=False.
        if (s.degraded) {
          return r.chance(0.8)
            ? { op: 'status', status: { phase: 'Running', conditions: ready('True', 'DatabaseReady') } }
            : { op: 'delete' };
        }
        const x = r();
        if (x < 0.3) return { op: 'status', status: { phase: 'Running', conditions: ready('False', 'ReplicaLag') } };
        if (x < 0.6) return { op: 'spec', spec: { storageGB: r.int(1, 500) } };
        if (x < 0.75) return { op: 'delete' };
        return { op: 'status', status: { lastBackupTime: second(Date.now()) } };
      }
      case 'Updating':
        return { op: 'status', status: { phase: 'Provisioning', conditions: ready('False', 'Resizing') } };
      case 'Failed':
        return r.chance(0.5) ? { op: 'delete' } : { op: 'spec', spec: { storageGB: r.int(1, 500) } };
      default:
        return { op: 'delete' };
    }
  }

  /** After a failed write (it may or may not have been applied): read the object back and journal what is there. */
  private async resync(name: string, s: ObjectState): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        const res = await this.cp.raw('GET', `${DB_PATH}/namespaces/${this.namespace}/databaseinstances/${name}`);
        const last = [...this.journal].reverse().find((e) => e.name === name);
        if (res.status === 404) {
          if (last && last.op !== 'delete') this.journal.push({ seq: this.journal.length, at: Date.now(), name, op: 'delete', resourceVersion: '', object: last.object });
          s.exists = false;
          s.phase = undefined;
          s.generation = 0;
          return;
        }
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        const object = JSON.parse(res.body) as Record<string, unknown> & { metadata: { resourceVersion: string; generation?: number; uid: string }; status?: { phase?: string } };
        const known = last && last.op !== 'delete' && last.resourceVersion === object.metadata.resourceVersion;
        if (!known) this.journal.push({ seq: this.journal.length, at: Date.now(), name, op: 'observed', resourceVersion: object.metadata.resourceVersion, object });
        s.exists = true;
        s.generation = object.metadata.generation ?? s.generation;
        if (s.phase !== 'Updating' || (object.status as { observedGeneration?: number } | undefined)?.observedGeneration === s.generation) s.phase = object.status?.phase;
        s.degraded = isDegraded(object);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 1000)); // the apiserver may be restarting
      }
    }
  }

  private async apply(name: string, s: ObjectState, step: Step): Promise<void> {
    const collection = `${DB_PATH}/namespaces/${this.namespace}/databaseinstances`;
    let res: { status: number; body: string };
    if (step.op === 'create') {
      res = await this.cp.raw('POST', collection, {
        apiVersion: 'stable.example.com/v1', kind: 'DatabaseInstance', metadata: { name, namespace: this.namespace },
        spec: { engine: this.rng.pick(['postgres', 'mysql']), version: '16', storageGB: this.rng.int(1, 500) },
      });
    } else if (step.op === 'status') {
      res = await this.cp.raw('PATCH', `${collection}/${name}/status`, { status: step.status });
    } else if (step.op === 'spec') {
      res = await this.cp.raw('PATCH', `${collection}/${name}`, { spec: step.spec });
    } else {
      res = await this.cp.raw('DELETE', `${collection}/${name}`);
    }
    if (res.status >= 300) throw new Error(`${step.op} ${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    const body = JSON.parse(res.body) as Record<string, unknown> & { kind?: string; metadata?: { resourceVersion?: string; generation?: number }; status?: { phase?: string } };
    if (step.op === 'delete') {
      // A delete may answer with the deleted object or (deleted at once) with a Status: journal
      // the object as last written, so the journal names which object (uid) went away.
      const last = [...this.journal].reverse().find((e) => e.name === name && e.op !== 'delete');
      const object = body.kind === 'Status' || !body.metadata ? last?.object ?? body : body;
      this.journal.push({ seq: this.journal.length, at: Date.now(), name, op: 'delete', resourceVersion: body.metadata?.resourceVersion ?? '', object });
      s.exists = false;
      s.phase = undefined;
      s.generation = 0;
      return;
    }
    const object = body as typeof body & { metadata: { resourceVersion: string; generation?: number } };
    this.journal.push({ seq: this.journal.length, at: Date.now(), name, op: step.op, resourceVersion: object.metadata.resourceVersion, object });
    s.exists = true;
    s.generation = object.metadata.generation ?? s.generation;
    // A spec change sends the controller back to work: Updating until it provisions again.
    s.phase = step.op === 'spec' ? 'Updating' : object.status?.phase;
    s.degraded = isDegraded(object);
  }
}
