// src/state: What crotel holds per watched kind: the ResourceStore (uid → Snapshot), the series budget, the
// object caps and sharding. (The Snapshot diff that becomes Transitions is the traces' own: src/traces/diff.ts.)
export * from './budget.ts';
export * from './capped-sink.ts';
export * from './shard.ts';
export * from './store.ts';
