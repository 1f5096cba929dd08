// Lease-based leader election (coordination.k8s.io/v1), client-go's algorithm: acquire or renew
// every retryPeriod; a lease whose record has not changed for leaseDuration — measured on our own
// clock since we last saw it change, so clock skew between replicas does not matter — may be
// taken over. On stop the lease is released so a standby takes over at once.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { sleep } from './backoff.ts';
import { KubeHttpError, kubeGetJson, kubeSendJson } from './http.ts';

export interface LeaderElectionOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly onChange: (leading: boolean) => void;
  readonly onError?: (error: unknown) => void;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  readonly identity: string;
  private leading = false;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private observedRecord = '';
  private observedAt = 0;
  private lastRenew = 0;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning; a leader releases the lease so another replica can take over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      this.setLeading(false);
      await this.release().catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.onChange(leading);
  }

  private async run(): Promise<void> {
    const retry = this.options.retryPeriodMs ?? 2000;
    const renewDeadline = this.options.renewDeadlineMs ?? 10_000;
    while (!this.abort.signal.aborted) {
      try {
        const ok = await this.tryAcquireOrRenew();
        if (ok) this.lastRenew = Date.now();
        this.setLeading(ok);
      } catch (error) {
        this.options.onError?.(error);
        // A leader that cannot renew within the deadline must stop acting as one.
        if (this.leading && Date.now() - this.lastRenew > renewDeadline) this.setLeading(false);
      }
      await sleep(retry, this.abort.signal);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const kc = this.options.kubeConfig;
    const now = Date.now();
    const durationSeconds = Math.round((this.options.leaseDurationMs ?? 15_000) / 1000);
    let lease: Lease;
    try {
      lease = await kubeGetJson<Lease>(kc, `${this.path}/${encodeURIComponent(this.options.name)}`, this.abort.signal);
    } catch (error) {
      if (!(error instanceof KubeHttpError && error.code === 404)) throw error;
      await kubeSendJson(kc, 'POST', this.path, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: { holderIdentity: this.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      }, this.abort.signal);
      return true;
    }
    const record = JSON.stringify(lease.spec);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now;
    }
    const holder = lease.spec.holderIdentity ?? '';
    const expired = now - this.observedAt > (lease.spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder !== '' && holder !== this.identity && !expired) return false;
    const takingOver = holder !== this.identity;
    await kubeSendJson(kc, 'PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, {
      ...lease,
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: takingOver ? microTime(now) : lease.spec.acquireTime ?? microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
      },
    }, this.abort.signal); // a 409 (someone else won the race) throws: not leader this round
    return true;
  }

  private async release(): Promise<void> {
    const kc = this.options.kubeConfig;
    const lease = await kubeGetJson<Lease>(kc, `${this.path}/${encodeURIComponent(this.options.name)}`);
    if (lease.spec.holderIdentity !== this.identity) return;
    await kubeSendJson(kc, 'PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, {
      ...lease,
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now()) },
    });
  }
}
