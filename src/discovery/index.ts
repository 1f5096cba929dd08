// src/discovery: Which custom resource kinds crotel watches when the config uses wildcards or there is no config:
// selection globs and exclusions, the served CRDs (watched at run time), offline discovery.
export * from './crds.ts';
export * from './kinds.ts';
export * from './offline.ts';
export * from './selection.ts';
