// Lists the keys allowed at a path of the config, so an unknown-key error can say what was
// expected ("one of the keys group, version, kind, …") instead of only what was wrong. Reads the
// public JSON Schema of the config (the one `crotel schema` prints), not zod's internals.

import { configJsonSchema } from './schema.ts';

interface JsonSchema {
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

let root: JsonSchema | undefined;

/** The schema's alternatives at one node: a union or `$ref` stands for every branch. */
function branches(s: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 20) return [];
  if (s.$ref !== undefined) {
    const target = s.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
    return target ? branches(target as JsonSchema, depth + 1) : [];
  }
  const alternatives = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  return alternatives.length > 0 ? [s, ...alternatives.flatMap((b) => branches(b, depth + 1))] : [s];
}

export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  root ??= configJsonSchema() as JsonSchema;
  let nodes: JsonSchema[] = branches(root);
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const n of nodes) {
      if (typeof seg === 'number' && n.items) next.push(n.items);
      else if (typeof seg === 'string' && n.properties?.[seg]) next.push(n.properties[seg]);
      else if (typeof seg === 'string' && typeof n.additionalProperties === 'object') next.push(n.additionalProperties);
    }
    nodes = next.flatMap((n) => branches(n));
    if (nodes.length === 0) return [];
  }
  return [...new Set(nodes.flatMap((n) => Object.keys(n.properties ?? {})))];
}
