// Reads Kubernetes objects from YAML files the way kubectl does: multi-document files, and
// `*List` documents expanded into their items. Used by `render` (and KSM wildcard resolution
// for it), so the files are read once.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export interface FileObject {
  readonly file: string;
  readonly object: { readonly apiVersion?: unknown; readonly kind?: unknown; readonly metadata?: { readonly namespace?: unknown } } & Record<string, unknown>;
}

export function readObjectFiles(files: readonly string[]): FileObject[] {
  const out: FileObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`${file}: cannot read objects (${code === 'EISDIR' ? 'a directory, not a file' : code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`, { cause: e });
    }
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const object = doc.toJS() as { kind?: unknown; items?: unknown } | null;
      if (!object || typeof object !== 'object') continue;
      const items = typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items) ? object.items : [object];
      for (const item of items) if (item && typeof item === 'object') out.push({ file, object: item as FileObject['object'] });
    }
  }
  return out;
}
