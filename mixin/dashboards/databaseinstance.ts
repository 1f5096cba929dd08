// The reference workload (DatabaseInstance) on its original metrics.
// The source of grafana/dashboards/databaseinstance.json (npm run mixin writes it; see mixin/README.md).
import type { MixinConfig } from '../config.ts';
import { spanMetricsPanels } from './panels.ts';
import { datasources, datasourceVariables, importHeader, exploreTraceQL, type DashboardJson, type PanelJson, type VariableJson } from './common.ts';

export function databaseInstancePanels(c: MixinConfig): PanelJson[] {
  const ds = datasources;
  return [
    {
      type: 'row',
      title: 'Fleet',
      id: 1,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y: 0, w: 24, h: 1 },
    },
    {
      type: 'stat',
      id: 2,
      title: 'Instances',
      description: 'DatabaseInstances (every instance has a storage series, even without status).',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count(database_instance_storage_gb{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
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
      title: 'Running',
      description: 'Instances in phase Running (database_instance_phase is 1 only then).',
      datasource: ds.prometheus,
      gridPos: { x: 4, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum(database_instance_phase{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
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
      id: 4,
      title: 'Failed',
      description: 'Instances in phase Failed.',
      datasource: ds.prometheus,
      gridPos: { x: 8, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count(database_instance_phase{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine", phase="Failed"}) or vector(0)`,
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
      title: 'Not Ready',
      description: 'Instances whose Ready condition is not True.',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count(database_instance_condition{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine", condition_type="Ready", condition_status!="True"}) or vector(0)`,
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
      title: 'Storage requested',
      description: 'Sum of spec.storageGB.',
      datasource: ds.prometheus,
      gridPos: { x: 16, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum(database_instance_storage_gb{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'decgbytes',
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
      title: 'Oldest backup',
      description: 'Time since the least recent lastBackupTime among instances that have one.',
      datasource: ds.prometheus,
      gridPos: { x: 20, y: 1, w: 4, h: 4 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `max(time() - database_instance_last_backup_time_seconds{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
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
              { color: 'orange', value: 86400 },
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
      type: 'timeseries',
      id: 8,
      title: 'Instances by phase',
      description: 'Count of instances per status.phase.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 5, w: 8, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count by (phase) (database_instance_phase{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
          legendFormat: '{{phase}}',
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
      id: 9,
      title: 'Ready condition',
      description: 'Instances per status of their Ready condition.',
      datasource: ds.prometheus,
      gridPos: { x: 8, y: 5, w: 8, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count by (condition_status) (database_instance_condition{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine", condition_type="Ready"})`,
          legendFormat: 'Ready={{condition_status}}',
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
      title: 'Instances by engine and version',
      description: 'Count of instances per spec.engine and spec.version.',
      datasource: ds.prometheus,
      gridPos: { x: 16, y: 5, w: 8, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `count by (engine, version) (database_instance_storage_gb{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
          legendFormat: '{{engine}} {{version}}',
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
      type: 'row',
      title: 'Instances',
      id: 11,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y: 13, w: 24, h: 1 },
    },
    {
      type: 'table',
      id: 12,
      title: 'Instances',
      description: 'One row per instance: phase, Ready, storage and the age of its last backup, as the original monitor exported them. The link opens its lifecycle traces.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 14, w: 24, h: 10 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `max by (namespace, name, engine, version, phase) (database_instance_phase{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
          instant: true,
          range: false,
          format: 'table',
        },
        {
          refId: 'B',
          datasource: ds.prometheus,
          expr: `max by (namespace, name, condition_status) (database_instance_condition{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine", condition_type="Ready"})`,
          instant: true,
          range: false,
          format: 'table',
        },
        {
          refId: 'C',
          datasource: ds.prometheus,
          expr: `max by (namespace, name) (database_instance_storage_gb{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
          instant: true,
          range: false,
          format: 'table',
        },
        {
          refId: 'D',
          datasource: ds.prometheus,
          expr: `max by (namespace, name) (time() - database_instance_last_backup_time_seconds{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"})`,
          instant: true,
          range: false,
          format: 'table',
        },
      ],
      fieldConfig: {
        defaults: {
          links: [
            {
              title: 'Lifecycle traces of ${__data.fields.namespace}/${__data.fields.name}',
              url: exploreTraceQL('{ resource.service.name = "crotel" && span.k8s.object.kind = "DatabaseInstance" && span.k8s.namespace.name = "${__data.fields.namespace}" && span.k8s.object.name = "${__data.fields.name}" }'),
              targetBlank: true,
            },
          ],
          custom: { align: 'auto', filterable: true },
        },
        overrides: [
          {
            matcher: { id: 'byName', options: 'since last backup' },
            properties: [
              { id: 'unit', value: 's' },
            ],
          },
        ],
      },
      options: { showHeader: true, cellHeight: 'sm', frameIndex: 0 },
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, "Value #A": true, "Value #B": true },
            renameByName: { condition_status: 'Ready', "Value #C": 'storage GB', "Value #D": 'since last backup' },
          },
        },
      ],
    },
    {
      type: 'table',
      id: 13,
      title: 'Not Ready instances',
      description: 'Instances whose Ready condition is False or Unknown now.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 24, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `database_instance_condition{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine", condition_type="Ready", condition_status!="True"}`,
          instant: true,
          range: false,
          format: 'table',
        },
      ],
      fieldConfig: { defaults: { custom: { align: 'auto', filterable: true } }, overrides: [] },
      options: { showHeader: true, cellHeight: 'sm', frameIndex: 0 },
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true, condition_type: true },
          },
        },
      ],
    },
    {
      type: 'table',
      id: 14,
      title: 'Alerts',
      description: 'DatabaseInstance alerts pending or firing (rules in prometheus/rules/databaseinstance.yml).',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 24, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: 'ALERTS{alertname=~"DatabaseInstance.*"}',
          instant: true,
          range: false,
          format: 'table',
        },
      ],
      fieldConfig: { defaults: { custom: { align: 'auto', filterable: true } }, overrides: [] },
      options: { showHeader: true, cellHeight: 'sm', frameIndex: 0 },
      transformations: [
        {
          id: 'organize',
          options: { excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true } },
        },
      ],
    },
    {
      type: 'bargauge',
      id: 15,
      title: 'Time since last backup',
      description: 'Per instance; orange after 24 h (the DatabaseInstanceBackupTooOld alert).',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 32, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `time() - database_instance_last_backup_time_seconds{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"}`,
          legendFormat: '{{namespace}}/{{name}}',
          instant: true,
          range: false,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 's',
          min: 0,
          color: { mode: 'thresholds' },
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
              { color: 'orange', value: 86400 },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        orientation: 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
        valueMode: 'color',
        namePlacement: 'auto',
        sizing: 'auto',
        minVizHeight: 16,
        minVizWidth: 8,
        maxVizHeight: 300,
        legend: { showLegend: false, displayMode: 'list', placement: 'bottom', calcs: [] },
      },
    },
    {
      type: 'timeseries',
      id: 16,
      title: 'Storage requested',
      description: 'spec.storageGB per instance; steps are spec changes.',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 32, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `database_instance_storage_gb{job="$job", ${c.clusterLabel}=~"$cluster", namespace=~"$namespace", engine=~"$engine"}`,
          legendFormat: '{{namespace}}/{{name}}',
          range: true,
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'decgbytes',
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
      id: 17,
      title: 'Generation lag',
      description: 'metadata.generation − status.observedGeneration per instance (generic family): a spec change the controller has not picked up yet.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 40, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `max by (k8s_namespace_name, k8s_object_name) (k8s_object_generation_lag{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind="DatabaseInstance", k8s_namespace_name=~"$namespace"})`,
          legendFormat: '{{k8s_namespace_name}}/{{k8s_object_name}}',
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
      title: 'Lifecycle',
      id: 18,
      collapsed: false,
      panels: [],
      gridPos: { x: 0, y: 48, w: 24, h: 1 },
    },
    {
      type: 'timeseries',
      id: 19,
      title: 'Phase transitions',
      description: 'Phase transitions per second, from → to.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 49, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (crotel_transition_from, crotel_transition_to) (rate(crotel_transitions_total{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind="DatabaseInstance", k8s_object_group="stable.example.com", crotel_state_type="phase"}[$__rate_interval]))`,
          legendFormat: '{{crotel_transition_from}} → {{crotel_transition_to}}',
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
      id: 20,
      title: 'Time to Running (p50, p95)',
      description: 'Duration of successful episodes: creation or spec change until Running and Ready, from crotel\'s own histogram (no exemplars: the span-metrics panel links to traces).',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 49, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.5, sum by (le, crotel_episode_trigger) (rate(crotel_episode_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind="DatabaseInstance", k8s_object_group="stable.example.com", crotel_episode_outcome="succeeded"}[$__rate_interval])))`,
          legendFormat: 'p50 {{crotel_episode_trigger}}',
          range: true,
        },
        {
          refId: 'B',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.95, sum by (le, crotel_episode_trigger) (rate(crotel_episode_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind="DatabaseInstance", k8s_object_group="stable.example.com", crotel_episode_outcome="succeeded"}[$__rate_interval])))`,
          legendFormat: 'p95 {{crotel_episode_trigger}}',
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
      type: 'timeseries',
      id: 21,
      title: 'Time in phase (p95)',
      description: 'How long instances stay in Pending, Provisioning, Failed… before moving on.',
      datasource: ds.prometheus,
      gridPos: { x: 0, y: 57, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `histogram_quantile(0.95, sum by (le, crotel_state) (rate(crotel_state_duration_seconds_bucket{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind="DatabaseInstance", k8s_object_group="stable.example.com", crotel_state_type="phase"}[$__rate_interval])))`,
          legendFormat: '{{crotel_state}}',
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
      type: 'timeseries',
      id: 22,
      title: 'Episodes by outcome',
      description: 'Ended reconcile episodes of DatabaseInstances by outcome.',
      datasource: ds.prometheus,
      gridPos: { x: 12, y: 57, w: 12, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.prometheus,
          expr: `sum by (crotel_episode_outcome) (increase(crotel_episode_duration_seconds_count{job="$job", ${c.clusterLabel}=~"$cluster", k8s_object_kind="DatabaseInstance", k8s_object_group="stable.example.com"}[$__rate_interval]))`,
          legendFormat: '{{crotel_episode_outcome}}',
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
      id: 23,
      title: 'Lifecycle traces',
      description: 'Reconcile episodes of DatabaseInstances (Tempo): root "reconcile DatabaseInstance", one child span per phase.',
      datasource: ds.tempo,
      gridPos: { x: 0, y: 65, w: 24, h: 8 },
      targets: [
        {
          refId: 'A',
          datasource: ds.tempo,
          queryType: 'traceql',
          query: '{ resource.service.name = "crotel" && name = "reconcile DatabaseInstance" }',
          limit: 20,
          tableType: 'traces',
        },
      ],
      fieldConfig: { defaults: { custom: { align: 'auto' } }, overrides: [] },
      options: { showHeader: true, cellHeight: 'sm', frameIndex: 0 },
    },
    ...spanMetricsPanels(c, { firstId: 30, y: 73, kindSelector: 'k8s_object_kind="DatabaseInstance"', by: 'crotel_episode_outcome' }),
  ];
}

export function databaseInstanceVariables(c: MixinConfig): VariableJson[] {
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
      name: 'namespace',
      label: 'namespace',
      datasource: ds.prometheus,
      query: {
        qryType: 1,
        query: 'label_values(database_instance_storage_gb{job="$job"}, namespace)',
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
    {
      type: 'query',
      name: 'engine',
      label: 'engine',
      datasource: ds.prometheus,
      query: {
        qryType: 1,
        query: 'label_values(database_instance_storage_gb{job="$job"}, engine)',
        refId: 'engine-var',
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

export function databaseInstanceDashboard(c: MixinConfig): DashboardJson {
  return {
    ...importHeader(true),
    uid: 'crotel-databaseinstance',
    title: 'crotel / DatabaseInstance',
    description: 'The reference workload: everything the original DatabaseInstance monitor showed (phase, conditions, storage, last backup) and its lifecycle: transitions, time to Running, traces.',
    tags: ['crotel', 'databaseinstance'],
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
    templating: { list: databaseInstanceVariables(c) },
    panels: databaseInstancePanels(c),
  };
}
