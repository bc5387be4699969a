{{/* The operator's name: the release name, so two releases in one cluster never collide. */}}
{{- define "bacl-operator.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bacl-operator.serviceAccountName" -}}
{{- default (include "bacl-operator.name" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* Labels every object of the release carries, as JSON (templates render it with nindent). */}}
{{- define "bacl-operator.labels" -}}
{{- dict "app.kubernetes.io/name" "bacl-operator" "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/version" .Chart.AppVersion "app.kubernetes.io/managed-by" .Release.Service "helm.sh/chart" (printf "%s-%s" .Chart.Name .Chart.Version) | toJson -}}
{{- end -}}

{{/* The namespaces whose worker pods the NetworkPolicy covers, as a list. */}}
{{- define "bacl-operator.workerNamespaces" -}}
{{- .Values.networkPolicy.namespaces | default (list (.Values.watchNamespace | default .Release.Namespace)) | toJson -}}
{{- end -}}

{{/* The operator's default NATS URL: workerDefaults.nats.url, else the nats dependency's client Service. */}}
{{- define "bacl-operator.natsUrl" -}}
{{- if .Values.workerDefaults.nats.url -}}
{{- .Values.workerDefaults.nats.url -}}
{{- else if .Values.nats.enabled -}}
{{- $name := .Values.nats.fullnameOverride | default (ternary .Release.Name (printf "%s-nats" .Release.Name) (contains "nats" .Release.Name)) | trunc 63 | trimSuffix "-" -}}
{{- printf "nats://%s.%s.svc:%v" $name (.Values.nats.namespaceOverride | default .Release.Namespace) (dig "config" "nats" "port" 4222 .Values.nats) -}}
{{- end -}}
{{- end -}}
