{{/* Names */}}
{{- define "crotel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crotel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "crotel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "crotel.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The app.kubernetes.io/* label set (and helm.sh/chart) on every object. */}}
{{- define "crotel.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "crotel.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | quote }}
app.kubernetes.io/component: monitor
app.kubernetes.io/part-of: crotel
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* app.kubernetes.io/name is "crotel" whatever the release is called: the ServiceMonitor and
PodMonitor take the job label from it, and the shipped rules select job="crotel". */}}
{{- define "crotel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crotel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "crotel.sharded" -}}
{{- if .Values.sharding.enabled }}true{{ end -}}
{{- end -}}

{{/* Leader election runs for replicated (not sharded) pods. */}}
{{- define "crotel.leaderElect" -}}
{{- if and .Values.leaderElection.enabled (not .Values.sharding.enabled) }}true{{ end -}}
{{- end -}}

{{- define "crotel.podCount" -}}
{{- if .Values.sharding.enabled }}{{ .Values.sharding.totalShards }}{{ else }}{{ .Values.replicas }}{{ end -}}
{{- end -}}

{{- define "crotel.validate" -}}
{{- if and .Values.sharding.enabled (lt (int .Values.sharding.totalShards) 1) -}}
{{- fail "sharding.totalShards must be at least 1" -}}
{{- end -}}
{{- if and (not .Values.sharding.enabled) (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicas > 1 needs leaderElection.enabled (else every replica emits every span)" -}}
{{- end -}}
{{- if and .Values.zeroConfig (or .Values.existingConfigMap .Values.ksmConfig .Values.existingKsmConfigMap) -}}
{{- fail "zeroConfig runs without a config file: unset existingConfigMap, ksmConfig and existingKsmConfigMap" -}}
{{- end -}}
{{- end -}}

{{/* Kubernetes' usual English plural of a kind, as `crotel rbac` guesses it without a cluster. */}}
{{- define "crotel.plural" -}}
{{- $k := lower . -}}
{{- if regexMatch "(s|x|z|ch|sh)$" $k -}}{{ $k }}es
{{- else if regexMatch "[^aeiou]y$" $k -}}{{ trimSuffix "y" $k }}ies
{{- else -}}{{ $k }}s
{{- end -}}
{{- end -}}

{{/* Adds get/list/watch on group/resource to the rule list lists[key], merging into the first
rule of the same group as `crotel rbac` does. Mutates the lists dict passed in. */}}
{{- define "crotel.addRule" -}}
{{- $rules := get .lists .key | default list -}}
{{- $found := false -}}
{{- range $rules -}}
{{- if and (not $found) (eq (index .apiGroups 0) $.group) (not (hasKey . "resourceNames")) (eq (join "," .verbs) "get,list,watch") -}}
{{- $found = true -}}
{{- if not (has $.resource .resources) }}{{ $_ := set . "resources" (append .resources $.resource) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if not $found -}}
{{- $_ := set .lists .key (append $rules (dict "apiGroups" (list .group) "resources" (list .resource) "verbs" (list "get" "list" "watch"))) -}}
{{- end -}}
{{- end -}}

{{/* The RBAC rules, as `crotel rbac` derives them from the config: YAML {cluster: [...],
namespaces: {ns: [...]}}. Zero-config: read CRDs and everything, plus events. */}}
{{- define "crotel.rbacRules" -}}
{{- $lists := dict "namespaces" dict -}}
{{- $ns := get $lists "namespaces" -}}
{{- if .Values.zeroConfig -}}
{{- include "crotel.addRule" (dict "lists" $lists "key" "cluster" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions") -}}
{{- include "crotel.addRule" (dict "lists" $lists "key" "cluster" "group" "*" "resource" "*") -}}
{{- include "crotel.addRule" (dict "lists" $lists "key" "cluster" "group" "" "resource" "events") -}}
{{- else -}}
{{- $config := .Values.config | default dict -}}
{{- if .Values.existingConfigMap }}{{ $config = dict }}{{ end -}}
{{- $resources := .Values.rbac.resources -}}
{{- if and (empty $resources) (not .Values.existingConfigMap) }}{{ $resources = $config.resources | default list }}{{ end -}}
{{- $traces := $config.traces | default dict -}}
{{- $events := true -}}
{{- if and (hasKey $traces "enabled") (eq (toString $traces.enabled) "false") }}{{ $events = false }}{{ end -}}
{{- if and (hasKey $traces "events") (not $traces.events) }}{{ $events = false }}{{ end -}}
{{- $all := list -}}
{{- range $resources }}{{ $all = append $all . }}{{ end -}}
{{- $ksm := .Values.ksmConfig | default dict -}}
{{- $crdAccess := false -}}
{{- range (($ksm.spec | default dict).resources | default list) -}}
{{- $gvk := .groupVersionKind | default dict -}}
{{- $version := toString ($gvk.version | default "") -}}
{{- $kind := toString ($gvk.kind | default "") -}}
{{- if or (eq $version "") (eq $version "*") (eq $kind "") (eq $kind "*") -}}
{{- $crdAccess = true -}}
{{- else -}}
{{- $all = append $all (dict "group" ($gvk.group | default "") "kind" $kind) -}}
{{- end -}}
{{- end -}}
{{- if $crdAccess -}}
{{- include "crotel.addRule" (dict "lists" $lists "key" "cluster" "group" "apiextensions.k8s.io" "resource" "customresourcedefinitions") -}}
{{- end -}}
{{- range $all -}}
{{- $plural := .plural | default (include "crotel.plural" .kind) -}}
{{- $group := .group | default "" -}}
{{- if .namespaces -}}
{{- range .namespaces -}}
{{- include "crotel.addRule" (dict "lists" $ns "key" . "group" $group "resource" $plural) -}}
{{- if $events }}{{ include "crotel.addRule" (dict "lists" $ns "key" . "group" "" "resource" "events") }}{{ end -}}
{{- end -}}
{{- else -}}
{{- include "crotel.addRule" (dict "lists" $lists "key" "cluster" "group" $group "resource" $plural) -}}
{{- if $events }}{{ include "crotel.addRule" (dict "lists" $lists "key" "cluster" "group" "" "resource" "events") }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $cluster := concat (get $lists "cluster" | default list) .Values.rbac.extraClusterRules -}}
{{- if include "crotel.leaderElect" . -}}
{{- $lease := get $ns .Release.Namespace | default list -}}
{{- $lease = append $lease (dict "apiGroups" (list "coordination.k8s.io") "resources" (list "leases") "verbs" (list "create")) -}}
{{- $lease = append $lease (dict "apiGroups" (list "coordination.k8s.io") "resources" (list "leases") "verbs" (list "get" "update") "resourceNames" (list (include "crotel.fullname" .))) -}}
{{- $_ := set $ns .Release.Namespace $lease -}}
{{- end -}}
{{- toYaml (dict "cluster" $cluster "namespaces" $ns) -}}
{{- end -}}
