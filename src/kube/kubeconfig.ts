// Where the cluster credentials come from, in kubectl's order: --kubeconfig, else $KUBECONFIG
// (a list of files merged as kubectl merges them: the first file to name a cluster, user or
// context wins, current-context from the first file that sets one), else ~/.kube/config, else
// the pod's service account. Relative paths in a file resolve against that file's directory.
// Errors name the file, the place in it and what is wrong, never a credential.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { isIPv6 } from 'node:net';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { formatConfigPath } from '../config/errors.ts';
import { positionOf } from '../config/yaml-file.ts';
import { authenticationProblem, createApiServer, type ApiServer, type ClusterSettings, type CredentialOptions, type Impersonation, type PemSource, type UserSettings } from './credentials.ts';
import { EXEC_API_VERSIONS, type ExecConfig } from './exec-credential.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions extends CredentialOptions {
  readonly kubeconfig?: string;
  /** Overrides the server URL (the reference monitor's --master). */
  readonly master?: string;
  /** The kubeconfig context to use instead of its current-context (kubectl's --context). */
  readonly context?: string;
  /** Where KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Home directory for ~/.kube/config (default os.homedir()). */
  readonly home?: string;
  /** The service account mount, for in-cluster (default SERVICE_ACCOUNT_DIR). */
  readonly serviceAccountDir?: string;
}

/** A kubeconfig problem with its place: `file:line:column: path: what`. */
export class KubeconfigError extends Error {
  readonly file: string;
  constructor(message: string, file: string) {
    super(message);
    this.name = 'KubeconfigError';
    this.file = file;
  }
}

/** Where an entry came from, for messages and relative paths. */
export interface Origin {
  readonly file: string;
  /** `users[2]` */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Named<T> {
  readonly name: string;
  readonly value: T;
  readonly origin: Origin;
}

export interface ContextSettings {
  readonly cluster: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** A user entry as read; what cannot be used is kept as a problem, raised only if it is selected. */
export interface UserEntry extends Omit<UserSettings, 'name'> {
  readonly problem?: string;
}

/** One file or several merged. */
export interface Kubeconfig {
  readonly files: readonly string[];
  readonly clusters: ReadonlyMap<string, Named<ClusterSettings | PartialCluster>>;
  readonly users: ReadonlyMap<string, Named<UserEntry>>;
  readonly contexts: ReadonlyMap<string, Named<ContextSettings>>;
  readonly currentContext?: { readonly name: string; readonly file: string };
}

/** A cluster without a server is legal in a file (kubectl may add it with --server). */
export type PartialCluster = Omit<ClusterSettings, 'server'> & { readonly server?: string };

const where = (o: Origin): string => (o.line !== undefined ? `${o.file}:${o.line}:${o.column ?? 1}` : o.file);

type Path = readonly (string | number)[];

/** Reads typed fields out of one parsed file, failing with the field's position. */
class FieldReader {
  readonly file: string;
  private readonly doc: Document;
  private readonly lines: LineCounter;

  constructor(file: string, doc: Document, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  origin(path: Path): Origin {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return { file: this.file, path: formatConfigPath(path), ...positionOf(this.lines, node.range[0]) };
    }
    return { file: this.file, path: formatConfigPath(path) };
  }

  fail(path: Path, what: string): never {
    const o = this.origin(path);
    throw new KubeconfigError(`${where(o)}: ${o.path}: ${what}`, this.file);
  }

  /** Never shows a value: it may be a credential. */
  private kind(v: unknown): string {
    return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
  }

  map(v: unknown, path: Path): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(path, `expected a mapping, got ${this.kind(v)}`);
    return v as Record<string, unknown>;
  }

