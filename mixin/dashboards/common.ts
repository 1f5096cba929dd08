// What every generated dashboard shares: datasource variables (no hard-coded uids, so a dashboard
// imports into any Grafana), the `__inputs` the import dialog asks for, and Explore links that go
// to the dashboard's chosen Tempo.

/** Dashboard JSON as plain data; stack-config.test.ts checks the output against @grafana/schema's types. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type PanelJson = { [key: string]: Json };
export type VariableJson = { [key: string]: Json };
export type DashboardJson = { [key: string]: Json };

export const PROMETHEUS_VARIABLE = 'datasource';
export const TEMPO_VARIABLE = 'tempo';

export const datasources = {
  prometheus: { type: 'prometheus', uid: `\${${PROMETHEUS_VARIABLE}}` },
  tempo: { type: 'tempo', uid: `\${${TEMPO_VARIABLE}}` },
} as const;

/** The datasource variables, first in every dashboard's templating. Import sets them from __inputs. */
export function datasourceVariables(withTempo: boolean): VariableJson[] {
  const variable = (name: string, label: string, type: string, input: string): VariableJson => ({
    type: 'datasource', name, label, query: type, regex: '', hide: 0, refresh: 1, includeAll: false, multi: false,
    current: { text: `\${${input}}`, value: `\${${input}}` }, options: [],
  });
  return [
    variable(PROMETHEUS_VARIABLE, 'Prometheus', 'prometheus', 'DS_PROMETHEUS'),
    ...(withTempo ? [variable(TEMPO_VARIABLE, 'Tempo', 'tempo', 'DS_TEMPO')] : []),
  ];
}

/** `__inputs` and `__requires` of Grafana's export format: what the import dialog needs. */
export function importHeader(withTempo: boolean): DashboardJson {
  const input = (name: string, label: string, pluginId: string, pluginName: string): Json => ({
    name, label, description: `The ${pluginName} datasource crotel's data is in`, type: 'datasource', pluginId, pluginName,
  });
  return {
    __inputs: [
      input('DS_PROMETHEUS', 'Prometheus', 'prometheus', 'Prometheus'),
      ...(withTempo ? [input('DS_TEMPO', 'Tempo', 'tempo', 'Tempo')] : []),
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '11.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ...(withTempo ? [{ type: 'datasource', id: 'tempo', name: 'Tempo', version: '1.0.0' }] : []),
    ],
  };
}

/** An Explore URL running a TraceQL query on the dashboard's Tempo (variables interpolate in links). */
export function exploreTraceQL(query: string, from = 'now-6h'): string {
  const panes = {
    t: {
      datasource: `\${${TEMPO_VARIABLE}}`,
      queries: [{ refId: 'A', datasource: datasources.tempo, queryType: 'traceql', query }],
      range: { from, to: 'now' },
    },
  };
  return `/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
