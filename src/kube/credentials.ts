// What a request to the apiserver carries: auth headers and TLS options, asked for before every
// request so a rotated token file, renewed certificate files or an expired exec credential apply
// at once. Built from a kubeconfig's cluster and user (kubeconfig.ts) or the pod's service account.
// No credential ever goes into an error message: errors name the file or the field, not the value.
import { readFile, stat } from 'node:fs/promises';
import { ExecCredentialPlugin, type ExecClusterInfo, type ExecConfig, type ExecCredential } from './exec-credential.ts';

/** The TLS options of one request (node:tls names); requests with equal options share a pool. */
export interface TlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface RequestCredentials {
  /** Lower-case header names; a list is sent as repeated headers (impersonated groups). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly tls: TlsOptions;
}

/** The apiserver crotel talks to, and how: everything src/kube's HTTP needs from a kubeconfig. */
export interface ApiServer {
  /** Base URL without a trailing slash, e.g. `https://10.0.0.1:6443`. */
  readonly server: string;
  /** The kubeconfig's proxy-url (http, https or socks5); requests then go through it. */
  readonly proxyUrl?: string;
  /** Headers and TLS options for the next request. */
  credentials(): Promise<RequestCredentials>;
  /** The server answered 401 to a request made with `used`: cached exec credentials are dropped. */
  rejected(used: RequestCredentials): void;
}

/** PEM text given inline (a `-data` field, decoded) or as a file, read again when it changes. */
export type PemSource = { readonly data: string } | { readonly file: string };

export interface ClusterSettings {
  readonly server: string;
  readonly certificateAuthority?: PemSource;
  readonly insecureSkipTlsVerify?: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
  /** `extensions["client.authentication.k8s.io/exec"]`, handed to exec plugins with provideClusterInfo. */
  readonly execExtension?: unknown;
}

export interface Impersonation {
  readonly user?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface UserSettings {
  /** The kubeconfig user's name (or `in-cluster`), for messages. */
  readonly name: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly clientCertificate?: PemSource;
  readonly clientKey?: PemSource;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: ExecConfig;
  readonly impersonate?: Impersonation;
}

export interface CredentialOptions {
  readonly now?: () => number;
  /** The environment exec plugins inherit (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly execTimeoutMs?: number;
}

/**
 * A file read again whenever its inode, size or times change (a kubelet-rotated token is a
 * symlink swapped under it). If a re-read fails, the last good text stays, as client-go does.
 */
export class WatchedFile {
  readonly path: string;
  private readonly what: string;
  private stamp = '';
  private text: string | undefined;

  constructor(path: string, what: string) {
    this.path = path;
    this.what = what;
  }

  async read(): Promise<string> {
    try {
      const s = await stat(this.path);
      const stamp = `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      if (stamp !== this.stamp || this.text === undefined) {
        this.text = await readFile(this.path, 'utf8');
        this.stamp = stamp;
      }
    } catch (error) {
      if (this.text === undefined) throw new Error(`${this.what} ${this.path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'read error'})`, { cause: error });
    }
    return this.text;
  }
}

function pemReader(source: PemSource | undefined, what: string): (() => Promise<string>) | undefined {
  if (!source) return undefined;
  if ('data' in source) return () => Promise.resolve(source.data);
  const file = new WatchedFile(source.file, what);
  return () => file.read();
}

function impersonationHeaders(i: Impersonation | undefined): Record<string, string | readonly string[]> {
  const headers: Record<string, string | readonly string[]> = {};
  if (!i) return headers;
  if (i.user) headers['impersonate-user'] = i.user;
  if (i.uid) headers['impersonate-uid'] = i.uid;
  // The apiserver reads one value per header line, so lists are repeated headers.
  if (i.groups?.length) headers['impersonate-group'] = i.groups;
  for (const [key, values] of Object.entries(i.extra ?? {})) headers[`impersonate-extra-${encodeURIComponent(key)}`] = values;
  return headers;
}

/** Client-go's rule: one way of proving who you are, plus a client certificate if you like. */
export function authenticationProblem(user: UserSettings): string | undefined {
  const methods = [
    ...(user.token !== undefined || user.tokenFile !== undefined ? ['token'] : []),
    ...(user.username !== undefined || user.password !== undefined ? ['basic auth (username/password)'] : []),
    ...(user.exec ? ['exec plugin'] : []),
  ];
  if (methods.length > 1) return `more than one authentication method (${methods.join(', ')}); only one is allowed`;
  if ((user.clientCertificate === undefined) !== (user.clientKey === undefined)) {
    return user.clientCertificate ? 'client-certificate without client-key' : 'client-key without client-certificate';
  }
  return undefined;
}

export function createApiServer(cluster: ClusterSettings, user: UserSettings, options: CredentialOptions = {}): ApiServer {
  const ca = pemReader(cluster.certificateAuthority, 'certificate-authority');
  const cert = pemReader(user.clientCertificate, `user "${user.name}": client-certificate`);
  const key = pemReader(user.clientKey, `user "${user.name}": client-key`);
  const tokenFile = user.tokenFile !== undefined ? new WatchedFile(user.tokenFile, `user "${user.name}": tokenFile`) : undefined;
  const fixed = impersonationHeaders(user.impersonate);
  const basic = user.username !== undefined || user.password !== undefined
    ? `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64')}`
    : undefined;
  const plugin = user.exec
    ? new ExecCredentialPlugin(user.exec, {
      user: user.name,
      cluster: async (): Promise<ExecClusterInfo> => ({
        server: cluster.server,
        ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
        ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(ca ? { 'certificate-authority-data': Buffer.from(await ca()).toString('base64') } : {}),
        ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
        ...(cluster.execExtension !== undefined ? { config: cluster.execExtension } : {}),
      }),
      ...(options.now ? { now: options.now } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.execTimeoutMs !== undefined ? { timeoutMs: options.execTimeoutMs } : {}),
    })
    : undefined;
  /** Which exec credential each handed-out RequestCredentials was made with, for rejected(). */
  const usedExec = new WeakMap<RequestCredentials, ExecCredential>();

  return {
    server: cluster.server.replace(/\/+$/, ''),
    ...(cluster.proxyUrl ? { proxyUrl: cluster.proxyUrl } : {}),
    async credentials() {
      const headers: Record<string, string | readonly string[]> = { ...fixed };
      const tls: { -readonly [K in keyof TlsOptions]: TlsOptions[K] } = {};
      if (ca) tls.ca = await ca();
      if (cluster.insecureSkipTlsVerify) tls.rejectUnauthorized = false;
      if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
      if (cert && key) {
        tls.cert = await cert();
        tls.key = await key();
      }
      let exec: ExecCredential | undefined;
      if (plugin) {
        exec = await plugin.credential();
        if (exec.token !== undefined) headers.authorization = `Bearer ${exec.token}`;
        if (exec.clientCertificateData !== undefined && exec.clientKeyData !== undefined) {
          tls.cert = exec.clientCertificateData;
          tls.key = exec.clientKeyData;
        }
      } else if (tokenFile) {
        const token = (await tokenFile.read()).trim();
        if (token === '') throw new Error(`user "${user.name}": tokenFile ${tokenFile.path} is empty`);
        headers.authorization = `Bearer ${token}`;
      } else if (user.token !== undefined) {
        headers.authorization = `Bearer ${user.token}`;
      } else if (basic) {
        headers.authorization = basic;
      }
      const made: RequestCredentials = { headers, tls };
      if (exec) usedExec.set(made, exec);
      return made;
    },
    rejected(used) {
      const exec = usedExec.get(used);
      if (exec) plugin?.expire(exec);
    },
  };
}
