// The chores every YAML file crotel reads shares (its config, kube-state-metrics configs, Flux
// healthCheckExprs files): reading the file into a problem that names it, turning offsets into
// line:column, reporting YAML syntax errors, and ordering problems as they appear in the file.
import { readFileSync } from 'node:fs';
import type { LineCounter, YAMLError } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors.ts';

/** The file's text, or a ConfigError naming it and why it could not be read. */
export function readYamlFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ file, path: '(root)', expected: what, got: (e as NodeJS.ErrnoException).code ?? 'read error' }]);
  }
}

/** 1-based line and column of an offset; nothing when the offset is unknown. */
export function positionOf(lineCounter: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** One problem per YAML syntax error, at its position. */
export function yamlSyntaxProblems(file: string, errors: readonly YAMLError[], lineCounter: LineCounter): ConfigProblem[] {
  return errors.map((e) => ({ file, path: '(yaml)', ...positionOf(lineCounter, e.pos[0]), expected: 'valid YAML', got: e.message.split('\n')[0] ?? e.message }));
}

/** In file order: by line, then column; problems without a position first. */
export function sortProblems<T extends ConfigProblem>(problems: T[]): T[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
