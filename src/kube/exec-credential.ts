// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1), as kubectl runs them:
// the command with its args and env plus KUBERNETES_EXEC_INFO, its stdout an ExecCredential
// whose token or client certificate is kept until status.expirationTimestamp (or until the
// apiserver answers 401), then the plugin runs again. One run at a time serves every waiting
// request. What the plugin prints is never put into an error: only its exit and its stderr.
import { spawn } from 'node:child_process';
import { redactSecrets } from '../extract/secrets.ts';

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;

export interface ExecConfig {
  readonly apiVersion: string;
  /** Already resolved against the kubeconfig's directory when it is a relative path with a slash. */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly installHint?: string;
  readonly provideClusterInfo: boolean;
  readonly interactiveMode?: string;
}

/** What a plugin gave: a bearer token and/or a client certificate, until expiresAt (ms). */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  readonly expiresAt?: number;
}

/** KUBERNETES_EXEC_INFO's spec.cluster (with provideClusterInfo). */
export interface ExecClusterInfo {
  readonly server: string;
  readonly 'tls-server-name'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'certificate-authority-data'?: string;
  readonly 'proxy-url'?: string;
  readonly config?: unknown;
}

export interface ExecPluginOptions {
  /** The kubeconfig user, for messages. */
  readonly user: string;
  readonly cluster?: () => Promise<ExecClusterInfo>;
  readonly now?: () => number;
  readonly env?: NodeJS.ProcessEnv;
  /** A plugin that has not answered by then is killed (kubectl waits forever; crotel has no one to wait). */
  readonly timeoutMs?: number;
}

const STDOUT_LIMIT = 1024 * 1024;
const STDERR_SHOWN = 1024;

/** The end of a plugin's stderr, credential shapes redacted, at most STDERR_SHOWN characters. */
export function stderrExcerpt(stderr: string): string {
  const trimmed = stderr.trim();
  const tail = trimmed.length > STDERR_SHOWN ? `…${trimmed.slice(-STDERR_SHOWN)}` : trimmed;
  return redactSecrets(tail).replace(/\s*\n\s*/g, ' | ');
}

export class ExecCredentialPlugin {
  private readonly config: ExecConfig;
  private readonly options: ExecPluginOptions;
  private readonly now: () => number;
  private cached: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;
  /** How many times the plugin has been started (for tests and logs). */
  runs = 0;

  constructor(config: ExecConfig, options: ExecPluginOptions) {
    this.config = config;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  private get label(): string {
    return `user "${this.options.user}": exec plugin ${JSON.stringify(this.config.command)}`;
  }

  /** The cached credential while it is valid, else a fresh one from the plugin. */
  async credential(): Promise<ExecCredential> {
    const cached = this.cached;
    if (cached && (cached.expiresAt === undefined || this.now() < cached.expiresAt)) return cached;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The apiserver refused `used`: the next credential() runs the plugin again. */
  expire(used: ExecCredential): void {
    if (this.cached === used) this.cached = undefined;
  }

  private async run(): Promise<ExecCredential> {
    const { config } = this;
    if (config.interactiveMode === 'Always') throw new Error(`${this.label}: interactiveMode Always needs a terminal, and crotel runs without one`);
    const info = {
      apiVersion: config.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(config.provideClusterInfo && this.options.cluster ? { cluster: await this.options.cluster() } : {}) },
    };
    const env: NodeJS.ProcessEnv = { ...(this.options.env ?? process.env) };
    for (const { name, value } of config.env) env[name] = value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
    this.runs++;
    const { stdout } = await this.spawn(env);
    const credential = this.parse(stdout);
    this.cached = credential;
    return credential;
  }

  private spawn(env: NodeJS.ProcessEnv): Promise<{ stdout: string }> {
    const { config } = this;
    return new Promise((resolve, reject) => {
      const child = spawn(config.command, [...config.args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: this.options.timeoutMs ?? 60_000, windowsHide: true });
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes <= STDOUT_LIMIT) out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err = (err + chunk.toString('utf8')).slice(-64 * 1024);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        const hint = config.installHint ? `; ${config.installHint.trim()}` : '';
        reject(new Error(error.code === 'ENOENT' ? `${this.label}: command not found${hint}` : `${this.label}: could not start (${error.code ?? error.message})`));
      });
      child.on('close', (code, signal) => {
        const stderr = stderrExcerpt(err);
        const said = stderr ? `: ${stderr}` : '';
        if (signal) reject(new Error(`${this.label}: killed by ${signal}${signal === 'SIGTERM' ? ' (no answer in time?)' : ''}${said}`));
        else if (code !== 0) reject(new Error(`${this.label}: exit code ${code}${said}`));
        else if (outBytes > STDOUT_LIMIT) reject(new Error(`${this.label}: printed more than ${STDOUT_LIMIT} bytes`));
        else resolve({ stdout: Buffer.concat(out).toString('utf8') });
      });
    });
  }

  /** Reads the ExecCredential; errors say what is wrong, never what was printed. */
  private parse(stdout: string): ExecCredential {
    let answer: unknown;
    try {
      answer = JSON.parse(stdout);
    } catch {
      throw new Error(`${this.label}: printed no ExecCredential (its output is not JSON)`);
    }
    const o = (answer !== null && typeof answer === 'object' ? answer : {}) as { apiVersion?: unknown; kind?: unknown; status?: unknown };
    if (o.kind !== 'ExecCredential') throw new Error(`${this.label}: printed kind ${JSON.stringify(String(o.kind))}, expected ExecCredential`);
    if (o.apiVersion !== this.config.apiVersion) {
      throw new Error(`${this.label}: printed apiVersion ${JSON.stringify(String(o.apiVersion))}, but the kubeconfig asks for ${this.config.apiVersion}`);
    }
    const status = (o.status !== null && typeof o.status === 'object' ? o.status : {}) as Record<string, unknown>;
    const text = (field: string): string | undefined => {
      const v = status[field];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw new Error(`${this.label}: status.${field} is not a string`);
      return v;
    };
    const token = text('token');
    const cert = text('clientCertificateData');
    const key = text('clientKeyData');
    const expiration = text('expirationTimestamp');
    if ((cert === undefined) !== (key === undefined)) throw new Error(`${this.label}: status has ${cert ? 'clientCertificateData without clientKeyData' : 'clientKeyData without clientCertificateData'}`);
    if (token === undefined && cert === undefined) throw new Error(`${this.label}: status has neither a token nor clientCertificateData/clientKeyData`);
    let expiresAt: number | undefined;
    if (expiration !== undefined) {
      expiresAt = Date.parse(expiration);
      if (!/^\d{4}-\d\d-\d\dT/.test(expiration) || Number.isNaN(expiresAt)) throw new Error(`${this.label}: status.expirationTimestamp is not an RFC 3339 time`);
    }
    return {
      ...(token !== undefined ? { token } : {}),
      ...(cert !== undefined && key !== undefined ? { clientCertificateData: cert, clientKeyData: key } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
  }
}
