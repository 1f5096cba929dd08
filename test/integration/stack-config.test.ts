// The observability stack's files, checked offline by the real parsers: the Collector config by
// the built Collector (`otelcol validate`), docker-compose.yml by Docker Compose's own loader
// (`docker-compose config`), the Grafana dashboards against @grafana/schema's types (TypeScript
// compiler, excess-property checks included) and their TraceQL by Grafana's TraceQL grammar,
// tempo.yaml and the Grafana provisioning by shape. (The live path is stack.test.ts.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import ts from 'typescript';
import { parse } from 'yaml';
import { binaryPath } from '../../harness/binaries.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const DASHBOARDS = readdirSync(join(ROOT, 'grafana/dashboards')).filter((f) => f.endsWith('.json')).sort();

type Json = Record<string, unknown>;
interface Panel { id: number; type: string; title: string; datasource?: { uid: string }; targets?: Json[]; panels?: Panel[]; options?: Json; fieldConfig?: { defaults?: { custom?: Json } } }
const panelsOf = (d: { panels: Panel[] }): Panel[] => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

test('otel-collector/config.yaml is valid for the built Collector, with defaults and with env overrides', async () => {
  const otelcol = binaryPath('otelcol-crotel');
  await run(otelcol, ['validate', `--config=${join(ROOT, 'otel-collector/config.yaml')}`], { env: { PATH: process.env.PATH } });
  await run(otelcol, ['validate', `--config=${join(ROOT, 'otel-collector/config.yaml')}`], {
    env: {
      PATH: process.env.PATH,
      OTELCOL_OTLP_GRPC_ENDPOINT: '127.0.0.1:14317', OTELCOL_OTLP_HTTP_ENDPOINT: '127.0.0.1:14318',
      OTELCOL_TELEMETRY_PORT: '18888', PROMETHEUS_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:19090/api/v1/otlp/v1/metrics',
      TRACES_OTLP_GRPC_ENDPOINT: '127.0.0.1:24317',
    },
  });
  // Only components the builder manifest has, so the contrib image of the same release runs it too.
  const config = parse(read('otel-collector/config.yaml')) as Record<'receivers' | 'processors' | 'exporters', Json>;
  const manifest = read('otel-collector/builder-manifest.yaml');
  const module = { otlp: 'otlpreceiver', memory_limiter: 'memorylimiterprocessor', batch: 'batchprocessor', otlp_http: 'otlphttpexporter', otlp_grpc: 'otlpexporter' } as Record<string, string>;
  for (const section of ['receivers', 'processors', 'exporters'] as const) {
    for (const id of Object.keys(config[section])) {
      const type = id.split('/')[0]!;
      assert.ok(module[type] && manifest.includes(`/${module[type]} `), `${section}.${id} is not in builder-manifest.yaml`);
    }
  }
});

test('docker-compose.yml loads in Docker Compose v5 and pins every image', async () => {
  const compose = binaryPath('compose');
  await run(compose, ['-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], { cwd: ROOT });
  const { stdout } = await run(compose, ['-f', join(ROOT, 'docker-compose.yml'), 'config', '--format', 'json'], { cwd: ROOT });
  const services = (JSON.parse(stdout) as { services: Record<string, { image?: string; build?: unknown; volumes?: { source?: string }[] }> }).services;
  assert.deepEqual(Object.keys(services).sort(), ['crotel', 'grafana', 'k3s', 'otel-collector', 'prometheus', 'simulator', 'tempo', 'tempo-init']);
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image, `${name} has no image`);
    assert.match(s.image, /^[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*$/, `${name}: image ${s.image} is not pinned to a version`);
  }
  // The Collector image is the contrib release the test binary is built from.
  assert.equal(services['otel-collector']!.image, `otel/opentelemetry-collector-contrib:${binaryVersion('otelcol-crotel')}`);
  assert.equal(services.prometheus!.image, 'prom/prometheus:v3.16.0');
  // Every bind-mounted config file or folder exists (the loader resolved the paths).
  const mounts = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.source ?? '')).filter((source) => source.startsWith('/'));
  assert.ok(mounts.length >= 5, `bind mounts: ${mounts.join(', ')}`);
  for (const source of mounts) assert.ok(existsSync(source), `mounted ${source} does not exist`);
});

