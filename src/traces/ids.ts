// Deterministic trace and span ids: a hash of the object's uid and the episode's key, so a
// restarted crotel (or another replica) continues the same trace, and a relist recomputes the
// same ids instead of minting new ones.
import { createHash } from 'node:crypto';

function hex(input: string, chars: number): string {
  const digest = createHash('sha256').update(input).digest('hex').slice(0, chars);
  // All-zero ids are invalid in W3C trace context; astronomically unlikely, but never emit one.
  return /^0+$/.test(digest) ? '1'.padStart(chars, '0') : digest;
}

export function traceIdFor(uid: string, episodeKey: string): string {
  return hex(`trace|${uid}|${episodeKey}`, 32);
}

export function spanIdFor(traceId: string, ...parts: (string | number)[]): string {
  return hex(`span|${traceId}|${parts.join('|')}`, 16);
}
