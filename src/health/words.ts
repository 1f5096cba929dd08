// The vocabulary of the generic rules: which condition types say "healthy when True", which say
// "broken when True", and what phase words mean. Matched case-insensitively; kept here as data so
// a wrong guess is a one-line change with a test case next to it.

/** Condition types whose True status means something is wrong. */
export const FAILURE_TYPES: ReadonlySet<string> = new Set([
  'degraded', 'failed', 'failure', 'error', 'errored', 'notready', 'unhealthy', 'unavailable', 'invalid', 'invalidspec',
  'denied', 'rejected', 'reconcileerror', 'reconcilefailed', 'reconciliationfailed', 'replicafailure', 'crashloop',
  'terminalerror', 'installfailed', 'upgradefailed', 'configerror', 'validationfailed', 'lastasyncoperationfailed',
]);

/** Suffixes that make a condition type a failure type (FetchFailed, ProvisioningError, SyncDegraded). */
export const FAILURE_SUFFIXES: readonly string[] = ['failed', 'failure', 'error', 'errors', 'degraded'];

/** Condition types (after the failure check) that are informational, whatever their status. */
export const INFORMATIONAL_TYPES: ReadonlySet<string> = new Set(['warning', 'warnings', 'deprecated', 'progressing', 'reconciling', 'stalled']);

/** Condition types whose True status means healthy, False means degraded, Unknown in progress. */
export const HEALTH_TYPES: ReadonlySet<string> = new Set([
  'ready', 'available', 'healthy', 'synced', 'established', 'succeeded', 'complete', 'completed', 'accepted', 'programmed',
  'resolvedrefs', 'reconciled', 'installed', 'reconcilesuccess', 'released', 'active', 'valid', 'bound', 'provisioned',
  'initialized', 'running', 'online', 'deployed', 'serving', 'namesaccepted', 'ok',
]);

/** Suffixes that make a condition type a health type (ConfigurationsReady, ClusterAvailable). */
export const HEALTH_SUFFIXES: readonly string[] = ['ready', 'available', 'healthy', 'synced'];

/** Conditions that say the object is paused on purpose when True. */
export const PAUSE_TYPES: ReadonlySet<string> = new Set(['paused', 'suspended', 'hibernated', 'hibernation']);

export type PhaseMeaning = 'degraded' | 'suspended' | 'unknown' | 'in_progress' | 'current';

// Checked in this order over the phase's words, so "Failing over" is degraded and "Waiting to
// become Active" is in progress.
const PHASE_WORDS: readonly (readonly [PhaseMeaning, ReadonlySet<string>])[] = [
  ['degraded', new Set(['failed', 'failure', 'error', 'errored', 'degraded', 'failing', 'unhealthy', 'crashloopbackoff', 'invalid', 'rejected', 'lost', 'unavailable', 'aborted', 'broken', 'critical', 'red', 'denied', 'notready', 'partiallyfailed', 'failedvalidation', 'timeout', 'timedout', 'expired', 'warn', 'err', 'faulted', 'missing'])],
  ['suspended', new Set(['paused', 'suspended', 'hibernated', 'hibernating', 'stopped', 'disabled', 'halted'])],
  ['unknown', new Set(['unknown', 'none'])],
  ['in_progress', new Set(['pending', 'provisioning', 'creating', 'initializing', 'initialising', 'starting', 'updating', 'upgrading', 'inprogress', 'progressing', 'deploying', 'installing', 'reconciling', 'waiting', 'scheduling', 'scaling', 'restarting', 'deleting', 'terminating', 'new', 'queued', 'setting', 'switchover', 'promoting', 'migrating', 'rolling', 'syncing', 'building', 'applying', 'processing', 'stopping', 'resuming', 'unready', 'configuring', 'bootstrapping', 'upgradeinprogress', 'expanding', 'finalising', 'finalizing', 'waitingpromotion', 'submitted', 'attaching', 'detaching', 'init'])],
  ['current', new Set(['succeeded', 'success', 'successful', 'completed', 'complete', 'running', 'ready', 'active', 'available', 'healthy', 'bound', 'deployed', 'established', 'synced', 'provisioned', 'online', 'done', 'finished', 'reconciled', 'created', 'up', 'ok', 'green', 'installed', 'released', 'serving', 'normal', 'valid', 'issued', 'started', 'initialized', 'connected', 'operational', 'enabled', 'accepted', 'successful', 'attached'])],
];

/** What a status.phase says, or undefined when none of its words is known. */
export function phaseMeaning(phase: string): PhaseMeaning | undefined {
  const words = phase.toLowerCase().split(/[^a-z]+/).filter((w) => w !== '');
  for (const [meaning, set] of PHASE_WORDS) {
    for (const w of words) if (set.has(w)) return meaning;
  }
  // CamelCase compounds (FailedMount, ErrorImagePull) start with a failure word.
  for (const w of words) if (w.startsWith('fail') || w.startsWith('error') || w.endsWith('failed') || w.endsWith('error')) return 'degraded';
  return undefined;
}

export function isFailureType(type: string): boolean {
  const t = type.toLowerCase();
  if (FAILURE_TYPES.has(t)) return true;
  return FAILURE_SUFFIXES.some((s) => t.length > s.length && t.endsWith(s));
}

export function isHealthType(type: string): boolean {
  const t = type.toLowerCase();
  if (t.startsWith('not') || t.startsWith('un') || INFORMATIONAL_TYPES.has(t)) return false;
  if (HEALTH_TYPES.has(t)) return true;
  return HEALTH_SUFFIXES.some((s) => t.endsWith(s));
}
