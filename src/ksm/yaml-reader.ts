// Reading YAML nodes the way kube-state-metrics' decoder (goyaml.v3 into Go structs, non-strict)
// reads them: any scalar where a string is expected (its text as written), null as the zero
// value, unknown keys ignored (kept as warnings). Every problem is recorded with the file, the
// path inside it (config/errors.ts formatting) and the line:column (config/yaml-file.ts), so
// one read reports everything wrong with a file at once.

import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { ConfigError, formatConfigPath, positionOf, sortProblems, yamlSyntaxProblems, type ConfigProblem } from '../config/index.ts';

export type Path = readonly (string | number)[];

const YAML_TRUE = ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'];
const YAML_FALSE = ['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'];

/** What a node is, for a problem's `got`. */
export function describeNode(n: Node | null | undefined): string {
  if (n === null || n === undefined) return 'nothing';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isAlias(n)) return 'an alias';
  return `${JSON.stringify((n as Scalar).source ?? (n as Scalar).value)}`;
}

/** Null, `~` or an empty value: Go's zero value. */
export function isNull(n: Node | null): boolean {
  return n === null || (isScalar(n) && n.value === null && (n.type === 'PLAIN' || n.type === undefined));
}

/** The first document of `text` (kube-state-metrics decodes only that), or a ConfigError. */
export function firstDocument(text: string, file: string, what: string): { readonly doc: Document; readonly lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc || doc.contents === null) throw new ConfigError(file, [{ file, path: '(root)', expected: what, got: 'an empty file' }]);
  if (doc.errors.length > 0) throw new ConfigError(file, yamlSyntaxProblems(file, doc.errors, lineCounter));
  return { doc, lineCounter };
}

export class KsmYamlReader {
  readonly file: string;
  private readonly doc: Document;
  private readonly lineCounter: LineCounter;
  private readonly problems: ConfigProblem[] = [];
  /** Keys kube-state-metrics ignores (often typos), as `file:line: path: message`. */
  readonly warnings: string[] = [];

  constructor(file: string, doc: Document, lineCounter: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lineCounter = lineCounter;
  }

  /** The document's top node. */
  root(): Node | null {
    return this.resolve(this.doc.contents);
  }

  at(node: Node | null | undefined): { line?: number; column?: number } {
    return positionOf(this.lineCounter, node?.range?.[0]);
  }

  problem(path: Path, node: Node | null | undefined, expected: string, got: string): void {
    this.problems.push({ file: this.file, path: formatConfigPath(path), ...this.at(node), expected, got });
  }

  /** Throws every problem recorded, in file order; returns when there is none. */
  throwProblems(): void {
    if (this.problems.length === 0) return;
    sortProblems(this.problems);
    throw new ConfigError(this.file, this.problems);
  }

  /** Follows an alias to its node. */
  resolve(n: unknown): Node | null {
    const node = (isAlias(n) ? n.resolve(this.doc) : n) as Node | null | undefined;
    return node ?? null;
  }

  str(n: Node | null, path: Path): string | undefined {
    if (isNull(n)) return '';
    if (isScalar(n)) return n.source ?? String(n.value);
    this.problem(path, n, 'a string', describeNode(n));
    return undefined;
  }

  /** undefined when the node or an item is not a string (reported). */
  strList(n: Node | null, path: Path): string[] | undefined {
    if (isNull(n)) return [];
    if (!isSeq(n)) {
      this.problem(path, n, 'a list of strings, e.g. [status, phase]', describeNode(n));
      return undefined;
    }
    const out: string[] = [];
    n.items.forEach((item, i) => {
      const s = this.str(this.resolve(item), [...path, i]);
      if (s !== undefined) out.push(s);
    });
    return out.length === n.items.length ? out : undefined;
  }

  /** YAML 1.1 booleans as goyaml reads them into a bool. */
  bool(n: Node | null, path: Path): boolean {
    if (isNull(n)) return false;
    if (isScalar(n)) {
      if (typeof n.value === 'boolean') return n.value;
      const s = n.source ?? String(n.value);
      if (YAML_TRUE.includes(s)) return true;
      if (YAML_FALSE.includes(s)) return false;
    }
    this.problem(path, n, 'a boolean (true or false)', describeNode(n));
    return false;
  }

  /** Checks an integer field crotel does not use (errorLogV). */
  int(n: Node | null, path: Path): void {
    if (isNull(n)) return;
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value)) return;
    this.problem(path, n, 'an integer', describeNode(n));
  }

  /** A mapping's known fields by name; unknown keys become warnings, as kube-state-metrics ignores them. */
  fields(n: Node | null, path: Path, known: readonly string[], what: string): Map<string, Node | null> | undefined {
    if (isNull(n)) return new Map();
    if (!isMap(n)) {
      this.problem(path, n, what, describeNode(n));
      return undefined;
    }
    const out = new Map<string, Node | null>();
    for (const { key, keyNode, value } of this.entries(n.items as Pair[], path)) {
      if (!known.includes(key)) {
        this.warnings.push(`${this.file}:${this.at(keyNode).line ?? '?'}: ${formatConfigPath([...path, key])}: unknown key ${JSON.stringify(key)} is ignored (as kube-state-metrics does); known: ${known.join(', ')}`);
        continue;
      }
      out.set(key, value);
    }
    return out;
  }

  /** A mapping with string keys, each value read by `read` (undefined = skip, already reported). */
  mapOf<T>(n: Node | null, path: Path, expected: string, read: (value: Node | null, at: Path) => T | undefined, keyCheck?: (key: string, keyNode: Node | null) => void): Map<string, T> {
    const out = new Map<string, T>();
    if (isNull(n)) return out;
    if (!isMap(n)) {
      this.problem(path, n, expected, describeNode(n));
      return out;
    }
    for (const { key, keyNode, value } of this.entries(n.items as Pair[], path)) {
      keyCheck?.(key, keyNode);
      const v = read(value, [...path, key]);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }

  /** The pairs of a mapping with scalar keys; other keys are reported and skipped. */
  private *entries(pairs: readonly Pair[], path: Path): Generator<{ key: string; keyNode: Node | null; value: Node | null }> {
    for (const pair of pairs) {
      const keyNode = this.resolve(pair.key);
      const key = isScalar(keyNode) ? (keyNode.source ?? String(keyNode.value)) : undefined;
      if (key === undefined) {
        this.problem(path, keyNode, 'string keys', describeNode(keyNode));
        continue;
      }
      yield { key, keyNode, value: this.resolve(pair.value) };
    }
  }
}