function binaryVersion(component: 'otelcol-crotel'): string {
  return /-v(\d+\.\d+\.\d+)$/.exec(binaryPath(component))![1]!;
}

test('the Compose loader really validates: a dangling depends_on is rejected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-compose-'));
  try {
    const broken = read('docker-compose.yml').replace('      otel-collector:\n        condition: service_started', '      no-such-service:\n        condition: service_started');
    assert.notEqual(broken, read('docker-compose.yml'));
    writeFileSync(join(dir, 'docker-compose.yml'), broken);
    await assert.rejects(run(binaryPath('compose'), ['-f', join(dir, 'docker-compose.yml'), 'config', '--quiet'], { cwd: dir }),
      (e: { stderr?: string }) => /no-such-service/.test(e.stderr ?? ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tempo/tempo.yaml has the single-binary shape compose relies on', () => {
  const tempo = parse(read('tempo/tempo.yaml')) as Json & {
    server: { http_listen_port: number };
    distributor: { receivers: { otlp: { protocols: Record<string, { endpoint: string }> } } };
    storage: { trace: { backend: string; local: { path: string }; wal: { path: string } } };
    metrics_generator: { storage: { remote_write: { url: string; send_exemplars: boolean }[] }; processor: Json; traces_storage: { path: string } };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
  };
  assert.equal(tempo.server.http_listen_port, 3200);
  assert.deepEqual(Object.keys(tempo.distributor.receivers.otlp.protocols).sort(), ['grpc', 'http']);
  assert.equal(tempo.distributor.receivers.otlp.protocols.grpc!.endpoint, '0.0.0.0:4317'); // the Collector's default TRACES_OTLP_GRPC_ENDPOINT is tempo:4317
  assert.equal(tempo.storage.trace.backend, 'local');
  assert.deepEqual(tempo.overrides.defaults.metrics_generator.processors.sort(), ['local-blocks', 'span-metrics']);
  assert.ok(tempo.metrics_generator.processor.local_blocks && tempo.metrics_generator.processor.span_metrics);
  assert.equal(tempo.metrics_generator.storage.remote_write[0]!.url, 'http://prometheus:9090/api/v1/write');
  assert.equal(tempo.metrics_generator.storage.remote_write[0]!.send_exemplars, true);
  const known = new Set(['stream_over_http_enabled', 'server', 'distributor', 'ingester', 'compactor', 'query_frontend', 'metrics_generator', 'storage', 'overrides']);
  for (const key of Object.keys(tempo)) assert.ok(known.has(key), `unexpected top-level key ${key}`);
  assert.match(read('docker-compose.yml'), /tempo\/tempo\.yaml:\/etc\/tempo\.yaml:ro/);
});

test('Grafana provisioning: the datasources the dashboards use, the dashboards folder compose mounts', () => {
  const ds = parse(read('grafana/provisioning/datasources/datasources.yaml')) as { apiVersion: number; datasources: { uid: string; type: string; jsonData?: Json }[] };
  assert.equal(ds.apiVersion, 1);
  const uids = new Map(ds.datasources.map((d) => [d.uid, d.type]));
  assert.deepEqual([...uids].sort(), [['prometheus', 'prometheus'], ['tempo', 'tempo']]);
  const prom = ds.datasources.find((d) => d.uid === 'prometheus')!;
  assert.equal((prom.jsonData?.exemplarTraceIdDestinations as { datasourceUid: string }[])[0]!.datasourceUid, 'tempo');
  const tempo = ds.datasources.find((d) => d.uid === 'tempo')!;
  assert.equal((tempo.jsonData?.tracesToMetrics as { datasourceUid: string }).datasourceUid, 'prometheus');
  const providers = parse(read('grafana/provisioning/dashboards/crotel.yaml')) as { providers: { options: { path: string } }[] };
  assert.match(read('docker-compose.yml'), new RegExp(`\\./grafana/dashboards:${providers.providers[0]!.options.path}:ro`));
  // Dashboards name no datasource uid: each query uses a datasource variable of its own type (the
  // provisioned Prometheus/Tempo are the defaults of their types), set from __inputs on import.
  const types = new Set(uids.values());
  for (const file of DASHBOARDS) {
    const dashboard = JSON.parse(read(`grafana/dashboards/${file}`)) as { panels: Panel[]; templating: { list: { type: string; name: string; query: string }[] } };
    const variables = new Map(dashboard.templating.list.filter((v) => v.type === 'datasource').map((v) => [`\${${v.name}}`, v.query]));
    for (const panel of panelsOf(dashboard)) {
      for (const t of panel.targets ?? []) {
        const ref = (t.datasource as { uid: string; type: string } | undefined) ?? (panel.datasource as { uid: string; type: string } | undefined);
        assert.ok(ref && variables.get(ref.uid) === ref.type && types.has(ref.type), `${file} "${panel.title}": datasource ${JSON.stringify(ref)}`);
      }
    }
  }
});

// Panel options per panel type, from @grafana/schema's generated panel config types.
// (stat and bargauge have no custom field config.)
const PANEL_TYPES: Record<string, { path: string; fieldConfig: boolean }> = {
  timeseries: { path: 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen', fieldConfig: true },
  stat: { path: 'stat/panelcfg/x/StatPanelCfg_types.gen', fieldConfig: false },
  table: { path: 'table/panelcfg/x/TablePanelCfg_types.gen', fieldConfig: true },
  bargauge: { path: 'bargauge/panelcfg/x/BarGaugePanelCfg_types.gen', fieldConfig: false },
};

/** A TypeScript module asserting, with `satisfies`, that each dashboard has Grafana's schema types. */
function schemaCheckSource(): string {
  const lines = [
    "import type { Dashboard, Panel, RowPanel } from '@grafana/schema';",
    // Dashboard JSON has plain strings where the types have string enums: compare against the enums' values.
    "interface ExportHeader { __inputs: { name: string; label: string; description: string; type: 'datasource'; pluginId: string; pluginName: string }[]; __requires: { type: 'grafana' | 'datasource' | 'panel'; id: string; name: string; version: string }[] }",
    'type Lit<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T : T extends (infer U)[] ? Lit<U>[] : T extends object ? { [K in keyof T]: Lit<T[K]> } : T;',
  ];
  for (const [type, { path, fieldConfig }] of Object.entries(PANEL_TYPES)) {
    const field = fieldConfig ? `, FieldConfig as ${type}Field` : '';
    lines.push(`import type { Options as ${type}Options${field} } from '@grafana/schema/dist/esm/raw/composable/${path}';`);
  }
  DASHBOARDS.forEach((file, i) => {
    const dashboard = JSON.parse(read(`grafana/dashboards/${file}`)) as { panels: Panel[] };
    // __inputs/__requires are Grafana's export format (what the import dialog reads), not part of
    // the Dashboard schema: checked against their own shape, the rest against Dashboard.
    const { __inputs, __requires, ...rest } = dashboard as { __inputs?: unknown; __requires?: unknown };
    lines.push(`// ${file}`, `export const d${i} = ${JSON.stringify(rest)} satisfies Lit<Dashboard>;`);
    lines.push(`export const d${i}_export = ${JSON.stringify({ __inputs, __requires })} satisfies ExportHeader;`);
    for (const panel of panelsOf(dashboard)) {
      const at = `d${i}_p${panel.id}`;
      if (panel.type === 'row') {
        lines.push(`export const ${at} = ${JSON.stringify(panel)} satisfies Lit<RowPanel>;`);
        continue;
      }
      lines.push(`export const ${at} = ${JSON.stringify(panel)} satisfies Lit<Panel>;`);
      const known = PANEL_TYPES[panel.type];
      assert.ok(known, `${file} "${panel.title}": panel type ${panel.type} is not checked against a schema`);
      if (known) {
        lines.push(`export const ${at}_options = ${JSON.stringify(panel.options ?? {})} satisfies Lit<${panel.type}Options>;`);
        if (known.fieldConfig) lines.push(`export const ${at}_custom = ${JSON.stringify(panel.fieldConfig?.defaults?.custom ?? {})} satisfies Lit<Partial<${panel.type}Field>>;`);
      }
    }
  });
  return lines.join('\n');
}

test('every dashboard satisfies @grafana/schema types (Dashboard, Panel, and each panel type\'s options)', () => {
  assert.ok(DASHBOARDS.length >= 3, `dashboards: ${DASHBOARDS.join(', ')}`);
  const file = join(ROOT, 'grafana/dashboards/__schema_check__.ts'); // in memory only
  const source = schemaCheckSource();
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2024, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, source, lang) : getSourceFile.call(host, name, lang, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const line = where ? source.split('\n')[where.line]!.slice(0, 60) : '';
    return `${line}…: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 600)}`;
  });
  assert.deepEqual(problems, []);
});

