{{/* Chart name. */}}
{{- define "daxcache.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: <release>-<chart>, or the release name when it contains the chart name. Kept at
52 characters so that StatefulSet pod names and their controller-revision-hash label fit in 63. */}}
{{- define "daxcache.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "daxcache.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "daxcache.headlessName" -}}
{{- printf "%s-headless" (include "daxcache.fullname" .) -}}
{{- end -}}

{{- define "daxcache.proxyName" -}}
{{- printf "%s-proxy" (include "daxcache.fullname" .) -}}
{{- end -}}

{{/* Labels common to every object. */}}
{{- define "daxcache.labels" -}}
helm.sh/chart: {{ include "daxcache.chart" . }}
app.kubernetes.io/name: {{ include "daxcache.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of the daxcache server pods. */}}
{{- define "daxcache.selectorLabels" -}}
app.kubernetes.io/name: {{ include "daxcache.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{/* Selector labels of the proxy pods. */}}
{{- define "daxcache.proxySelectorLabels" -}}
app.kubernetes.io/name: {{ include "daxcache.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: proxy
{{- end -}}

{{- define "daxcache.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "daxcache.proxyImage" -}}
{{- printf "%s:%s" .Values.proxy.image.repository .Values.proxy.image.tag -}}
{{- end -}}

{{- define "daxcache.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "daxcache.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Secret holding the password, and its key. */}}
{{- define "daxcache.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else -}}
{{- include "daxcache.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "daxcache.secretKey" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecretKey -}}
{{- else -}}
password
{{- end -}}
{{- end -}}

{{/* The env entry DAXCACHE_REQUIREPASS (or another name given as .name) from the Secret. */}}
{{- define "daxcache.passwordEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "daxcache.secretName" .root }}
      key: {{ include "daxcache.secretKey" .root }}
{{- end -}}

{{/* Host name of pod i (.i) through the headless Service. */}}
{{- define "daxcache.podHost" -}}
{{- printf "%s-%d.%s.%s.svc.%s" (include "daxcache.fullname" .root) (int .i) (include "daxcache.headlessName" .root) .root.Release.Namespace .root.Values.clusterDomain -}}
{{- end -}}

{{/* A security context value without the chart's "enabled" switch. */}}
{{- define "daxcache.securityContext" -}}
{{- omit . "enabled" | toYaml -}}
{{- end -}}
