// src/kube: Everything that talks to the apiserver: kubeconfig (loading, merging, the context), credentials
// per request (tokens, certificates, exec plugins), HTTP, discovery, the ListerWatcher seam, the
// watch stream and its line splitter, the Reflector (its backoff is src/backoff.ts, shared with the span shipper) and coalescing, leader election,
// and the clock seam the unit tests replace.
export * from './clock.ts';
export * from './coalesce.ts';
export * from './credentials.ts';
export * from './discovery.ts';
export * from './exec-credential.ts';
export * from './http.ts';
export * from './kubeconfig.ts';
export * from './leader.ts';
export * from './lines.ts';
export * from './lister-watcher.ts';
export * from './reflector.ts';
export * from './watch-stream.ts';
