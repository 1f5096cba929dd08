// Config problems as values with a place ({file, path, line, column, expected, got}) and the
// one error type the loader throws, whose message lists every problem found.

export interface ConfigProblem {
  readonly file: string;
  /** Path inside the file, e.g. `resources[0].metrics[2].gauge.path`; `(root)` for the document. */
  readonly path: string;
  /** 1-based; absent when the position is unknown. */
  readonly line?: number;
  readonly column?: number;
  readonly expected: string;
  readonly got: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}: ${p.path}: expected ${p.expected}, got ${p.got}`;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    const n = problems.length;
    super(`invalid config ${file} (${n} problem${n === 1 ? '' : 's'}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/** `resources[0].labels["k8s.name"]`: identifiers dotted, indexes and odd keys bracketed. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
