// crotel's alerts, as rule groups parameterised by the mixin config. mixin/generate.ts writes them
// as plain Prometheus rule files (prometheus/rules/) and as the PrometheusRule object the chart and
// deploy/components/prometheusrule ship. Every alert links its runbook (docs/runbooks.md).
import { matchers, type MixinConfig } from './config.ts';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: 'critical' | 'warning' };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** One file of prometheus/rules/: its groups and the comment heading it. */
export interface RuleFile {
  readonly file: string;
  readonly header: string;
  readonly groups: readonly RuleGroup[];
}

type Draft = Omit<AlertRule, 'annotations'> & { readonly annotations: Omit<AlertRule['annotations'], 'runbook_url'> };

function withRunbooks(c: MixinConfig, rules: readonly Draft[]): AlertRule[] {
  return rules.map((r) => ({ ...r, annotations: { ...r.annotations, runbook_url: `${c.runbookUrl}#${r.alert.toLowerCase()}` } }));
}

/** One series per object however many replicas or scrape paths report it. */
function perObject(c: MixinConfig, selector: string): string {
  return `max without (${c.replicaLabels.join(', ')}) (${selector})`;
}

const OBJECT = '{{ $labels.k8s_object_kind }} {{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }}';

export function objectRules(c: MixinConfig): RuleFile {
  const health = (state: string): string => perObject(c, `k8s_object_health{${matchers(c.crotelSelector, c.namespaceSelector, `k8s_object_health="${state}"`)}}`);
  return {
    file: 'crotel-objects.yml',
    header: [
      'Generic alerts for ANY kind crotel watches, on the generic k8s.object.* families (resources with',
      '`generic: true`, or without metric config) and the lifecycle metrics. Health follows kstatus, in',
      'seven states: current | in_progress | degraded | failed | suspended | terminating | unknown.',
      'suspended objects are paused on purpose and never alert.',
    ].join('\n'),
    groups: [{
      name: 'crotel-objects',
      rules: withRunbooks(c, [
        {
          alert: 'CustomResourceNotHealthy',
          expr: `${health('current')} == 0\nunless ignoring (k8s_object_health)\n${health('suspended')} == 1`,
          for: '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: `${OBJECT} not healthy for 15 minutes`,
            description: 'The {{ $labels.k8s_object_kind }} ({{ $labels.k8s_object_group }}) {{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }} has not been healthy (kstatus Current) for more than 15 minutes, and is not suspended: it is in progress, degraded, failed, terminating or of unknown health.',
          },
        },
        {
          alert: 'CustomResourceDegraded',
          expr: `${health('degraded')} == 1`,
          for: '15m',
          labels: { severity: 'warning' },
          annotations: {
            summary: `${OBJECT} degraded for 15 minutes`,
            description: '{{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }} ({{ $labels.k8s_object_kind }}.{{ $labels.k8s_object_group }}) has been degraded (it works, with reduced capacity or redundancy) for more than 15 minutes.',
          },
        },
        {
          alert: 'CustomResourceFailed',
          expr: `${health('failed')} == 1`,
          for: '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: `${OBJECT} has failed`,
            description: '{{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }} ({{ $labels.k8s_object_kind }}.{{ $labels.k8s_object_group }}) has been failed (Stalled=True or a configured failure phase) for more than 5 minutes.',
          },
        },
        {
          alert: 'CustomResourceHealthUnknown',
          expr: `${health('unknown')} == 1`,
          for: '30m',
          labels: { severity: 'warning' },
          annotations: {
            summary: `Health of ${OBJECT} unknown for 30 minutes`,
            description: 'crotel could not tell the health of {{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }} ({{ $labels.k8s_object_kind }}.{{ $labels.k8s_object_group }}) for more than 30 minutes: it has no status conditions crotel understands and no configured phase.',
          },
        },
        {
          alert: 'CustomResourceGenerationNotObserved',
          expr: `${perObject(c, `k8s_object_generation_lag{${matchers(c.crotelSelector, c.namespaceSelector)}}`)} > 0`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Spec change of {{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }} not picked up by its controller',
            description: 'metadata.generation of the {{ $labels.k8s_object_kind }} {{ $labels.k8s_namespace_name }}/{{ $labels.k8s_object_name }} has been ahead of status.observedGeneration by {{ $value }} for more than 10 minutes: its controller is down, stuck, or cannot write status.',
          },
        },
        {
          alert: 'CustomResourceEpisodesTimedOut',
          // Lifecycle metrics come from the Lease holder only: a sum over the kind is not doubled.
          expr: `sum by (${c.clusterLabel}, k8s_object_group, k8s_object_kind) (increase(crotel_episode_duration_seconds_count{${matchers(c.crotelSelector, 'crotel_episode_outcome="timed_out"')}}[30m])) > 0`,
          labels: { severity: 'warning' },
          annotations: {
            summary: "{{ $labels.k8s_object_kind }} reconcile episodes stuck past crotel's episode timeout",
            description: "{{ $value | humanize }} reconcile episode(s) of {{ $labels.k8s_object_kind }} ({{ $labels.k8s_object_group }}) ran longer than crotel's episode timeout in the last 30 minutes without becoming healthy.",
          },
        },
      ]),
    }],
  };
}

