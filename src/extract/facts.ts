// The lifecycle facts every Snapshot carries, read once per object: identity, generations,
// phase, conditions, timestamps. Shapes that break conventions become errors, never throws.

import { intern } from './intern.ts';
import type { ConditionSnapshot, ExtractionError, Health } from '../model.ts';
import type { HealthConfig } from '../config/index.ts';
import { readConditions } from './conditions.ts';
import { healthOf, type HealthFacts } from './health.ts';
import { labelText } from './labels.ts';
import { wellFormed } from './guard.ts';
import { redact, type Redactor } from './redact.ts';
import { isPlainObject } from './resolve.ts';
import { isGoZeroTime, parseTimestamp } from './time.ts';

export interface ObjectFacts extends HealthFacts {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  /** status.phase, raw, for rules and comparisons; `phaseText` is the redacted export form. */
  readonly phase?: string;
  readonly phaseText?: string;
  readonly conditions: readonly ConditionSnapshot[];
  readonly createdAt?: number;
  readonly deletingSince?: number;
  /** name and namespace as exported (redacted, capped, well-formed). */
  readonly nameText: string;
  readonly namespaceText: string;
  /** True when uid, name or namespace changed on the way to a label: two objects could then share a series. */
  readonly identityAltered: boolean;
}

export type FactsResult = { readonly facts: ObjectFacts } | { readonly invalid: string };

export const CONDITIONS_PATH = 'status.conditions';

export function readFacts(object: unknown, redactor: Redactor, errors: ExtractionError[]): FactsResult {
  if (!isPlainObject(object)) return { invalid: `expected an object, got ${Array.isArray(object) ? 'a list' : object === null ? 'null' : typeof object}` };
  const meta = object.metadata;
  if (!isPlainObject(meta)) return { invalid: 'metadata is missing or not an object' };
  const { uid, name } = meta;
  if (typeof uid !== 'string' || uid === '') return { invalid: 'metadata.uid is missing' };
  if (typeof name !== 'string' || name === '') return { invalid: 'metadata.name is missing' };
  const status = isPlainObject(object.status) ? object.status : undefined;

  const generation = integerAt(meta.generation, 'metadata.generation', errors);
  const observedGeneration = integerAt(status?.observedGeneration, 'status.observedGeneration', errors);
  const spec = isPlainObject(object.spec) ? object.spec : undefined;
  // spec.suspend (Flux, CronJob-style) and spec.paused (Argo Rollouts, Cluster API, Deployments) say "paused on purpose".
  const suspended = spec !== undefined && (spec.suspend === true || spec.paused === true);
  const statusShape = status === undefined ? 'absent' : Object.keys(status).length === 0 ? 'empty' : 'present';
  const stateWord = status === undefined ? undefined : stateWordOf(status);
  const readyFlag = typeof status?.ready === 'boolean' ? status.ready : undefined;

  let phase: string | undefined;
  if (typeof status?.phase === 'string' && status.phase !== '') phase = status.phase;
  else if (status?.phase !== undefined && status.phase !== null && status.phase !== '') {
    errors.push({ path: 'status.phase', reason: `expected a string, got ${Array.isArray(status.phase) ? 'a list' : typeof status.phase}` });
  }

  const conditions = readConditions(status?.conditions, CONDITIONS_PATH, redactor, errors);
  const deletion = meta.deletionTimestamp;
  const deleting = deletion !== undefined && deletion !== null;

  const namespace = typeof meta.namespace === 'string' ? intern(meta.namespace) : '';
  const nameText = identityText(name, redactor);
  const namespaceText = identityText(namespace, redactor);
  const facts: ObjectFacts = {
    uid,
    name,
    namespace,
    nameText,
    namespaceText,
    identityAltered: nameText !== name || namespaceText !== namespace || identityText(uid, redactor) !== uid,
    resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '',
    deleting,
    suspended,
    statusShape,
    ...(stateWord !== undefined ? { stateWord } : {}),
    ...(readyFlag !== undefined ? { readyFlag } : {}),
    conditions,
    ...(generation !== undefined ? { generation } : {}),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    ...(phase !== undefined ? { phase, phaseText: labelText(phase, redactor) } : {}),
    ...timestampField('createdAt', meta.creationTimestamp, 'metadata.creationTimestamp', errors),
    ...timestampField('deletingSince', deletion, 'metadata.deletionTimestamp', errors),
  };
  return { facts };
}

// Where operators without status.phase put their one-word state (Percona `state`, Istio `status`,
// MinIO `currentState`, KubeVirt `printableStatus`, VictoriaMetrics `updateStatus`, Argo CD `health.status`).
const STATE_FIELDS = ['state', 'status', 'currentState', 'printableStatus', 'updateStatus', 'clusterStatus', 'health'] as const;

function stateWordOf(status: Record<string, unknown>): string | undefined {
  for (const k of STATE_FIELDS) {
    const v = status[k];
    if (typeof v === 'string' && v !== '' && v.length <= 64) return v;
    if (k === 'health' && isPlainObject(v) && typeof v.status === 'string' && v.status !== '') return v.status;
  }
  return undefined;
}

// Integers may arrive as strings (Argo Rollouts writes observedGeneration as "3"): read them as numbers.
const INTEGER_TEXT = /^-?\d{1,15}$/;

function identityText(v: string, redactor: Redactor): string {
  return v === '' ? v : wellFormed(labelText(v, redactor));
}

function integerAt(v: unknown, path: string, errors: ExtractionError[]): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string') {
    // Old Argo Rollouts write a hash here: a real shape that says nothing about generations.
    return INTEGER_TEXT.test(v) ? Number(v) : undefined;
  }
  errors.push({ path, reason: `expected an integer, got ${typeof v === 'number' ? 'a non-integer number' : typeof v}` });
  return undefined;
}

function timestampField<K extends string>(key: K, v: unknown, path: string, errors: ExtractionError[]): Partial<Record<K, number>> {
  if (v === undefined || v === null) return {};
  const t = typeof v === 'string' ? parseTimestamp(v) : undefined;
  if (t === undefined) {
    errors.push({ path, reason: 'expected an RFC 3339 time' });
    return {};
  }
  if (isGoZeroTime(t)) return {}; // Go's zero time: never set
  return { [key]: t.epochMs } as Partial<Record<K, number>>;
}

/** Generic health of a raw object, for callers without a compiled resource (tools, tests). */
export function objectHealth(object: unknown, config?: HealthConfig): Health | undefined {
  // Health needs no identity, so give objects without uid/name a stand-in to read the rest.
  const meta = isPlainObject(object) && isPlainObject(object.metadata) ? object.metadata : {};
  const probe = isPlainObject(object) ? { ...object, metadata: { uid: '-', name: '-', ...meta } } : object;
  const r = readFacts(probe, redact, []);
  return 'facts' in r ? healthOf(r.facts, config) : undefined;
}
