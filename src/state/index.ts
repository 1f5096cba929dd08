// src/state: What crotel holds per watched kind: the ResourceStore (uid → Snapshot), the series budget, the
// object caps, sharding, and the Snapshot diff that becomes Transitions.
export * from './budget.ts';
export * from './capped-sink.ts';
export * from './diff.ts';
export * from './shard.ts';
export * from './store.ts';
