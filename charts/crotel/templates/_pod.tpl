{{/* The pod template, shared by the Deployment (replicas, leader election) and the StatefulSet
(sharding by pod index). */}}
{{- define "crotel.configFile" -}}
{{- if and (not .Values.zeroConfig) (or .Values.existingConfigMap .Values.config) }}true{{ end -}}
{{- end -}}
{{- define "crotel.ksmFile" -}}
{{- if and (not .Values.zeroConfig) (or .Values.existingKsmConfigMap .Values.ksmConfig) }}true{{ end -}}
{{- end -}}

{{- define "crotel.podTemplate" -}}
metadata:
  labels:
    {{- include "crotel.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    {{- if include "crotel.configFile" . }}
    checksum/config: {{ toYaml .Values.config | sha256sum | trunc 16 }}
    {{- end }}
    {{- if .Values.ksmConfig }}
    checksum/ksm-config: {{ toYaml .Values.ksmConfig | sha256sum | trunc 16 }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "crotel.serviceAccountName" . }}
  automountServiceAccountToken: true
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.affinity }}
  affinity:
    {{- toYaml .Values.affinity | nindent 4 }}
  {{- else if and .Values.podAntiAffinity (gt (int (include "crotel.podCount" .)) 1) }}
  affinity:
    podAntiAffinity:
      {{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "crotel.selectorLabels" . | fromYaml)) }}
      {{- if eq .Values.podAntiAffinity "hard" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        - {{- toYaml $term | nindent 10 }}
      {{- else if eq .Values.podAntiAffinity "soft" }}
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            {{- toYaml $term | nindent 12 }}
      {{- else }}
      {{- fail (printf "podAntiAffinity: soft, hard or \"\", not %q" .Values.podAntiAffinity) }}
      {{- end }}
  {{- end }}
  {{- if and .Values.topologySpreadConstraints (gt (int (include "crotel.podCount" .)) 1) }}
  {{- $spread := list }}
  {{- range .Values.topologySpreadConstraints }}
  {{- $spread = append $spread (merge (dict) . (dict "labelSelector" (dict "matchLabels" (include "crotel.selectorLabels" $ | fromYaml)))) }}
  {{- end }}
  topologySpreadConstraints:
    {{- toYaml $spread | nindent 4 }}
  {{- end }}
  containers:
    - name: crotel
      image: "{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - run
        {{- if include "crotel.configFile" . }}
        - --config=/etc/crotel/crotel.yaml
        {{- end }}
        {{- if include "crotel.ksmFile" . }}
        - --ksm-config=/etc/crotel-ksm/crs.yaml
        {{- end }}
        {{- if include "crotel.leaderElect" . }}
        - --leader-elect
        - --leader-elect-namespace=$(K8S_NAMESPACE_NAME)
        - --leader-elect-name={{ include "crotel.fullname" . }}
        - --lease-duration={{ .Values.leaderElection.leaseDuration }}
        {{- end }}
        {{- if .Values.sharding.enabled }}
        - --shard=$(CROTEL_SHARD)
        - --total-shards={{ .Values.sharding.totalShards }}
        {{- end }}
        - --shutdown-timeout={{ .Values.shutdownTimeoutSeconds }}
        {{- range .Values.extraArgs }}
        - {{ . | quote }}
        {{- end }}
      env:
        # Downward API: crotel turns these into its own k8s.pod.* / k8s.namespace.name / k8s.node.name
        # resource attributes (OpenTelemetry's Kubernetes conventions).
        - name: K8S_POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: K8S_POD_UID
          valueFrom: {fieldRef: {fieldPath: metadata.uid}}
        - name: K8S_NAMESPACE_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: K8S_NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        {{- if .Values.sharding.enabled }}
        # The StatefulSet pod's ordinal (label set by Kubernetes >= 1.28).
        - name: CROTEL_SHARD
          valueFrom: {fieldRef: {fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']"}}
        {{- end }}
        - name: OTEL_SERVICE_NAME
          value: {{ .Values.otlp.serviceName | quote }}
        {{- with .Values.otlp.resourceAttributes }}
        - name: OTEL_RESOURCE_ATTRIBUTES
          value: {{ include "crotel.resourceAttributes" . | quote }}
        {{- end }}
        {{- with .Values.otlp.endpoint }}
        - name: OTEL_EXPORTER_OTLP_ENDPOINT
          value: {{ . | quote }}
        {{- end }}
        {{- with .Values.otlp.protocol }}
        - name: OTEL_EXPORTER_OTLP_PROTOCOL
          value: {{ . | quote }}
        {{- end }}
        {{- if .Values.otlp.headersSecret.name }}
        - name: OTEL_EXPORTER_OTLP_HEADERS
          valueFrom:
            secretKeyRef:
              name: {{ .Values.otlp.headersSecret.name }}
              key: {{ .Values.otlp.headersSecret.key }}
        {{- end }}
        {{- with .Values.otlp.metricExportInterval }}
        - name: OTEL_METRIC_EXPORT_INTERVAL
          value: {{ . | quote }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.extraEnvFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - {name: metrics, containerPort: 8080, protocol: TCP}
      readinessProbe:
        httpGet: {path: /readyz, port: metrics}
        periodSeconds: 5
      livenessProbe:
        httpGet: {path: /healthz, port: metrics}
        periodSeconds: 10
        failureThreshold: 6
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        {{- if include "crotel.configFile" . }}
        - {name: config, mountPath: /etc/crotel, readOnly: true}
        {{- end }}
        {{- if include "crotel.ksmFile" . }}
        - {name: ksm-config, mountPath: /etc/crotel-ksm, readOnly: true}
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    {{- if include "crotel.configFile" . }}
    - name: config
      configMap: {name: {{ default (printf "%s-config" (include "crotel.fullname" .)) .Values.existingConfigMap }}}
    {{- end }}
    {{- if include "crotel.ksmFile" . }}
    - name: ksm-config
      configMap: {name: {{ default (printf "%s-ksm-config" (include "crotel.fullname" .)) .Values.existingKsmConfigMap }}}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/* OTEL_RESOURCE_ATTRIBUTES from a map, keys sorted: k=v,k=v. */}}
{{- define "crotel.resourceAttributes" -}}
{{- $pairs := list -}}
{{- range $k, $v := . }}{{ $pairs = append $pairs (printf "%s=%v" $k $v) }}{{ end -}}
{{- join "," $pairs -}}
{{- end -}}