export function selfRules(c: MixinConfig): RuleFile {
  const sel = (name: string): string => `${name}{${c.crotelSelector}}`;
  return {
    file: 'crotel-self.yml',
    header: [
      "crotel's own health, per replica. The names are the same on both paths: /metrics names each family",
      "as Prometheus's OTLP translation does (the 0/1 gauges carry no unit, so no _ratio suffix).",
    ].join('\n'),
    groups: [{
      name: 'crotel-self',
      rules: withRunbooks(c, [
        {
          alert: 'CrotelWatchDown',
          expr: `${sel('crotel_watch_up')} == 0`,
          for: '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'crotel is not watching {{ $labels.crotel_resource }}',
            description: "crotel's watch of {{ $labels.crotel_resource }} has been disconnected for more than 5 minutes: its metrics and lifecycle traces for that resource are stale.",
          },
        },
        {
          alert: 'CrotelResourceNotSynced',
          expr: `${sel('crotel_resource_synced')} == 0`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'crotel has not completed a list of {{ $labels.crotel_resource }}',
            description: "{{ $labels.crotel_resource }} has not been listed completely for more than 10 minutes; crotel's /readyz fails meanwhile and its series for that resource are missing or incomplete.",
          },
        },
        {
          alert: 'CrotelExportFailing',
          expr: `sum by (job, instance, signal) (rate(crotel_export_failures_total{${c.crotelSelector}}[5m])) > 0`,
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'crotel cannot export {{ $labels.signal }} over OTLP',
            description: "crotel's OTLP exports of {{ $labels.signal }} have been failing for more than 10 minutes ({{ printf \"%.2f\" $value }} failures/s); data is being lost.",
          },
        },
        {
          alert: 'CrotelSeriesDropped',
          expr: `sum by (job, instance, metric) (increase(crotel_series_dropped_total{${c.crotelSelector}}[15m])) > 0`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'crotel drops series of {{ $labels.metric }} (cardinality limit)',
            description: '{{ $value | humanize }} series of {{ $labels.metric }} were dropped in the last 15 minutes because the metric reached its cardinality limit.',
          },
        },
        {
          alert: 'CrotelSpansDropped',
          expr: `sum by (job, instance, reason) (increase(crotel_spans_dropped_total{${c.crotelSelector}}[15m])) > 0`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'crotel drops lifecycle spans ({{ $labels.reason }})',
            description: '{{ $value | humanize }} lifecycle spans were dropped in the last 15 minutes (reason {{ $labels.reason }}); traces in Tempo/Jaeger are incomplete.',
          },
        },
      ]),
    }],
  };
}

export function databaseInstanceRules(c: MixinConfig): RuleFile {
  const obj = (selector: string): string => perObject(c, selector);
  return {
    file: 'databaseinstance.yml',
    header: [
      "The reference workload's three alerts (DATABASEINSTANCE.md), on the original monitor's metrics.",
      '',
      "Why these read differently from the write-up: there, database_instance_phase is 1 only when the",
      'phase is Running and database_instance_condition is 1 only when the status is "True". So the',
      'series {phase="Failed"} of a failed instance has the value 0, and `... == 1` could never fire.',
      'The series carrying the current phase / condition status EXISTS exactly while the instance is in',
      'it: the rules select it by its labels and fire on its presence.',
    ].join('\n'),
    groups: [{
      name: 'databaseinstance',
      rules: withRunbooks(c, [
        {
          alert: 'DatabaseInstanceFailed',
          expr: obj(`database_instance_phase{${matchers(c.crotelSelector, 'phase="Failed"')}}`),
          for: '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'DatabaseInstance {{ $labels.namespace }}/{{ $labels.name }} is Failed',
            description: 'The {{ $labels.engine }} {{ $labels.version }} instance {{ $labels.namespace }}/{{ $labels.name }} has been in phase Failed for more than 5 minutes.',
          },
        },
        {
          alert: 'DatabaseInstanceNotReady',
          expr: obj(`database_instance_condition{${matchers(c.crotelSelector, 'condition_type="Ready"', 'condition_status="False"')}}`),
          for: '10m',
          labels: { severity: 'warning' },
          annotations: {
            summary: 'DatabaseInstance {{ $labels.namespace }}/{{ $labels.name }} is not Ready',
            description: 'The Ready condition of {{ $labels.namespace }}/{{ $labels.name }} ({{ $labels.engine }} {{ $labels.version }}) has been False for more than 10 minutes.',
          },
        },
        {
          alert: 'DatabaseInstanceBackupTooOld',
          expr: `time() - ${obj(`database_instance_last_backup_time_seconds{${c.crotelSelector}}`)} > 24 * 3600`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'No backup of {{ $labels.namespace }}/{{ $labels.name }} for more than a day',
            description: 'The last successful backup of {{ $labels.namespace }}/{{ $labels.name }} was {{ $value | humanizeDuration }} ago.',
          },
        },
      ]),
    }],
  };
}

export function ruleFiles(c: MixinConfig): RuleFile[] {
  return [objectRules(c), selfRules(c), databaseInstanceRules(c)];
}
