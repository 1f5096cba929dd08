// What the Reflector needs from an apiserver, and nothing else: find a kind's collection, list
// it a page at a time, and stream a watch's bytes (client-go's ListerWatcher). The production
// one is HTTP (http.ts, watch-stream.ts); unit tests give the Reflector a scripted fake.
import type { ApiServer } from './credentials.ts';
import type { ResourceRef } from '../model.ts';
import { collectionPath, discoverResource, type ResolvedResource } from './discovery.ts';
import { kubeGetJson } from './http.ts';
import { pooledStreamGet, streamGet, type BodyListener } from './watch-stream.ts';

export interface Selectors {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

export interface ListRequest extends Selectors {
  readonly limit: number;
  readonly continue?: string;
}

export interface WatchRequest extends Selectors {
  readonly resourceVersion: string;
  /** Server-side: the apiserver ends the watch cleanly after this long. */
  readonly timeoutSeconds: number;
  /** A short look for changes since resourceVersion (see ReflectorOptions.probeAfterMs), not the watch itself. */
  readonly probe?: boolean;
}

export interface ListerWatcher {
  /** Throws ResourceNotServedError when the kind is not served (yet). */
  discover(ref: ResourceRef, signal: AbortSignal): Promise<ResolvedResource>;
  /** One page; a KubeHttpError for a non-2xx answer. */
  list(resource: ResolvedResource, request: ListRequest, signal: AbortSignal): Promise<ListPage>;
  /**
   * Streams the watch body into onBytes (valid only during the call); onStart once the server
   * answered 2xx. Resolves when the server ends the stream; rejects on any failure or abort.
   */
  watch(resource: ResolvedResource, request: WatchRequest, signal: AbortSignal, onBytes: BodyListener, onStart: () => void): Promise<void>;
}

function selectorQuery(query: URLSearchParams, s: Selectors): URLSearchParams {
  if (s.labelSelector) query.set('labelSelector', s.labelSelector);
  if (s.fieldSelector) query.set('fieldSelector', s.fieldSelector);
  return query;
}

/** The apiserver behind a kubeconfig. */
export function kubeListerWatcher(kc: ApiServer): ListerWatcher {
  return {
    discover: (ref, signal) => discoverResource(kc, ref, signal),
    list(resource, request, signal) {
      const query = new URLSearchParams({ limit: String(request.limit) });
      if (request.continue) query.set('continue', request.continue);
      selectorQuery(query, request);
      return kubeGetJson<ListPage>(kc, `${collectionPath(resource, request.namespace)}?${query}`, signal);
    },
    watch(resource, request, signal, onBytes, onStart) {
      const query = selectorQuery(new URLSearchParams({
        watch: '1',
        resourceVersion: request.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(request.timeoutSeconds),
      }), request);
      const path = `${collectionPath(resource, request.namespace)}?${query}`;
      // A probe lasts a second (its timeoutSeconds) and comes every 10 s of silence: over the
      // shared keep-alive pool it reuses a connection, where a connection of its own would cost a
      // TLS handshake each time. The watch itself keeps its own connection (watch-stream.ts).
      if (request.probe) return pooledStreamGet(kc, path, signal, onBytes, onStart);
      return streamGet(kc, path, signal, onBytes, onStart);
    },
  };
}