test('dashboards: unique uids and panel ids, a title and description on every panel, every query non-empty', () => {
  const uids = new Set<string>();
  for (const file of DASHBOARDS) {
    const d = JSON.parse(read(`grafana/dashboards/${file}`)) as { uid: string; panels: Panel[] };
    assert.ok(!uids.has(d.uid), `duplicate uid ${d.uid}`);
    uids.add(d.uid);
    const ids = new Set<number>();
    for (const p of panelsOf(d)) {
      assert.ok(!ids.has(p.id), `${file}: duplicate panel id ${p.id}`);
      ids.add(p.id);
      if (p.type === 'row') continue;
      assert.ok(p.title && (p as { description?: string }).description, `${file}: panel ${p.id} needs a title and a description`);
      assert.ok((p.targets ?? []).length > 0, `${file} "${p.title}": no queries`);
      for (const t of p.targets ?? []) assert.ok(String(t.expr ?? t.query ?? '').trim(), `${file} "${p.title}": empty query`);
    }
  }
});

/** TraceQL in panels and in data links (Explore URLs). */
function traceqlQueries(): { where: string; query: string }[] {
  const found: { where: string; query: string }[] = [];
  const visit = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
    else if (value && typeof value === 'object') {
      const o = value as Json;
      if (o.queryType === 'traceql' && typeof o.query === 'string') found.push({ where, query: o.query });
      for (const [k, v] of Object.entries(o)) visit(v, `${where}.${k}`);
    } else if (typeof value === 'string' && value.startsWith('/explore?')) {
      const panes = new URLSearchParams(value.slice('/explore?'.length)).get('panes');
      if (panes) visit(JSON.parse(panes), `${where}(link)`);
    }
  };
  for (const file of DASHBOARDS) visit(JSON.parse(read(`grafana/dashboards/${file}`)), file);
  return found;
}

