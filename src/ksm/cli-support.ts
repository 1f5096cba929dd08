// What `crotel run|render|validate --ksm-config` and `crotel convert-ksm` need beyond the
// native path: load the KSM file (from the flag or crotel's `ksmConfig`), resolve wildcard
// kinds (against the cluster for run, against the given files for render), compile.

import { dirname, isAbsolute, resolve } from 'node:path';
import type { ApiServer } from '../kube/credentials.ts';
import { ConfigError, type Config } from '../config/index.ts';
import { createRedactor } from '../extract/index.ts';
import { ksmNameConflicts } from './crosscheck.ts';
import type { CompiledResource } from '../model.ts';
import type { FileObject } from '../objects-file.ts';
import { loadKsmConfigFile, type KsmConfig } from './config.ts';
import { convertKsmConfig } from './convert.ts';
import { listCrds } from './discovery.ts';
import { compileKsmConfig, crdInfo, needsDiscovery, type CrdInfo } from './resolve.ts';

export interface KsmSource {
  readonly config: KsmConfig;
  readonly path: string;
  /** The crotel config's `redact` patterns, applied to kube-state-metrics series too. */
  readonly redact: readonly string[];
}

/** The KSM file to use: the flag, else crotel config's `ksmConfig` (relative to that file). */
export function ksmSourceFor(flag: string | undefined, config: Config | undefined, configPath: string | undefined): KsmSource | undefined {
  let path = flag;
  if (path === undefined && config?.ksmConfig !== undefined) {
    path = isAbsolute(config.ksmConfig) || configPath === undefined ? config.ksmConfig : resolve(dirname(configPath), config.ksmConfig);
  }
  if (path === undefined) return undefined;
  const ksm = loadKsmConfigFile(path);
  const conflicts = ksmNameConflicts(ksm, config);
  if (conflicts.length > 0) throw new ConfigError(path, conflicts);
  return { config: ksm, path, redact: config?.redact ?? [] };
}

export interface KsmResources {
  readonly resources: CompiledResource[];
  /** Human-readable warnings (ignored keys, unresolved wildcards) for stderr or the log. */
  readonly warnings: string[];
}

function compile(source: KsmSource, crds: readonly CrdInfo[], seriesPerMetric: number | undefined): KsmResources {
  const { resources, unresolved } = compileKsmConfig(source.config, {
    crds, redactor: createRedactor(source.redact), ...(seriesPerMetric !== undefined ? { seriesPerMetric } : {}),
  });
  return {
    resources,
    warnings: [...source.config.warnings, ...unresolved.map((g) => `${source.path}: ${g}: no matching CRD is installed; no metrics for it`)],
  };
}

/** For `run`: wildcards resolved against the CRDs installed now (see the README for later ones). */
export async function ksmResourcesFromCluster(source: KsmSource, apiServer: ApiServer, seriesPerMetric?: number): Promise<KsmResources> {
  const crds = needsDiscovery(source.config) ? await listCrds(apiServer) : [];
  return compile(source, crds, seriesPerMetric);
}

/** For `render`: wildcards resolved against the CRDs and object kinds among the given objects. */
export function ksmResourcesFromFiles(source: KsmSource, objects: readonly FileObject[], seriesPerMetric?: number): KsmResources {
  const crds: CrdInfo[] = [];
  if (needsDiscovery(source.config)) {
    const seen = new Set<string>();
    for (const { object: item } of objects) {
      const crd = crdInfo(item);
      if (item.kind === 'CustomResourceDefinition' && crd) crds.push(crd);
      if (typeof item.apiVersion !== 'string' || typeof item.kind !== 'string' || !item.apiVersion.includes('/')) continue;
      const [group, version] = item.apiVersion.split('/') as [string, string];
      const key = `${group}/${version}/${item.kind}`;
      if (!seen.has(key)) crds.push({ group, kind: item.kind, servedVersions: [version] });
      seen.add(key);
    }
  }
  return compile(source, crds, seriesPerMetric);
}

/** `crotel convert-ksm FILE`: native YAML on stdout, what did not convert in its comments. */
export function convertKsmFile(path: string): string {
  return convertKsmConfig(loadKsmConfigFile(path)).yaml;
}

/**
 * For `run` with wildcard kinds: looks for newly installed CRDs every intervalMs and hands each
 * kind not yet watched to `add` (kube-state-metrics issues 2142/2296). Returns a stop function.
 */
export function followWildcardKinds(options: {
  readonly source: KsmSource;
  readonly apiServer: ApiServer;
  readonly known: readonly CompiledResource[];
  readonly add: (resource: CompiledResource) => void;
  readonly onError: (error: unknown) => void;
  readonly seriesPerMetric?: number;
  readonly intervalMs?: number;
}): () => void {
  const known = new Set(options.known.map((r) => r.id));
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    ksmResourcesFromCluster(options.source, options.apiServer, options.seriesPerMetric)
      .then(({ resources }) => {
        for (const resource of resources) {
          if (known.has(resource.id)) continue;
          known.add(resource.id);
          options.add(resource);
        }
      }, options.onError)
      .finally(() => (busy = false));
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** The start of `run`: wildcards resolved now when the cluster answers, else concrete kinds only. */
export async function ksmResourcesAtStart(source: KsmSource, apiServer: ApiServer, seriesPerMetric: number | undefined, onError: (error: unknown) => void): Promise<KsmResources> {
  try {
    return await ksmResourcesFromCluster(source, apiServer, seriesPerMetric);
  } catch (error) {
    onError(error);
    return compile(source, [], seriesPerMetric);
  }
}

export { needsDiscovery };