  list(v: unknown, path: Path): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, `expected a list, got ${this.kind(v)}`);
    return v;
  }

  string(o: Record<string, unknown>, key: string, path: Path): string | undefined {
    const v = o[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') this.fail([...path, key], `expected a string, got ${this.kind(v)}`);
    return v;
  }

  bool(o: Record<string, unknown>, key: string, path: Path): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail([...path, key], `expected true or false, got ${this.kind(v)}`);
    return v;
  }

  strings(o: Record<string, unknown>, key: string, path: Path): string[] {
    return this.list(o[key], [...path, key]).map((v, i) => {
      if (typeof v !== 'string') this.fail([...path, key, i], `expected a string, got ${this.kind(v)}`);
      return v;
    });
  }

  /** A file path, resolved against the kubeconfig's directory. */
  filePath(o: Record<string, unknown>, key: string, path: Path): string | undefined {
    const v = this.string(o, key, path);
    return v === undefined ? undefined : resolve(dirname(resolve(this.file)), v);
  }

  /** A `-data` field: base64 of PEM text. */
  pemData(o: Record<string, unknown>, key: string, path: Path): string | undefined {
    const v = this.string(o, key, path);
    if (v === undefined) return undefined;
    if (!/^[A-Za-z0-9+/=_-\s]*$/.test(v)) this.fail([...path, key], 'expected base64 (of PEM), got other characters');
    const pem = Buffer.from(v, 'base64').toString('utf8');
    if (!pem.includes('-----BEGIN ')) this.fail([...path, key], 'expected base64 of PEM text, which it does not decode to');
    return pem;
  }

  pem(o: Record<string, unknown>, key: string, path: Path): PemSource | undefined {
    const data = this.pemData(o, `${key}-data`, path);
    if (data !== undefined) return { data }; // the -data field wins, as in kubectl
    const file = this.filePath(o, key, path);
    return file === undefined ? undefined : { file };
  }
}

/** Entries of a named list (`clusters`, `users`, `contexts`): names unique within the file. */
function namedEntries<T>(r: FieldReader, top: Record<string, unknown>, key: string, inner: string, read: (o: Record<string, unknown>, path: Path) => T): Named<T>[] {
  const seen = new Set<string>();
  return r.list(top[key], [key]).map((item, i) => {
    const path = [key, i];
    const entry = r.map(item, path) ?? r.fail(path, 'expected a mapping, got null');
    const name = r.string(entry, 'name', path) ?? r.fail(path, 'has no name');
    if (seen.has(name)) r.fail([...path, 'name'], `${JSON.stringify(name)} is defined twice in this file`);
    seen.add(name);
    const body = r.map(entry[inner], [...path, inner]) ?? {};
    return { name, value: read(body, [...path, inner]), origin: r.origin(path) };
  });
}

function readCluster(r: FieldReader, o: Record<string, unknown>, path: Path): PartialCluster {
  const server = r.string(o, 'server', path);
  const proxyUrl = r.string(o, 'proxy-url', path);
  if (proxyUrl !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(proxyUrl).protocol;
    } catch {
      r.fail([...path, 'proxy-url'], 'expected a URL');
    }
    if (!['http:', 'https:', 'socks5:'].includes(protocol)) r.fail([...path, 'proxy-url'], `expected an http, https or socks5 URL, got scheme ${JSON.stringify(protocol.replace(/:$/, ''))}`);
  }
  const ca = r.pem(o, 'certificate-authority', path);
  const insecure = r.bool(o, 'insecure-skip-tls-verify', path);
  const tlsServerName = r.string(o, 'tls-server-name', path);
  const extensions = r.list(o.extensions, [...path, 'extensions']).map((e, i) => r.map(e, [...path, 'extensions', i]) ?? {});
  const exec = extensions.find((e) => e.name === 'client.authentication.k8s.io/exec');
  return {
    ...(server !== undefined ? { server } : {}),
    ...(ca ? { certificateAuthority: ca } : {}),
    ...(insecure ? { insecureSkipTlsVerify: true } : {}),
    ...(tlsServerName !== undefined ? { tlsServerName } : {}),
    ...(proxyUrl !== undefined ? { proxyUrl } : {}),
    ...(exec?.extension !== undefined ? { execExtension: exec.extension } : {}),
  };
}

