// Watches that never connect: the caller hands each collection's sink what a Reflector would (a
// list, then watch events), so a benchmark replaying a recording, or a test, runs crotel's own
// pipeline (createPipeline) without an apiserver.
import type { ReflectorSink, ReflectorState, Watcher, WatcherFactory, WatchSpec } from '../kube/reflector.ts';

export class FedWatch implements Watcher {
  readonly spec: WatchSpec;
  state: ReflectorState = 'starting';
  synced = false;
  lastError: string | undefined;
  private readonly onStop: ((watch: FedWatch) => void) | undefined;

  constructor(spec: WatchSpec, onStop?: (watch: FedWatch) => void) {
    this.spec = spec;
    this.onStop = onStop;
  }

  get description(): string {
    const { ref, namespace } = this.spec;
    return `${ref.group || 'core'}/${ref.version}/${ref.kind}${namespace ? ` in ${namespace}` : ''}${this.spec.fieldSelector ? ` (${this.spec.fieldSelector})` : ''}`;
  }

  /** Where the collection's objects go: the pipeline's CappedSink → ResourceStore (or the Events sink). */
  get sink(): ReflectorSink {
    return this.spec.sink;
  }

  start(): void {
    if (this.state === 'starting') this.state = 'watching';
  }

  stop(): Promise<void> {
    this.state = 'stopped';
    this.onStop?.(this);
    return Promise.resolve();
  }

  /** A complete list, page by page, as the Reflector delivers it; the watch is synced after it.
   *  `viewThrough`: what the Reflector reports for a relist (the last version it handled);
   *  `resourceVersion`: the list's. */
  list(pages: Iterable<readonly unknown[]>, viewThrough?: string, resourceVersion?: string): void {
    this.sink.beginList(viewThrough);
    for (const page of pages) this.sink.listPage(page);
    this.sink.endList(resourceVersion);
    this.synced = true;
  }
}

/** A WatcherFactory whose watches are fed by the caller; `watches` holds every one built, in order. */
export class FedWatches {
  readonly watches: FedWatch[] = [];
  private readonly onStop: ((watch: FedWatch) => void) | undefined;

  constructor(options: { readonly onStop?: (watch: FedWatch) => void } = {}) {
    this.onStop = options.onStop;
  }

  readonly factory: WatcherFactory = (spec) => {
    const watch = new FedWatch(spec, this.onStop);
    this.watches.push(watch);
    return watch;
  };

  /** The watch of a kind (its first, or the one in `namespace`); Events watches are found by kind 'Event'. */
  of(kind: string, namespace?: string): FedWatch {
    const watch = this.watches.find((w) => w.spec.ref.kind === kind && (namespace === undefined || w.spec.namespace === namespace));
    if (!watch) throw new Error(`no watch of ${kind}${namespace ? ` in ${namespace}` : ''}`);
    return watch;
  }
}
