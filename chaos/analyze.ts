// Reads a chaos run's dump (npm run chaos -- … --dump FILE) and says, for each missing span, whose
// it was to ship: the Lease history gives each leader's term as a range of resourceVersions
// (crotel.io/spans-through), so the change that closed a span names its owner. Then what happened
// to that owner around then (the faults it took). A diagnostic for failing runs, not part of the verdict.
//   node chaos/analyze.ts FILE
import { readFileSync, existsSync } from 'node:fs';

interface LeaseRecord { at: number; rv: string; holder: string; through?: string; unseen?: string }
interface Missing { name: string; uid: string; closedAt: number; closedRv: string; openedAt: number }
interface Fault { kind: string; start: number; end: number; detail: string }
interface Dump { started: number; faults: Fault[]; leaseHistory: LeaseRecord[]; missing: Missing[]; led: Record<string, { from: number; to: number | null }[]> }

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node chaos/analyze.ts DUMP.json\n');
  process.exit(2);
}
const dump = JSON.parse(readFileSync(file, 'utf8')) as Dump;
const rel = (t: number): string => `${((t - dump.started) / 1000).toFixed(1)} s`;

// Lease holder identities → replica names, from each replica's start log line.
const names = new Map<string, string>();
for (const replica of ['a', 'b']) {
  const log = `${file}.replica-${replica}.log`;
  if (!existsSync(log)) continue;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /"leaseHolderIdentity":"([^"]+)"/.exec(line);
    if (m) names.set(m[1]!, replica);
  }
}
const nameOf = (identity: string): string => names.get(identity) ?? (identity === '' ? '(released)' : identity);

/** The record that first reported through rv, and the holder whose term it is. */
function ownerOf(rv: bigint): { owner: string; record?: LeaseRecord; why: string } {
  let previousHolder = '';
  for (const record of dump.leaseHistory) {
    const through = record.through === undefined ? undefined : BigInt(record.through);
    const holder = record.holder === '' ? previousHolder : record.holder; // a release reports its own term
    const unseen = /^(\d+)-(\d+)$/.exec(record.unseen ?? '');
    if (unseen && rv > BigInt(unseen[1]!) && rv <= BigInt(unseen[2]!)) return { owner: `the follower of ${nameOf(holder)} (unseen range)`, record, why: 'unseen' };
    if (through !== undefined && through >= rv) return { owner: nameOf(holder), record, why: record.holder === '' ? 'release' : 'report' };
    previousHolder = holder;
  }
  return { owner: '(no report covers it)', why: 'none' };
}

const groups = new Map<string, Missing[]>();
for (const m of dump.missing) {
  const { owner, record } = ownerOf(BigInt(m.closedRv || '0'));
  const near = dump.faults.filter((f) => f.end >= m.closedAt - 15_000 && f.start <= m.closedAt + 30_000).map((f) => `${f.kind}@${rel(f.start)}`);
  const key = `owner ${owner}; reported at ${record ? rel(record.at) : '-'}; faults near: ${near.join(', ') || 'none'}`;
  groups.set(key, [...(groups.get(key) ?? []), m]);
}
const sorted = [...groups].sort((x, y) => y[1].length - x[1].length);
console.log(`${dump.missing.length} missing spans; Lease records: ${dump.leaseHistory.length}; identities: ${[...names].map(([k, v]) => `${v}=${k}`).join(', ')}`);
for (const [key, list] of sorted) {
  const times = list.map((m) => m.closedAt).sort((a, b) => a - b);
  console.log(`${String(list.length).padStart(5)}  ${key}; closed ${rel(times[0]!)} … ${rel(times.at(-1)!)}; e.g. ${list[0]!.name} rv ${list[0]!.closedRv}`);
}
console.log('\nfaults:');
for (const f of dump.faults) console.log(`  ${rel(f.start).padStart(8)} … ${rel(f.end).padStart(8)}  ${f.kind}: ${f.detail}`);
console.log('\nLease terms:');
let last = '';
for (const r of dump.leaseHistory) {
  if (r.holder === last) continue;
  console.log(`  ${rel(r.at).padStart(8)}  ${nameOf(r.holder).padEnd(12)} through ${r.through ?? '-'}${r.unseen ? ` unseen ${r.unseen}` : ''}`);
  last = r.holder;
}
