// Reads and validates a config file: YAML (with positions) → zod → Config, or a ConfigError
// listing every problem with its file, path, line:column, expected and got.

import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { readHealthCheckExprsFile } from '../health/flux-file.ts';
import type { z } from 'zod';
import { ConfigError, formatConfigPath, type ConfigProblem } from './errors.ts';
import { crossCheck } from './crosscheck.ts';
import { configSchema } from './schema.ts';
import { allowedKeysAt } from './shape.ts';
import { positionOf, readYamlFile, sortProblems, yamlSyntaxProblems } from './yaml-file.ts';
import type { Config } from './schema.ts';

export function loadConfigFile(path: string): Config {
  const text = readYamlFile(path, 'a readable file');
  const config = parseConfigText(text, path);
  if (config.healthCheckExprsFile === undefined) return config;
  // Like ksmConfig, a relative path is relative to the config file.
  const file = isAbsolute(config.healthCheckExprsFile) ? config.healthCheckExprsFile : resolve(dirname(path), config.healthCheckExprsFile);
  return { ...config, healthChecks: readHealthCheckExprsFile(file) };
}

export function parseConfigText(text: string, fileName: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => positionOf(lineCounter, offset);

  if (doc.errors.length > 0) {
    throw new ConfigError(fileName, yamlSyntaxProblems(fileName, doc.errors, lineCounter));
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(fileName, [{ file: fileName, path: '(yaml)', expected: 'valid YAML', got: firstLine((e as Error).message) }]);
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  const found: IssueText[] = crossCheck(data).map((c) => ({ ...c, atKey: false }));
  if (result.success && found.length === 0) return result.data;
  if (!result.success) found.push(...result.error.issues.flatMap(describeIssue));

  const problems: ConfigProblem[] = found.map((p) => ({
    file: fileName,
    path: formatConfigPath(p.path),
    ...at(shifted(doc, p.path, offsetOf(doc, p.path, p.atKey), p.offset)),
    expected: p.expected,
    got: p.got,
  }));
  sortProblems(problems);
  throw new ConfigError(fileName, problems);
}

interface IssueText {
  path: PropertyKey[];
  /** Point at the key rather than the value (unknown keys). */
  atKey: boolean;
  /** Character inside the scalar the problem is at (a CEL expression's error position). */
  offset?: number;
  expected: string;
  got: string;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
};

function describeIssue(issue: z.core.$ZodIssue): IssueText[] {
  const base = { path: issue.path, atKey: false };
  switch (issue.code) {
    case 'invalid_type':
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return [{ ...base, expected: `a finite ${issue.expected === 'int' ? 'integer' : 'number'}`, got: describeValue(issue.input) }];
      return [{ ...base, expected: TYPE_WORDS[issue.expected] ?? issue.expected, got: issue.input === undefined ? 'nothing (required key missing)' : describeValue(issue.input) }];
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(issue.path);
      const expected = allowed.length > 0 ? `one of the keys ${allowed.join(', ')}` : 'no other keys';
      return issue.keys.map((k) => ({ path: [...issue.path, k], atKey: true, expected, got: `unknown key ${JSON.stringify(k)}` }));
    }
    case 'too_small':
      return [{ ...base, expected: issue.origin === 'array' ? `at least ${issue.minimum} item(s)` : issue.origin === 'string' ? `at least ${issue.minimum} character(s)` : `a value ${issue.inclusive === false ? '>' : '>='} ${issue.minimum}`, got: describeValue(issue.input) }];
    case 'too_big':
      return [{ ...base, expected: issue.origin === 'array' ? `at most ${issue.maximum} item(s)` : issue.origin === 'string' ? `at most ${issue.maximum} character(s)` : `a value ${issue.inclusive === false ? '<' : '<='} ${issue.maximum}`, got: describeValue(issue.input) }];
    case 'invalid_union':
      return [{ ...base, expected: 'a string, number or boolean', got: describeValue(issue.input) }];
    case 'invalid_value':
      return [{ ...base, expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`, got: describeValue(issue.input) }];
    case 'invalid_key':
      return issue.issues.flatMap((inner) => describeIssue({ ...inner, path: issue.path } as z.core.$ZodIssue)).map((t) => ({ ...t, atKey: true }));
    case 'custom': {
      const params = issue.params as { expected?: unknown; got?: unknown; offset?: unknown } | undefined;
      if (typeof params?.expected === 'string' && typeof params.got === 'string') {
        return [{ ...base, expected: params.expected, got: params.got, ...(typeof params.offset === 'number' ? { offset: params.offset } : {}) }];
      }
      return [{ ...base, expected: 'a valid value', got: issue.message }];
    }
    default:
      // Our regex checks carry messages of the form "expected …".
      return [{ ...base, expected: issue.message.replace(/^expected /, ''), got: describeValue(issue.input) }];
  }
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // JSON.stringify would print null: say what YAML gave (1e400 reads as Infinity).
  if (typeof v === 'number' && !Number.isFinite(v)) return `number ${String(v)} (out of range: not a finite number)`;
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 60 ? `${s.slice(0, 57)}…` : s}`;
}

// Offset of the node at `path`, or of its nearest existing ancestor when the key is missing.
function offsetOf(doc: Document, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  const keys = path.filter((k): k is string | number => typeof k === 'string' || typeof k === 'number');
  for (let n = keys.length; n >= 0; n--) {
    if (atKey && n === keys.length && n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(keys[n - 1]));
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return keyNode.range[0];
      }
      continue;
    }
    const node = (n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true)) as Node | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return undefined;
}

/**
 * Moves a scalar's position to a character inside it, for plain and quoted one-line scalars
 * (block scalars and escapes make the mapping inexact, so they keep the scalar's own position).
 */
export function shifted(doc: Document, path: readonly PropertyKey[], start: number | undefined, offset: number | undefined): number | undefined {
  if (start === undefined || offset === undefined) return start;
  const keys = path.filter((k): k is string | number => typeof k === 'string' || typeof k === 'number');
  const node = doc.getIn(keys, true);
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.includes('\n')) return start;
  if (node.type === 'PLAIN') return start + offset;
  if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && !node.source?.includes('\\')) return start + 1 + offset;
  return start;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
