// Reads Flux healthCheckExprs unchanged from a YAML file: either a list of entries
// ({apiVersion, kind, current, inProgress?, failed?}) or Kustomization manifests whose
// spec.healthCheckExprs holds them (one file may hold several documents). Problems name the
// file, the path and line:col, like config problems.

import { LineCounter, isScalar, parseAllDocuments, type Document } from 'yaml';
import { ConfigError, formatConfigPath, type ConfigProblem } from '../config/errors.ts';
import { readYamlFile, yamlSyntaxProblems } from '../config/yaml-file.ts';
import { checkFluxExpressions } from './config-check.ts';
import { fluxHealthCheckSchema, type FluxHealthCheck } from './schema.ts';

export function readHealthCheckExprsFile(file: string): FluxHealthCheck[] {
  return parseHealthCheckExprsText(readYamlFile(file, 'a readable healthCheckExprs file'), file);
}

export function parseHealthCheckExprsText(text: string, file: string): FluxHealthCheck[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  const out: FluxHealthCheck[] = [];
  const place = (doc: Document, path: (string | number)[], offset?: number): { line?: number; column?: number } => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      const start = node?.range?.[0];
      if (start === undefined) continue;
      const plain = n === path.length && isScalar(node) && node.type === 'PLAIN';
      const quoted = n === path.length && isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      const pos = lineCounter.linePos(start + (offset === undefined ? 0 : plain ? offset : quoted ? offset + 1 : 0));
      return { line: pos.line, column: pos.col };
    }
    return {};
  };
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, di) => {
    problems.push(...yamlSyntaxProblems(file, doc.errors, lineCounter));
    if (doc.errors.length > 0) return;
    const data: unknown = doc.toJS({ maxAliasCount: 100 });
    if (data === null || data === undefined) return;
    let base: (string | number)[] = [];
    let list: unknown = data;
    if (!Array.isArray(data)) {
      const spec = (data as { spec?: { healthCheckExprs?: unknown } }).spec;
      if (spec?.healthCheckExprs === undefined) {
        problems.push({ file, path: docs.length > 1 ? `(document ${di + 1})` : '(root)', ...place(doc, []), expected: 'a list of healthCheckExprs or a Kustomization with spec.healthCheckExprs', got: typeof data === 'object' ? 'a mapping without spec.healthCheckExprs' : typeof data });
        return;
      }
      base = ['spec', 'healthCheckExprs'];
      list = spec.healthCheckExprs;
    }
    if (!Array.isArray(list)) {
      problems.push({ file, path: formatConfigPath(base), ...place(doc, base), expected: 'a list', got: typeof list });
      return;
    }
    list.forEach((entry, i) => {
      const at = [...base, i];
      const r = fluxHealthCheckSchema.safeParse(entry);
      if (!r.success) {
        for (const issue of r.error.issues) {
          const path = [...at, ...issue.path.filter((k): k is string | number => typeof k === 'string' || typeof k === 'number')];
          problems.push({ file, path: formatConfigPath(path), ...place(doc, path), expected: issue.message.replace(/^Invalid input: expected /, ''), got: 'something else' });
        }
        return;
      }
      const exprProblems = checkFluxExpressions(r.data);
      for (const p of exprProblems) {
        const path = [...at, ...p.path];
        problems.push({ file, path: formatConfigPath(path), ...place(doc, path, p.offset), expected: p.expected, got: p.got });
      }
      if (exprProblems.length === 0) out.push(r.data);
    });
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return out;
}
