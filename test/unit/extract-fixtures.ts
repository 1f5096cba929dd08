// Test helper (not a test): loads the shared operator fixtures and the reference workload.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

// A copy of the shared operator fixtures lives in the repo, so a clean checkout tests alone.
export const FIXTURES_DIR = new URL('../fixtures/operators/', import.meta.url).pathname;
export const EXAMPLE_DIR = new URL('../../examples/databaseinstance/', import.meta.url).pathname;

export interface FixtureObject {
  /** `dir/file.yaml` or `dir/file.yaml#N` for multi-document files. */
  readonly id: string;
  readonly object: Record<string, unknown>;
}

export function loadYamlDocs(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);
}

/** Every non-CRD object in the fixtures, keyed by file (and document index when several). */
let cached: FixtureObject[] | undefined;

export function fixtureObjects(): FixtureObject[] {
  if (cached) return cached;
  const out: FixtureObject[] = [];
  for (const dir of readdirSync(FIXTURES_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(FIXTURES_DIR, dir.name)).sort()) {
      // CRD files are large (up to 800 KB) and hold no objects: skip them unparsed.
      if (!f.endsWith('.yaml') || f.startsWith('crd-')) continue;
      const docs = loadYamlDocs(join(FIXTURES_DIR, dir.name, f)).filter((o) => o.kind !== 'CustomResourceDefinition');
      docs.forEach((object, i) => out.push({ id: docs.length > 1 ? `${dir.name}/${f}#${i}` : `${dir.name}/${f}`, object }));
    }
  }
  cached = out;
  return out;
}

/** The fixture with a uid added when it has none (documentation fixtures often lack one). */
export function withUid(o: Record<string, unknown>, uid = 'test-uid'): Record<string, unknown> {
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  return { ...o, metadata: { uid, ...meta } };
}
