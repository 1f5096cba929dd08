// src/ksm owns kube-state-metrics compatibility: reading v2.20 CustomResourceStateMetrics files
// (config.ts), their path syntax and value conversions (path.ts, values.ts), compiling them to
// crotel CompiledResources that the ordinary store/exposition/OTLP pipeline serves (compile.ts),
// resolving wildcard kinds (resolve.ts, discovery.ts) and converting to native config
// (convert.ts). It reuses src/extract for facts, health, redaction and RFC 3339 parsing.

export {
  loadKsmConfigFile, parseKsmConfig, metricNamePrefix, isWildcard, DEFAULT_METRIC_NAME_PREFIX,
  type KsmConfig, type KsmResource, type KsmMetric, type KsmEach, type KsmGvk, type KsmMetricType,
} from './config.ts';
export { compileKsmResource, ksmLabelValue, MAX_KSM_LABEL_VALUE, ksmMetricName, sanitizeLabelName, MAX_LABEL_SETS_PER_METRIC, type KsmCompileOptions } from './compile.ts';
export { compileKsmConfig, resolveGvk, crdInfo, needsDiscovery, type CrdInfo, type KsmCompileResult } from './resolve.ts';
export { listCrds } from './discovery.ts';
export { convertKsmConfig, nativePath, type Conversion } from './convert.ts';
export { compileKsmPath, type KsmPath } from './path.ts';
export { ksmFloat, goQuantity, goString } from './values.ts';
