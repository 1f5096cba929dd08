// One copy of each small string that many objects share (namespaces, label values such as
// engine or version, phases, condition types, statuses, reasons and messages). JSON.parse gives every
// object its own copies; keeping a single one is most of what a Snapshot weighs after its
// unique strings. Bounded: past the cap, strings are kept as they are.
// Long enough for the usual condition messages ("Database is provisioned and ready").
const MAX_LENGTH = 128;
const MAX_ENTRIES = 100_000;
const pool = new Map<string, string>();

export function intern(value: string): string {
  if (value.length > MAX_LENGTH) return value;
  const known = pool.get(value);
  if (known !== undefined) return known;
  if (pool.size < MAX_ENTRIES) pool.set(value, value);
  return value;
}
