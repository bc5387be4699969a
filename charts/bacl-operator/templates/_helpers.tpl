{{/* The operator's name: the release name, so two releases in one cluster never collide. */}}
{{- define "bacl-operator.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bacl-operator.serviceAccountName" -}}
{{- default (include "bacl-operator.name" .) .Values.serviceAccount.name -}}
{{- end -}}
