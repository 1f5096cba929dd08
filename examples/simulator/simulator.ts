// A toy DatabaseInstance controller: creates instances and drives their status the way a real
// operator would — Pending → Provisioning → Running with random delays, spec changes (a new
// metadata.generation that the "controller" observes a moment later), backups, failures that
// recover or stay, and the odd delete + recreate. Spec goes through the main resource, status
// through the status subresource, so generation moves only on spec changes.
//
// Timings are "realistic" at speed 1 (seconds to minutes); `speed` divides every delay, so the
// stack test runs the same lifecycle in seconds. A seed makes a run repeatable.
import type { KubeClient } from './kube.ts';

export const GROUP_VERSION = 'stable.example.com/v1';
const API = '/apis/stable.example.com/v1';

export interface SimulatorOptions {
  readonly kube: KubeClient;
  /** Instances kept alive at once. */
  readonly count: number;
  /** Namespaces to spread them over (created when missing). */
  readonly namespaces: readonly string[];
  /** Divides every delay: 1 = realistic, 20 = a test's pace. */
  readonly speed: number;
  /** Chance that provisioning fails, and (per event) that a running instance degrades to Failed. */
  readonly failureRate: number;
  readonly seed: number;
  /** Instance names are `${prefix}-${n}`. */
  readonly prefix: string;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface SimulatorStats {
  created: number;
  transitions: number;
  specChanges: number;
  backups: number;
  failures: number;
  deletions: number;
  errors: number;
}

type Phase = 'Pending' | 'Provisioning' | 'Running' | 'Failed' | 'Terminating';

interface Instance {
  readonly namespace: string;
  readonly name: string;
  engine: 'postgres' | 'mysql';
  version: string;
  storageGB: number;
  generation: number;
  phase?: Phase;
  ready?: { status: 'True' | 'False'; reason: string; message: string; since: string };
  lastBackupTime?: string;
}

const VERSIONS = { postgres: ['14', '15', '16', '17'], mysql: ['8.0', '8.4'] } as const;

/** mulberry32: a tiny seeded PRNG, so a run is repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Stopped extends Error {}

export class Simulator {
  readonly stats: SimulatorStats = { created: 0, transitions: 0, specChanges: 0, backups: 0, failures: 0, deletions: 0, errors: 0 };
  private readonly options: SimulatorOptions;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(options: SimulatorOptions) {
    if (!(options.count >= 1)) throw new Error('count must be at least 1');
    if (!(options.speed > 0)) throw new Error('speed must be positive');
    if (options.namespaces.length === 0) throw new Error('at least one namespace is needed');
    this.options = options;
    this.random = prng(options.seed);
  }

  /** Creates the namespaces, then starts one lifecycle loop per instance; returns at once. */
  async start(): Promise<void> {
    for (const ns of this.options.namespaces) {
      await this.options.kube.expect([201, 409], 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    for (let i = 0; i < this.options.count; i++) {
      const namespace = this.options.namespaces[i % this.options.namespaces.length]!;
      const name = `${this.options.prefix}-${i + 1}`;
      // Stagger the creations over the first few (scaled) seconds.
      const delay = this.between(0, 5) * (i / this.options.count);
      this.loops.push(this.lifecycle(namespace, name, delay));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  // ---- one instance, forever ----

  private async lifecycle(namespace: string, name: string, initialDelay: number): Promise<void> {
    try {
      await this.sleep(initialDelay);
      for (;;) {
        try {
          await this.live(namespace, name);
        } catch (error) {
          if (error instanceof Stopped) throw error;
          this.stats.errors++;
          this.log('error; retrying', { namespace, name, err: error instanceof Error ? error.message : String(error) });
          await this.sleep(this.between(2, 5));
        }
      }
    } catch (error) {
      if (!(error instanceof Stopped)) throw error;
    }
  }

  /** Create → provision → run with events, until the instance is deleted; then returns. */
  private async live(namespace: string, name: string): Promise<void> {
    const engine = this.random() < 0.6 ? 'postgres' : 'mysql';
    const db: Instance = { namespace, name, engine, version: this.pick(VERSIONS[engine]), storageGB: this.pick([5, 10, 20, 50, 100]), generation: 1 };
    await this.create(db);
    await this.sleep(this.between(0.5, 2));
    await this.setPhase(db, 'Pending', { status: 'False', reason: 'Pending', message: 'Waiting for a slot' });
    await this.provision(db, 'Provisioning', 'Creating the volume and the database');
    for (;;) {
      await this.sleep(this.between(15, 45));
      const roll = this.random();
      if (db.phase === 'Failed') {
        // A failed instance is retried after a while (sometimes longer than alerts' `for:`).
        await this.provision(db, 'Retrying', 'Retrying after a failure');
      } else if (roll < this.options.failureRate) {
        this.stats.failures++;
        await this.setPhase(db, 'Failed', { status: 'False', reason: this.pick(['ReplicaCrashLoop', 'VolumeDetached', 'OutOfDisk']), message: 'The database process is not running' });
        await this.sleep(this.between(30, 400));
      } else if (roll < 0.5) {
        await this.backup(db);
      } else if (roll < 0.85) {
        await this.changeSpec(db);
      } else if (roll < 0.9) {
        await this.remove(db);
        return;
      }
      // else: a quiet interval
    }
  }

  /** Provisioning, then Running (or, with failureRate, Failed). */
  private async provision(db: Instance, reason: string, message: string): Promise<void> {
    await this.sleep(this.between(1, 5));
    await this.setPhase(db, 'Provisioning', { status: 'False', reason, message });
    await this.sleep(this.between(5, 25));
    if (this.random() < this.options.failureRate) {
      this.stats.failures++;
      await this.setPhase(db, 'Failed', { status: 'False', reason: 'ProvisioningFailed', message: 'The volume could not be attached' });
      return;
    }
    await this.setPhase(db, 'Running', { status: 'True', reason: 'DatabaseReady', message: 'Database is provisioned and ready' }, {
      // A credential, as the real controller writes it: crotel must never export it.
      connectionString: `${db.engine}://app:${Math.floor(this.random() * 1e12).toString(36)}@${db.name}.${db.namespace}:${db.engine === 'postgres' ? 5432 : 3306}/app`,
    });
    if (db.lastBackupTime === undefined) await this.backup(db);
  }

  private async changeSpec(db: Instance): Promise<void> {
    const change = this.random() < 0.5
      ? { storageGB: db.storageGB + this.pick([5, 10, 20]) }
      : { version: this.pick(VERSIONS[db.engine]) };
    const res = await this.options.kube.expect([200], 'PATCH', this.path(db), { spec: change });
    Object.assign(db, change);
    db.generation = (JSON.parse(res.body) as { metadata: { generation: number } }).metadata.generation;
    this.stats.specChanges++;
    this.log('spec changed', { namespace: db.namespace, name: db.name, change, generation: db.generation });
    // The controller notices a moment later (observedGeneration lags meanwhile), then reconciles.
    await this.provision(db, 'Reconfiguring', `Applying generation ${db.generation}`);
  }

  private async backup(db: Instance): Promise<void> {
    db.lastBackupTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.stats.backups++;
    await this.patchStatus(db, { lastBackupTime: db.lastBackupTime });
  }

  private async remove(db: Instance): Promise<void> {
    await this.setPhase(db, 'Terminating', { status: 'False', reason: 'Deleting', message: 'Dropping the database' });
    await this.sleep(this.between(2, 6));
    await this.options.kube.expect([200, 202, 404], 'DELETE', this.path(db));
    this.stats.deletions++;
    this.log('deleted', { namespace: db.namespace, name: db.name });
    await this.sleep(this.between(5, 20));
  }

  // ---- apiserver ----

  private path(db: Instance): string {
    return `${API}/namespaces/${db.namespace}/databaseinstances/${db.name}`;
  }

  private async create(db: Instance): Promise<void> {
    const res = await this.options.kube.request('POST', `${API}/namespaces/${db.namespace}/databaseinstances`, {
      apiVersion: GROUP_VERSION, kind: 'DatabaseInstance',
      metadata: { name: db.name, namespace: db.namespace, labels: { 'app.kubernetes.io/managed-by': 'crotel-simulator' } },
      spec: { engine: db.engine, version: db.version, storageGB: db.storageGB },
    });
    if (res.status === 409) {
      // Left over from an earlier run: take it over with our spec.
      const got = await this.options.kube.expect([200], 'PATCH', this.path(db), { spec: { engine: db.engine, version: db.version, storageGB: db.storageGB } });
      db.generation = (JSON.parse(got.body) as { metadata: { generation: number } }).metadata.generation;
    } else if (res.status !== 201) {
      throw new Error(`create ${db.namespace}/${db.name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    this.stats.created++;
    this.log('created', { namespace: db.namespace, name: db.name, engine: db.engine, version: db.version, storageGB: db.storageGB });
  }

  private async setPhase(db: Instance, phase: Phase, ready: Omit<NonNullable<Instance['ready']>, 'since'>, extra: Record<string, unknown> = {}): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    // lastTransitionTime moves only when the condition's status does, as the API conventions say.
    const since = db.ready && db.ready.status === ready.status ? db.ready.since : now;
    db.ready = { ...ready, since };
    db.phase = phase;
    this.stats.transitions++;
    this.log('phase', { namespace: db.namespace, name: db.name, phase, reason: ready.reason });
    await this.patchStatus(db, {
      phase,
      observedGeneration: db.generation,
      conditions: [{ type: 'Ready', status: ready.status, reason: ready.reason, message: ready.message, lastTransitionTime: since }],
      ...extra,
    });
  }

  private async patchStatus(db: Instance, status: Record<string, unknown>): Promise<void> {
    await this.options.kube.expect([200], 'PATCH', `${this.path(db)}/status`, { status });
  }

  // ---- time and chance ----

  /** Uniform in [lo, hi) seconds at speed 1. */
  private between(lo: number, hi: number): number {
    return lo + this.random() * (hi - lo);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private sleep(seconds: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(new Stopped());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, (seconds * 1000) / this.options.speed);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Stopped());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private log(message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(message, fields);
  }
}