test('every TraceQL query parses with Grafana\'s TraceQL grammar', () => {
  const queries = traceqlQueries();
  assert.ok(queries.length >= 4, `TraceQL queries found: ${queries.length}`);
  for (const { where, query } of queries) {
    // Grafana substitutes ${__data.fields.x} before running a link's query: check it with a value in place.
    const concrete = query.replace(/\$\{__data\.fields\.[\w]+\}/g, 'x');
    const tree = traceqlParser.parse(concrete);
    const errors: number[] = [];
    tree.iterate({ enter: (node) => { if (node.type.isError) errors.push(node.from); } });
    assert.deepEqual(errors, [], `${where}: TraceQL syntax error in ${concrete}`);
  }
  // The grammar does reject bad TraceQL (so the check above means something).
  let bad = 0;
  traceqlParser.parse('{ name = }').iterate({ enter: (n) => { if (n.type.isError) bad++; } });
  assert.ok(bad > 0);
});

test('the Dockerfile is multi-stage on a pinned Node 24 image and runs as a non-root user', () => {
  const dockerfile = read('Dockerfile');
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:24\.\d+\.\d+-[\w-]+$/m);
  // build (tsc, as the npm package is built), production dependencies, runtime.
  assert.equal((dockerfile.match(/^FROM /gm) ?? []).length, 3);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /^RUN npm run build$/m);
  // The runtime stage runs compiled output, never the TypeScript sources.
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
  assert.match(runtime, /^COPY --from=build .*\/dist \.\/dist$/m);
  assert.doesNotMatch(runtime, /^COPY (?!--from=build).*\bsrc\b/m);
  // .dockerignore keeps the context to what the image copies.
  for (const copied of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin/', 'src/', 'examples/']) assert.match(read('.dockerignore'), new RegExp(`^!${copied.replace('.', '\\.')}$`, 'm'));
});