function readExec(r: FieldReader, o: Record<string, unknown>, path: Path): ExecConfig {
  const apiVersion = r.string(o, 'apiVersion', path) ?? r.fail(path, `has no apiVersion (expected one of ${EXEC_API_VERSIONS.join(', ')})`);
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) r.fail([...path, 'apiVersion'], `expected one of ${EXEC_API_VERSIONS.join(', ')}, got ${JSON.stringify(apiVersion)}`);
  const command = r.string(o, 'command', path) ?? r.fail(path, 'has no command');
  const env = r.list(o.env, [...path, 'env']).map((e, i) => {
    const entry = r.map(e, [...path, 'env', i]) ?? {};
    const name = r.string(entry, 'name', [...path, 'env', i]) ?? r.fail([...path, 'env', i], 'has no name');
    return { name, value: r.string(entry, 'value', [...path, 'env', i]) ?? '' };
  });
  const interactiveMode = r.string(o, 'interactiveMode', path);
  if (interactiveMode !== undefined && !['Never', 'IfAvailable', 'Always'].includes(interactiveMode)) {
    r.fail([...path, 'interactiveMode'], `expected Never, IfAvailable or Always, got ${JSON.stringify(interactiveMode)}`);
  }
  const installHint = r.string(o, 'installHint', path);
  return {
    apiVersion,
    // kubectl: a command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
    command: command.includes('/') && !isAbsolute(command) ? resolve(dirname(resolve(r.file)), command) : command,
    args: r.strings(o, 'args', path),
    env,
    provideClusterInfo: r.bool(o, 'provideClusterInfo', path) ?? false,
    ...(installHint !== undefined ? { installHint } : {}),
    ...(interactiveMode !== undefined ? { interactiveMode } : {}),
  };
}

function readUser(r: FieldReader, o: Record<string, unknown>, path: Path): UserEntry {
  let token = r.string(o, 'token', path);
  const tokenFile = r.filePath(o, 'tokenFile', path);
  const clientCertificate = r.pem(o, 'client-certificate', path);
  const clientKey = r.pem(o, 'client-key', path);
  const username = r.string(o, 'username', path);
  const password = r.string(o, 'password', path);
  const execBody = r.map(o.exec, [...path, 'exec']);
  const exec = execBody ? readExec(r, execBody, [...path, 'exec']) : undefined;
  let problem: string | undefined;
  const provider = r.map(o['auth-provider'], [...path, 'auth-provider']);
  if (provider) {
    const name = r.string(provider, 'name', [...path, 'auth-provider']) ?? '(unnamed)';
    const config = r.map(provider.config, [...path, 'auth-provider', 'config']) ?? {};
    const idToken = r.string(config, 'id-token', [...path, 'auth-provider', 'config']);
    if (exec) problem = 'auth-provider and exec are both set; only one is allowed';
    else if (idToken !== undefined && token === undefined) token = idToken; // an OIDC id-token, used as it is (no refresh)
    else if (idToken === undefined) {
      problem = `auth-provider ${JSON.stringify(name)} is not supported (kubectl removed the built-in providers); `
        + 'use an exec credential plugin instead (e.g. gke-gcloud-auth-plugin, kubelogin, aws eks get-token)';
    }
  }
  const as = r.string(o, 'as', path);
  const asUid = r.string(o, 'as-uid', path);
  const asGroups = r.strings(o, 'as-groups', path);
  const extraBody = r.map(o['as-user-extra'], [...path, 'as-user-extra']) ?? {};
  const extra = Object.fromEntries(Object.keys(extraBody).map((k) => [k, r.strings(extraBody, k, [...path, 'as-user-extra'])]));
  const impersonate: Impersonation | undefined = as !== undefined || asUid !== undefined || asGroups.length > 0 || Object.keys(extra).length > 0
    ? { ...(as !== undefined ? { user: as } : {}), ...(asUid !== undefined ? { uid: asUid } : {}), groups: asGroups, extra }
    : undefined;
  return {
    ...(token !== undefined ? { token } : {}),
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
    ...(clientKey ? { clientKey } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(exec ? { exec } : {}),
    ...(impersonate ? { impersonate } : {}),
    ...(problem ? { problem } : {}),
  };
}

function readContext(r: FieldReader, o: Record<string, unknown>, path: Path): ContextSettings {
  const cluster = r.string(o, 'cluster', path) ?? r.fail(path, 'names no cluster');
  const user = r.string(o, 'user', path);
  const namespace = r.string(o, 'namespace', path);
  return { cluster, ...(user !== undefined ? { user } : {}), ...(namespace !== undefined ? { namespace } : {}) };
}

/** One kubeconfig file's text (YAML or JSON). */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, column } = positionOf(lines, syntax.pos[0]);
    // The first line only: the rest quotes the file, which may hold a credential.
    throw new KubeconfigError(`${file}:${line ?? 1}:${column ?? 1}: not valid YAML: ${(syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`, file);
  }
  const r = new FieldReader(file, doc, lines);
  const top = r.map(doc.toJS({ maxAliasCount: 100 }) as unknown, []) ?? {};
  const current = r.string(top, 'current-context', []);
  return {
    files: [file],
    clusters: new Map(namedEntries(r, top, 'clusters', 'cluster', (o, p) => readCluster(r, o, p)).map((e) => [e.name, e])),
    users: new Map(namedEntries(r, top, 'users', 'user', (o, p) => readUser(r, o, p)).map((e) => [e.name, e])),
    contexts: new Map(namedEntries(r, top, 'contexts', 'context', (o, p) => readContext(r, o, p)).map((e) => [e.name, e])),
    ...(current !== undefined ? { currentContext: { name: current, file } } : {}),
  };
}

