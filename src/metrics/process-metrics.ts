// The process metrics every Prometheus client library exports (process_cpu_seconds_total,
// process_resident_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds,
// nodejs_heap_size_*_bytes) and crotel_build_info, as OpenTelemetry instruments: the names below
// translate to exactly those on /metrics and through Prometheus' OTLP receiver.
import { readdirSync, readFileSync } from 'node:fs';
import type { Meter } from '@opentelemetry/api';

/** Open and maximum file descriptors (Linux /proc; undefined elsewhere). */
function fds(): { open: number; max: number | undefined } | undefined {
  try {
    const open = readdirSync('/proc/self/fd').length - 1; // minus the directory handle itself
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return { open, max: limit ? Number(limit[1]) : undefined };
  } catch {
    return undefined;
  }
}

export interface BuildInfo {
  readonly version: string;
  /** Source revision (git commit), when the build recorded one. */
  readonly revision?: string;
}

export function registerProcessMetrics(meter: Meter, build: BuildInfo): void {
  const startSeconds = Math.round((Date.now() - performance.now()) / 10) / 100; // process start, s since epoch
  const cpu = meter.createObservableCounter('process.cpu', { description: 'Total user and system CPU time spent in seconds', unit: 's' });
  const rss = meter.createObservableGauge('process.resident_memory', { description: 'Resident memory size in bytes', unit: 'By' });
  const openFds = meter.createObservableGauge('process.open_fds', { description: 'Number of open file descriptors', unit: '{fd}' });
  const maxFds = meter.createObservableGauge('process.max_fds', { description: 'Maximum number of open file descriptors', unit: '{fd}' });
  const start = meter.createObservableGauge('process.start_time', { description: 'Start time of the process since unix epoch in seconds', unit: 's' });
  const heapUsed = meter.createObservableGauge('nodejs.heap_size_used', { description: 'V8 heap in use, in bytes', unit: 'By' });
  const heapTotal = meter.createObservableGauge('nodejs.heap_size_total', { description: 'V8 heap size, in bytes', unit: 'By' });
  const buildInfo = meter.createObservableGauge('crotel.build_info', { description: 'Always 1; the labels say which crotel build runs on which Node.js' });
  const buildAttributes = { version: build.version, node_version: process.version, ...(build.revision ? { revision: build.revision } : {}) };
  meter.addBatchObservableCallback((observer) => {
    const usage = process.cpuUsage();
    observer.observe(cpu, (usage.user + usage.system) / 1e6);
    observer.observe(rss, process.memoryUsage.rss());
    const heap = process.memoryUsage();
    observer.observe(heapUsed, heap.heapUsed);
    observer.observe(heapTotal, heap.heapTotal);
    observer.observe(start, startSeconds);
    const f = fds();
    if (f) {
      observer.observe(openFds, f.open);
      if (f.max !== undefined) observer.observe(maxFds, f.max);
    }
    observer.observe(buildInfo, 1, buildAttributes);
  }, [cpu, rss, openFds, maxFds, start, heapUsed, heapTotal, buildInfo]);
}
