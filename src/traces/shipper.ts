// Ships finished spans over OTLP with a bounded queue that survives a Collector outage.
// The stock BatchSpanProcessor drops a batch once the exporter's own retries give up and drops
// *new* spans when full; lifecycle spans are few and each one matters, so crotel keeps a failed
// batch at the head of the queue and retries it with capped backoff, and when the queue is full
// drops the *oldest* spans (the newest state is the most useful), counting every drop.
import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { Backoff, sleep } from '../backoff.ts';
import type { SpanRecord } from './episodes.ts';

export interface ShipperOptions {
  readonly exporter: SpanExporter;
  readonly resource: Resource;
  readonly maxQueue: number;
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
  /** Bound on one export (OTEL_BSP_EXPORT_TIMEOUT); default 30 s. */
  readonly exportTimeoutMs?: number;
  readonly onDropped: (reason: 'queue_full' | 'shutdown', count: number) => void;
  readonly onExported?: (count: number) => void;
  readonly onExportFailed?: (error: unknown) => void;
}

const SCOPE = { name: 'crotel.lifecycle' };

/** Whether `work` settled before `deadline` (epoch ms); it is not cancelled, only no longer awaited. */
async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
  const gaveUp = new AbortController();
  try {
    return await Promise.race([work.then(() => true, () => true), sleep(Math.max(0, deadline - Date.now()), gaveUp.signal).then(() => false)]);
  } finally {
    gaveUp.abort();
  }
}

function hr(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

export function toReadableSpan(r: SpanRecord, resource: Resource): ReadableSpan {
  const context = { traceId: r.traceId, spanId: r.spanId, traceFlags: TraceFlags.SAMPLED };
  const durationMs = r.endMs - r.startMs;
  return {
    name: r.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    ...(r.parentSpanId ? { parentSpanContext: { traceId: r.traceId, spanId: r.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: false } } : {}),
    startTime: hr(r.startMs),
    endTime: hr(r.endMs),
    duration: hr(durationMs),
    status: r.status === 'error'
      ? { code: SpanStatusCode.ERROR, ...(r.statusMessage ? { message: r.statusMessage } : {}) }
      : { code: r.status === 'ok' ? SpanStatusCode.OK : SpanStatusCode.UNSET },
    attributes: r.attributes,
    links: [],
    events: r.events.map((e) => ({ name: e.name, time: hr(e.timeMs), attributes: e.attributes })),
    ended: true,
    resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** The standard batch-processor settings (OTEL_BSP_*, read once by telemetry/env.ts). */
export interface BatchSettings {
  readonly scheduleDelayMs: number;
  readonly maxQueueSize: number | undefined;
  readonly maxExportBatchSize: number;
  readonly exportTimeoutMs: number;
}

/**
 * The shipper as crotel runs it: OTEL_BSP_* settings over the config's queue size. One place, so
 * the product and the benchmarks ship with the same flush delay, batch size and timeouts.
 */
export function shipperFor(
  bsp: BatchSettings,
  queueSize: number,
  parts: Pick<ShipperOptions, 'exporter' | 'resource' | 'onDropped' | 'onExported' | 'onExportFailed'>,
): SpanShipper {
  return new SpanShipper({
    ...parts,
    // The config's queue size unless OTEL_BSP_MAX_QUEUE_SIZE is set.
    maxQueue: bsp.maxQueueSize ?? queueSize,
    flushIntervalMs: bsp.scheduleDelayMs,
    batchSize: bsp.maxExportBatchSize,
    exportTimeoutMs: bsp.exportTimeoutMs,
  });
}

export class SpanShipper {
  private readonly options: ShipperOptions;
  private queue: SpanRecord[] = [];
  private head = 0;
  private readonly backoff = new Backoff(1000, 30_000);
  private readonly stopped = new AbortController();
  private wake?: () => void;
  /** Spans of the export under way (taken off the queue, not yet acknowledged). */
  private inFlight = 0;
  private readonly loop: Promise<void>;

  constructor(options: ShipperOptions) {
    this.options = options;
    this.loop = this.run();
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Spans not yet acknowledged by the endpoint: queued, and in the export under way. */
  get pending(): number {
    return this.queued + this.inFlight;
  }

  enqueue(record: SpanRecord): void {
    this.queue.push(record);
    const excess = this.queued - this.options.maxQueue;
    if (excess > 0) {
      this.head += excess;
      this.options.onDropped('queue_full', excess);
    }
    if (this.queued >= (this.options.batchSize ?? 512)) this.wake?.();
  }

  /** Exports what is queued, trying until deadlineMs; what is left is dropped (and counted). */
  async shutdown(deadlineMs = 5000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    this.stopped.abort();
    this.wake?.();
    // The loop may be inside an export that an unreachable or hanging Collector holds for the
    // exporter's whole timeout (and its retries): wait for it only until the deadline.
    const loopEnded = await beforeDeadline(this.loop, deadline);
    while (loopEnded && this.queued > 0 && Date.now() < deadline) {
      if (!(await this.exportBatch(Math.max(100, deadline - Date.now())))) break;
    }
    // A batch still in flight at the deadline was not confirmed sent: counted with the rest.
    const unsent = this.queued + this.inFlight;
    if (unsent > 0) this.options.onDropped('shutdown', unsent);
    this.queue = [];
    this.head = 0;
    // An exporter still retrying against an unreachable endpoint must not hold the process.
    await beforeDeadline(this.options.exporter.shutdown().catch(() => {}), deadline);
  }

  private async run(): Promise<void> {
    const interval = this.options.flushIntervalMs ?? 1000;
    while (!this.stopped.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(interval, this.stopped.signal).then(resolve);
      });
      this.wake = undefined;
      while (this.queued > 0 && !this.stopped.signal.aborted) {
        if (await this.exportBatch()) {
          this.backoff.reset();
        } else {
          await sleep(this.backoff.next(), this.stopped.signal);
        }
      }
    }
  }

  /** Exports one batch from the head; on failure the batch goes back to the head of the queue. */
  private async exportBatch(timeoutMs = this.options.exportTimeoutMs ?? 30_000): Promise<boolean> {
    // host.id and other asynchronously detected attributes must be in place before the first export.
    await this.options.resource.waitForAsyncAttributes?.();
    const size = Math.min(this.queued, this.options.batchSize ?? 512);
    const batch = this.queue.slice(this.head, this.head + size);
    this.head += size;
    this.inFlight = size;
    const result = await new Promise<ExportResult>((resolve) => {
      const timer = setTimeout(() => resolve({ code: ExportResultCode.FAILED, error: new Error('export timed out') }), timeoutMs);
      timer.unref(); // an export abandoned at shutdown must not keep the process alive
      try {
        this.options.exporter.export(batch.map((r) => toReadableSpan(r, this.options.resource)), (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      } catch (error) {
        clearTimeout(timer);
        resolve({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
    this.inFlight = 0;
    if (result.code !== ExportResultCode.SUCCESS) {
      this.options.onExportFailed?.(result.error);
      this.queue = batch.concat(this.queue.slice(this.head));
      this.head = 0;
      const excess = this.queued - this.options.maxQueue;
      if (excess > 0) {
        this.head = excess;
        this.options.onDropped('queue_full', excess);
      }
      return false;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.options.onExported?.(batch.length);
    return true;
  }
}