export function readKubeconfigFile(file: string): Kubeconfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KubeconfigError(`${file}: cannot read the kubeconfig (${(error as NodeJS.ErrnoException).code ?? 'read error'})`, file);
  }
  return parseKubeconfig(text, file);
}

/** kubectl's merge: the first file to define a name wins; current-context from the first that sets one. */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const firstWins = <T>(pick: (c: Kubeconfig) => ReadonlyMap<string, T>): Map<string, T> => {
    const merged = new Map<string, T>();
    for (const c of configs) for (const [name, entry] of pick(c)) if (!merged.has(name)) merged.set(name, entry);
    return merged;
  };
  const current = configs.find((c) => c.currentContext)?.currentContext;
  return {
    files: configs.flatMap((c) => c.files),
    clusters: firstWins((c) => c.clusters),
    users: firstWins((c) => c.users),
    contexts: firstWins((c) => c.contexts),
    ...(current ? { currentContext: current } : {}),
  };
}

/** The files $KUBECONFIG lists, in order, each once; missing ones are skipped as kubectl does. */
export function kubeconfigPathsFromEnv(value: string): string[] {
  return [...new Set(value.split(delimiter).filter((p) => p !== ''))];
}

function serverUrl(server: string): string {
  return (/^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`).replace(/\/+$/, ''); // client-go: https when no scheme
}

const names = (m: ReadonlyMap<string, unknown>): string => [...m.keys()].join(', ') || 'none';

/** The context chosen (--context, else current-context), resolved to its cluster and user. */
export function selectContext(kc: Kubeconfig, options: Pick<KubeConfigOptions, 'context' | 'master'> & CredentialOptions = {}): ApiServer {
  const files = kc.files.join(', ');
  let name = options.context;
  if (name !== undefined) {
    if (!kc.contexts.has(name)) throw new KubeconfigError(`--context ${name}: no such context in the kubeconfig (have: ${names(kc.contexts)})`, files);
  } else if (kc.currentContext) {
    name = kc.currentContext.name;
    if (!kc.contexts.has(name)) {
      throw new KubeconfigError(`${kc.currentContext.file}: current-context ${JSON.stringify(name)} is not one of the contexts (have: ${names(kc.contexts)})`, kc.currentContext.file);
    }
  } else {
    if (options.master) throw new KubeconfigError('--master given but the kubeconfig has no current cluster', files);
    throw new KubeconfigError(`${files}: no current-context set; pass --context (have: ${names(kc.contexts)})`, files);
  }
  const context = kc.contexts.get(name)!;
  const at = `${where(context.origin)}: context ${JSON.stringify(name)}`;
  const cluster = kc.clusters.get(context.value.cluster);
  if (!cluster) throw new KubeconfigError(`${at}: cluster ${JSON.stringify(context.value.cluster)} is not defined in ${files} (have: ${names(kc.clusters)})`, context.origin.file);
  const user = context.value.user === undefined ? undefined : kc.users.get(context.value.user);
  if (context.value.user !== undefined && !user) {
    throw new KubeconfigError(`${at}: user ${JSON.stringify(context.value.user)} is not defined in ${files} (have: ${names(kc.users)})`, context.origin.file);
  }
  const server = options.master ?? cluster.value.server;
  const clusterAt = `${where(cluster.origin)}: cluster ${JSON.stringify(cluster.name)}`;
  if (server === undefined) throw new KubeconfigError(`${clusterAt}: has no server`, cluster.origin.file);
  try {
    new URL(serverUrl(server));
  } catch {
    throw new KubeconfigError(`${options.master ? '--master' : clusterAt}: server is not a URL`, cluster.origin.file);
  }
  if (cluster.value.insecureSkipTlsVerify && cluster.value.certificateAuthority) {
    throw new KubeconfigError(`${clusterAt}: certificate-authority and insecure-skip-tls-verify are both set; kubectl refuses that too`, cluster.origin.file);
  }
  const settings: UserSettings = { name: user?.name ?? '(none)', ...(user?.value ?? {}) };
  const problem = user?.value.problem ?? authenticationProblem(settings);
  if (user && problem) throw new KubeconfigError(`${where(user.origin)}: user ${JSON.stringify(user.name)}: ${problem}`, user.origin.file);
  return createApiServer({ ...cluster.value, server: serverUrl(server) }, settings, options);
}

/** The pod's service account (client-go's rest.InClusterConfig). */
export function inClusterApiServer(options: Pick<KubeConfigOptions, 'env' | 'serviceAccountDir' | 'master' | 'context'> & CredentialOptions = {}): ApiServer {
  const env = options.env ?? process.env;
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (options.context !== undefined) throw new KubeconfigError(`--context ${options.context}: no such context in the kubeconfig (have: none; running in-cluster with the pod's service account)`, dir);
  if (!host || !port) throw new KubeconfigError('in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set', dir);
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new KubeconfigError(`in-cluster: ${tokenFile}: no such file (is a service account token mounted?)`, dir);
  const caFile = join(dir, 'ca.crt');
  const server = options.master ? serverUrl(options.master) : `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  return createApiServer(
    { server, ...(existsSync(caFile) ? { certificateAuthority: { file: caFile } } : {}) },
    { name: 'in-cluster service account', tokenFile },
    options,
  );
}

export function loadKubeConfig(options: KubeConfigOptions = {}): ApiServer {
  const env = options.env ?? process.env;
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new Error(`--kubeconfig ${options.kubeconfig}: no such file`);
    return selectContext(readKubeconfigFile(options.kubeconfig), options);
  }
  const fromEnv = env.KUBECONFIG ? kubeconfigPathsFromEnv(env.KUBECONFIG) : undefined;
  const files = (fromEnv ?? [join(options.home ?? homedir(), '.kube', 'config')]).filter((f) => existsSync(f));
  if (files.length > 0) return selectContext(mergeKubeconfigs(files.map(readKubeconfigFile)), options);
  if (env.KUBERNETES_SERVICE_HOST) return inClusterApiServer(options);
  if (fromEnv) throw new Error(`no kubeconfig: none of the files in KUBECONFIG exists (${fromEnv.join(', ')}), and not in a pod`);
  throw new Error('no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod');
}
