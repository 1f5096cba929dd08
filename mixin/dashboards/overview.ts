// Custom resources overview: health, phases and lifecycle of every kind crotel watches.
// The source of grafana/dashboards/overview.json (npm run mixin writes it; see mixin/README.md).
import type { MixinConfig } from '../config.ts';
import { healthStatePanels, spanMetricsPanels } from './panels.ts';
import { datasources, datasourceVariables, importHeader, exploreTraceQL, type DashboardJson, type PanelJson, type VariableJson } from './common.ts';

export function overviewPanels(c: MixinConfig): PanelJson[] {
  const ds = datasources;
  return [
    {
      type: 'row',
      title: 'Now',
      id: 1,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y: 0, w: 24, h: 1 },
    },
    {
      type: 'stat',
      id: 2,
      title: 'Objects',
      description: 'Objects of the selected kinds (each object has exactly one health state set to 1).',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum(k8s_object_health{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"})`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'stat',
      id: 3,
      title: 'Not healthy',
      description: 'Objects not healthy now: in progress, degraded, failed, terminating or unknown (suspended objects are paused on purpose and not counted).',
      datasource: ds.prometheus,
      gridPos: { x: 4, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum(k8s_object_health{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace", k8s_object_health!~"current|suspended"})`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
              { color: 'orange', value: 1 },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'stat',
      id: 4,
      title: 'Failed',
      description: 'Objects whose health is failed (Stalled=True or a configured failure phase).',
      datasource: ds.prometheus,
      gridPos: { x: 8, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum(k8s_object_health{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace", k8s_object_health="failed"})`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
              { color: 'red', value: 1 },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'stat',
      id: 5,
      title: 'Spec changes not observed',
      description: 'Objects whose metadata.generation is ahead of status.observedGeneration.',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count(k8s_object_generation_lag{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"} > 0) or vector(0)`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
              { color: 'orange', value: 1 },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'stat',
      id: 6,
      title: 'Open reconcile episodes',
      description: 'Lifecycle episodes (created, spec change, degradation) not yet ended.',
      datasource: ds.prometheus,
      gridPos: { x: 16, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum(crotel_episodes_open{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind"})`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'stat',
      id: 7,
      title: 'Time to Ready p95 (1h)',
      description: 'How long 95% of the successful episodes of the last hour took, from trigger to healthy.',
      datasource: ds.prometheus,
      gridPos: { x: 20, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.95, sum by (le) (increase(crotel_episode_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", crotel_episode_outcome="succeeded"}[1h])))`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 's',
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
      },
    },
    {
      type: 'row',
      title: 'Health and phase',
      id: 8,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y: 5, w: 24, h: 1 },
    },
    {
      type: 'timeseries',
      id: 9,
      title: 'Objects by health',
      description: 'kstatus-style health of every object, one of seven states: current, in_progress, degraded, failed, suspended, terminating, unknown.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 6, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (k8s_object_health) (k8s_object_health{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"})`,
          legendFormat: '{{k8s_object_health}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 60,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'normal', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'timeseries',
      id: 10,
      title: 'Objects by kind and phase',
      description: 'status.phase of the objects that have one.',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 6, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (k8s_object_kind, k8s_object_phase) (k8s_object_phase{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"})`,
          legendFormat: '{{k8s_object_kind}} {{k8s_object_phase}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 60,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'normal', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'table',
      id: 11,
      title: 'Not healthy objects',
      description: 'Every object that is not healthy now. The link opens its lifecycle traces.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 14, w: 14, h: 9 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `k8s_object_health{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace", k8s_object_health!~"current|suspended"} == 1`,
          instant: true,
          range: false,
          format: 'table',
        },
      ],
      fieldConfig: {
        defaults: {
          links: [
            {
              title: 'Lifecycle traces of ${__data.fields.k8s_namespace_name}/${__data.fields.k8s_object_name}',
              url: exploreTraceQL('{ resource.service.name = "crotel" && span.k8s.object.kind = "${__data.fields.k8s_object_kind}" && span.k8s.namespace.name = "${__data.fields.k8s_namespace_name}" && span.k8s.object.name = "${__data.fields.k8s_object_name}" }'),
              targetBlank: true,
            },
          ],
          custom: { align: 'auto', filterable: true },
        },
        overrides: [],
      },
      options: { showHeader: true, cellHeight: 'sm', frameIndex: 0 },
      transformations: [
        {
          id: 'organize',
          options: { excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true } },
        },
      ],
    },
    {
      type: 'timeseries',
      id: 12,
      title: 'Conditions by type and status',
      description: 'Objects per condition type and status (the generic k8s.object.condition.status family).',
      datasource: ds.prometheus,
      gridPos: { x: 14, y: 14, w: 10, h: 9 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (k8s_object_kind, k8s_object_condition_type, k8s_object_condition_status) (k8s_object_condition_status{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"})`,
          legendFormat: '{{k8s_object_kind}} {{k8s_object_condition_type}}={{k8s_object_condition_status}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'none', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'timeseries',
      id: 13,
      title: 'Generation lag by kind (max)',
      description: 'Largest metadata.generation − status.observedGeneration per kind: spec changes the controllers have not caught up with.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 23, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `max by (k8s_object_kind) (k8s_object_generation_lag{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", k8s_namespace_name=~"$namespace"})`,
          legendFormat: '{{k8s_object_kind}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'none', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'row',
      title: 'Lifecycle (transitions and episodes)',
      id: 14,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y: 31, w: 24, h: 1 },
    },
    {
      type: 'timeseries',
      id: 15,
      title: 'Phase transitions',
      description: 'Phase transitions per second, by kind and target phase.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 32, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (k8s_object_kind, crotel_transition_to) (rate(crotel_transitions_total{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", crotel_state_type="phase"}[$__rate_interval]))`,
          legendFormat: '{{k8s_object_kind}} → {{crotel_transition_to}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'ops',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'none', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'timeseries',
      id: 16,
      title: 'Time to Ready (p50, p95)',
      description: 'Duration of successful reconcile episodes (created / spec change / degradation → healthy), from crotel\'s own histogram (it carries no exemplars: see the span-metrics panel below for links to traces).',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 32, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.5, sum by (le, k8s_object_kind) (rate(crotel_episode_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", crotel_episode_outcome="succeeded"}[$__rate_interval])))`,
          legendFormat: 'p50 {{k8s_object_kind}}',
          range: true,
        },
        {
          refId: 'B',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.95, sum by (le, k8s_object_kind) (rate(crotel_episode_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind", crotel_episode_outcome="succeeded"}[$__rate_interval])))`,
          legendFormat: 'p95 {{k8s_object_kind}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 's',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'none', group: 'A' },
          },
          links: [
            {
              title: 'Slowest lifecycle traces',
              url: exploreTraceQL('{ resource.service.name = "crotel" && name =~ "reconcile .*" } | select(span.crotel.episode.outcome)'),
              targetBlank: true,
            },
          ],
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'timeseries',
      id: 17,
      title: 'Episodes by outcome',
      description: 'Reconcile episodes ended, by outcome (succeeded, failed, deleted, timed_out) and trigger.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 40, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (crotel_episode_outcome, crotel_episode_trigger) (increase(crotel_episode_duration_seconds_count{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind"}[$__rate_interval]))`,
          legendFormat: '{{crotel_episode_trigger}} → {{crotel_episode_outcome}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'none',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 60,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'normal', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'timeseries',
      id: 18,
      title: 'Time spent in a state (p95)',
      description: 'How long objects stay in each phase / condition state before moving on.',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 40, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.95, sum by (le, k8s_object_kind, crotel_state) (rate(crotel_state_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind=~"$kind"}[$__rate_interval])))`,
          legendFormat: '{{k8s_object_kind}} {{crotel_state}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 's',
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            stacking: { mode: 'none', group: 'A' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
    {
      type: 'table',
      id: 19,
      title: 'Recent lifecycle traces',
      description: 'One trace per reconcile episode: the root span "reconcile <Kind>" and a child span per phase / condition state (Tempo).',
      datasource: ds.tempo,
      gridPos: { x: 0, y: 48, w: 24, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.tempo,
          queryType: 'traceql',
          query: '{ resource.service.name = "crotel" && name =~ "reconcile .*" }',
          limit: 20,
          tableType: 'traces',
        },
      ],
      fieldConfig: { defaults: { custom: { align: 'auto' } }, overrides: [] },
      options: { showHeader: true, cellHeight: 'sm', frameIndex: 0 },
    },
    ...healthStatePanels(c, { firstId: 20, y: 56 }),
    ...spanMetricsPanels(c, { firstId: 30, y: 70, kindSelector: 'k8s_object_kind=~"$kind"', by: 'k8s_object_kind' }),
  ];
}

export function overviewVariables(c: MixinConfig): VariableJson[] {
  const ds = datasources;
  return [
    ...datasourceVariables(true),
    {
      type: 'query',
      name: 'job',
      label: 'crotel job',
      datasource: ds.prometheus,
      query: { qryType: 1, query: 'label_values(crotel_objects, job)', refId: 'job-var' },
      refresh: 2,
      sort: 1,
      hide: 0,
      includeAll: false,
      multi: false,
      current: { text: c.defaultJob, value: c.defaultJob },
      options: [],
    },
    {
      type: 'query',
      name: 'cluster',
      label: 'cluster',
      datasource: ds.prometheus,
      query: {
        qryType: 1,
        query: `label_values(crotel_objects{job="$job"}, ${c.clusterLabel})`,
        refId: 'cluster-var',
      },
      refresh: 2,
      sort: 1,
      hide: 0,
      includeAll: true,
      multi: true,
      allValue: '.*',
      current: { text: 'All', value: '$__all' },
      options: [],
    },
    {
      type: 'query',
      name: 'kind',
      label: 'kind',
      datasource: ds.prometheus,
      query: {
        qryType: 1,
        query: 'label_values(k8s_object_health{job="$job"}, k8s_object_kind)',
        refId: 'kind-var',
      },
      refresh: 2,
      sort: 1,
      hide: 0,
      includeAll: true,
      multi: true,
      allValue: '.*',
      current: { text: 'All', value: '$__all' },
      options: [],
    },
    {
      type: 'query',
      name: 'namespace',
      label: 'namespace',
      datasource: ds.prometheus,
      query: {
        qryType: 1,
        query: 'label_values(k8s_object_health{job="$job", k8s_object_kind=~"$kind"}, k8s_namespace_name)',
        refId: 'namespace-var',
      },
      refresh: 2,
      sort: 1,
      hide: 0,
      includeAll: true,
      multi: true,
      allValue: '.*',
      current: { text: 'All', value: '$__all' },
      options: [],
    },
  ];
}

export function overviewDashboard(c: MixinConfig): DashboardJson {
  return {
    ...importHeader(true),
    uid: 'crotel-overview',
    title: 'crotel / Custom resources overview',
    description: 'Health, phases and lifecycle of every custom resource kind crotel watches (generic k8s.object.* families and lifecycle metrics).',
    tags: [...c.dashboardTags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [
      {
        title: 'crotel dashboards',
        type: 'dashboards',
        tags: ['crotel'],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    templating: { list: overviewVariables(c) },
    panels: overviewPanels(c),
  };
}
