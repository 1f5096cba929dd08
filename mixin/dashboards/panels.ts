// Panels written for the mixin (not carried over from the old JSON): the seven health states, and
// time to Ready from Tempo's span metrics — the one histogram with exemplars (trace ids).
import type { MixinConfig } from '../config.ts';
import { datasources as ds, type Json, type PanelJson } from './common.ts';

/** k8s.object.health's states, in the order a person reads them (healthy first). */
export const HEALTH_STATES = ['current', 'in_progress', 'degraded', 'failed', 'suspended', 'terminating', 'unknown'] as const;

const STATE_COLORS: Record<(typeof HEALTH_STATES)[number], string> = {
  current: 'green', in_progress: 'blue', degraded: 'orange', failed: 'red', suspended: 'purple', terminating: 'yellow', unknown: 'text',
};

function colorOverrides(): Json[] {
  return HEALTH_STATES.map((state) => ({
    matcher: { id: 'byName', options: state },
    properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: STATE_COLORS[state] } }],
  }));
}

const objectSelector = (c: MixinConfig): string =>
  `job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"`;

export function healthStatePanels(c: MixinConfig, at: { firstId: number; y: number }): PanelJson[] {
  return [
    { type: 'row', id: at.firstId, title: 'Health states', collapsed: false, panels: [], gridPos: { x: 0, y: at.y, w: 24, h: 1 } },
    {
      type: 'stat',
      id: at.firstId + 1,
      title: 'Objects per health state',
      description: 'How many objects are in each of the seven health states now. suspended is paused on purpose (spec.suspend); unknown means crotel could not tell (no conditions, no configured phase).',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: at.y + 1, w: 24, h: 4 },
      targets: HEALTH_STATES.map((state, i) => ({
        refId: String.fromCharCode(65 + i),
        datasource: ds.prometheus,
        expr: `sum(k8s_object_health{${objectSelector(c)}, k8s_object_health="${state}"}) or vector(0)`,
        legendFormat: state,
        instant: true,
        range: false,
      })),
      fieldConfig: { defaults: { unit: 'none', color: { mode: 'fixed', fixedColor: 'text' } }, overrides: colorOverrides() },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value', graphMode: 'none', justifyMode: 'center', orientation: 'vertical', textMode: 'value_and_name',
        wideLayout: true, showPercentChange: false, percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'timeseries',
      id: at.firstId + 2,
      title: 'Degraded, failed and unknown by kind',
      description: 'Objects in the three states the alerts watch (CustomResourceDegraded, CustomResourceFailed, CustomResourceHealthUnknown), by kind.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: at.y + 5, w: 24, h: 8 },
      targets: [{
        refId: 'A',
        datasource: ds.prometheus,
        expr: `sum by (k8s_object_kind, k8s_object_health) (k8s_object_health{${objectSelector(c)}, k8s_object_health=~"degraded|failed|unknown"}) or vector(0)`,
        legendFormat: '{{k8s_object_kind}} {{k8s_object_health}}',
        range: true,
      }],
      fieldConfig: {
        defaults: {
          unit: 'none', color: { mode: 'palette-classic' },
          custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false, stacking: { mode: 'none', group: 'A' } },
        },
        overrides: [],
      },
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] }, tooltip: { mode: 'multi', sort: 'desc' } },
    },
  ];
}

/**
 * Time to Ready from the span metrics Tempo's metrics-generator derives from crotel's root spans
 * ("reconcile <Kind>", dimensions k8s.object.kind and crotel.episode.outcome in tempo/tempo.yaml):
 * traces_spanmetrics_latency_bucket, remote-written with exemplars, so each point links to a trace.
 */
export function spanMetricsPanels(c: MixinConfig, at: { firstId: number; y: number; kindSelector: string; by: string }): PanelJson[] {
  const selector = `${c.spanMetricsSelector}, span_name=~"reconcile .*", ${at.kindSelector}, crotel_episode_outcome="succeeded"`;
  const quantile = (q: number, refId: string): Json => ({
    refId,
    datasource: ds.prometheus,
    expr: `histogram_quantile(${q}, sum by (le, ${at.by}) (rate(traces_spanmetrics_latency_bucket{${selector}}[$__rate_interval])))`,
    legendFormat: `p${q * 100} {{${at.by}}}`,
    range: true,
    exemplar: true,
  });
  return [
    { type: 'row', id: at.firstId, title: 'Time to Ready from traces (Tempo span metrics)', collapsed: false, panels: [], gridPos: { x: 0, y: at.y, w: 24, h: 1 } },
    {
      type: 'timeseries',
      id: at.firstId + 1,
      title: 'Time to Ready from traces (p50, p95)',
      description: 'Duration of successful reconcile episodes, from the span metrics Tempo\'s metrics-generator derives from crotel\'s root spans. Its exemplars are trace ids: click a point to open that lifecycle trace.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: at.y + 1, w: 24, h: 8 },
      targets: [quantile(0.5, 'A'), quantile(0.95, 'B')],
      fieldConfig: {
        defaults: {
          unit: 's', color: { mode: 'palette-classic' },
          custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never', spanNulls: false, stacking: { mode: 'none', group: 'A' } },
        },
        overrides: [],
      },
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] }, tooltip: { mode: 'multi', sort: 'desc' } },
    },
  ];
}
