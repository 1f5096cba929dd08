// src/config owns crotel's YAML config: its schema, loading, path syntax, naming rules and
// error messages. It does no I/O beyond reading the config file and knows nothing of the
// cluster or exporters; other folders import it only through this file. The one thing it takes
// from extraction is the metric kinds' registry (src/extract/kinds): each kind's block of a
// metric entry is defined in the kind's module, beside the code that reads it, so a kind is in
// one place. Those modules import only config/fields.ts, path.ts and names.ts from here.

export { loadConfigFile, parseConfigText } from './load.ts';
export { configJsonSchema, configSchema } from './schema.ts';
export { ConfigError, formatConfigPath, formatProblem, type ConfigProblem } from './errors.ts';
export { parsePath, mustParsePath, type FieldPath, type PathSegment, type PathParseResult } from './path.ts';
export { compileRedactPattern, redactPatternProblem } from './patterns.ts';
export { prometheusMetricName, prometheusLabelName, labelNameProblem, exportLabelNameProblem, API_GROUP_RE, DNS_LABEL_RE, reservedMetricNameProblem, METRIC_NAME_RE, GENERIC_FAMILY_NAMES } from './names.ts';
export {
  DEFAULT_SERIES_PER_METRIC,
  DEFAULT_OBJECT_LIMIT,
  DEFAULT_OBJECTS_PER_KIND,
  ZERO_CONFIG_TEXT,
  DEFAULT_TRACES,
  type Limits,
  type KindPatternConfig,
  type SelectionConfig,
  type DiscoveryConfig,
  type Config,
  type TracesConfig,
  type ResourceConfig,
  type MetricConfig,
  type MetricSource,
  type LabelConfig,
  type HealthConfig,
} from './schema.ts';
export type { Frozen } from './fields.ts';
export { positionOf, readYamlFile, sortProblems, yamlSyntaxProblems } from './yaml-file.ts';
