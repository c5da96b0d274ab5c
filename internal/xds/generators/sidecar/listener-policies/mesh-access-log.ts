/**
 * MeshAccessLog on a sidecar's listeners (Kuma pkg/plugins/policies/meshaccesslog): inbounds take
 * the conf for every client (`from` allows kind Mesh only), outbounds the `to` conf of their
 * service. Every backend becomes an envoy.access_loggers.file on the HCM or tcp_proxy:
 *
 * - File: written to `path`, Plain (default: Kuma's HTTP or TCP format by the listener's protocol)
 *   or Json format.
 * - Tcp: Envoy has no raw TCP logger, so Kuma writes `{"address", "message"}` JSON lines to a pipe
 *   kuma-dp reads and forwards to `address`; the same config is generated here, pointing at
 *   `/tmp/kuma-al-<dataplane>-<mesh>.sock` (internal/dp/access-log-streamer.ts forwards them).
 * - OpenTelemetry: envoy.access_loggers.open_telemetry over OTLP/gRPC to the collector cluster
 *   of its endpoint (mesh-access-log-clusters.ts); body and attributes in envoy/otel-access-log.ts.
 *
 * Kuma's own operators (%KUMA_MESH%, %KUMA_SOURCE_SERVICE%, ...) are not Envoy's: they are replaced
 * by their values here, per listener.
 */
import type { AccessLog } from '../../../../../proto/gen/envoy/config/accesslog/v3/accesslog';
import type { SubstitutionFormatString } from '../../../../../proto/gen/envoy/config/core/v3/substitution_format_string';
import { FileAccessLog } from '../../../../../proto/gen/envoy/extensions/access_loggers/file/v3/file';
import type { DeepPartial } from '../../../../../proto/gen/typeRegistry';
import { accessLogPipePath } from '../../../../core/access-log-pipe';
import { pack } from '../../../../proto/any';
import { otelAccessLog } from '../../envoy/otel-access-log';
import { type Obj, boolAt, listAt, objAt, strAt } from '../../envoy/values';
import type { ListenerAdditions, ListenerPolicy } from '../listener-policies';
import { type OtelCollector, otelCollectors } from '../mesh-access-log-clusters';

export const DEFAULT_TCP_FORMAT =
  '[%START_TIME%] %RESPONSE_FLAGS% %KUMA_MESH% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT%(%KUMA_SOURCE_SERVICE%)->%UPSTREAM_HOST%(%KUMA_DESTINATION_SERVICE%) took %DURATION%ms, sent %BYTES_SENT% bytes, received: %BYTES_RECEIVED% bytes';
export const DEFAULT_HTTP_FORMAT =
  '[%START_TIME%] %KUMA_MESH% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-B3-TRACEID?X-DATADOG-TRACEID)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%KUMA_SOURCE_SERVICE%" "%KUMA_DESTINATION_SERVICE%" "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%" "%UPSTREAM_HOST%"';

/** The source of inbound traffic is not known when the config is generated. */
export const UNKNOWN_SERVICE = 'unknown';

export interface KumaValues {
  mesh: string;
  sourceService: string;
  /** Kuma uses the proxy's own address in both directions. */
  sourceIp: string;
  destinationService: string;
  direction: 'INBOUND' | 'OUTBOUND';
}

function interpolate(s: string, v: KumaValues): string {
  return s
    .replaceAll('%KUMA_MESH%', v.mesh)
    .replaceAll('%KUMA_SOURCE_SERVICE%', v.sourceService)
    .replaceAll('%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%', v.sourceIp)
    .replaceAll('%KUMA_DESTINATION_SERVICE%', v.destinationService)
    .replaceAll('%KUMA_TRAFFIC_DIRECTION%', v.direction);
}

function jsonFields(format: Obj, v: KumaValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of listAt(format, 'json')) {
    const key = strAt(kv, 'key');
    if (key) out[key] = interpolate(strAt(kv, 'value') ?? '', v);
  }
  return out;
}

function fileFormat(format: Obj | undefined, defaultFormat: string, v: KumaValues): DeepPartial<SubstitutionFormatString> {
  const omitEmptyValues = (format && boolAt(format, 'omitEmptyValues')) ?? false;
  if (format && strAt(format, 'type') === 'Json') return { format: { $case: 'jsonFormat', value: jsonFields(format, v) }, omitEmptyValues };
  const text = interpolate(`${(format && strAt(format, 'plain')) ?? defaultFormat}\n`, v);
  return { format: { $case: 'textFormatSource', value: { specifier: { $case: 'inlineString', value: text } } }, omitEmptyValues };
}

function tcpFormat(address: string, format: Obj | undefined, defaultFormat: string, v: KumaValues): DeepPartial<SubstitutionFormatString> {
  const omitEmptyValues = (format && boolAt(format, 'omitEmptyValues')) ?? false;
  const message = format && strAt(format, 'type') === 'Json' ? jsonFields(format, v) : interpolate(`${(format && strAt(format, 'plain')) ?? defaultFormat}\n`, v);
  return { format: { $case: 'jsonFormat', value: { address, message } }, omitEmptyValues };
}

function fileLogger(path: string, logFormat: DeepPartial<SubstitutionFormatString>): DeepPartial<AccessLog> {
  return {
    name: 'envoy.access_loggers.file',
    configType: { $case: 'typedConfig', value: pack(FileAccessLog, { path, accessLogFormat: { $case: 'logFormat', value: logFormat } }) },
  };
}

function otelLogger(otel: Obj, collectors: Map<string, OtelCollector>, defaultFormat: string, v: KumaValues): DeepPartial<AccessLog> | undefined {
  const collector = collectors.get(strAt(otel, 'endpoint') ?? '');
  if (!collector) return undefined;
  const attributes = listAt(otel, 'attributes').flatMap((kv) => {
    const key = strAt(kv, 'key');
    return key ? [{ key, value: strAt(kv, 'value') ?? '' }] : [];
  });
  return otelAccessLog({ clusterName: collector.name, body: otel.body, attributes, defaultFormat, fill: (s) => interpolate(s, v) });
}

export function addBackends(conf: Obj | undefined, http: boolean, v: KumaValues, pipe: string, collectors: Map<string, OtelCollector>, add: ListenerAdditions): void {
  const defaultFormat = http ? DEFAULT_HTTP_FORMAT : DEFAULT_TCP_FORMAT;
  for (const b of listAt(conf, 'backends')) {
    const file = objAt(b, 'file');
    const tcp = objAt(b, 'tcp');
    const otel = objAt(b, 'openTelemetry');
    const type = strAt(b, 'type');
    if (type === 'File' && file && strAt(file, 'path')) add.accessLogs.push(fileLogger(strAt(file, 'path')!, fileFormat(objAt(file, 'format'), defaultFormat, v)));
    else if (type === 'Tcp' && tcp && strAt(tcp, 'address')) add.accessLogs.push(fileLogger(pipe, tcpFormat(strAt(tcp, 'address')!, objAt(tcp, 'format'), defaultFormat, v)));
    else if (type === 'OpenTelemetry' && otel) {
      const logger = otelLogger(otel, collectors, defaultFormat, v);
      if (logger) add.accessLogs.push(logger);
    }
  }
}

export const meshAccessLogPolicy: ListenerPolicy = {
  type: 'MeshAccessLog',
  inbound({ pp, inbound, http }, add) {
    const conf = pp.fromMesh('MeshAccessLog', inbound);
    if (!conf) return;
    const values: KumaValues = {
      mesh: pp.dp.mesh,
      sourceService: UNKNOWN_SERVICE,
      sourceIp: pp.dp.address,
      destinationService: pp.dp.inbounds[0]?.service ?? inbound.service,
      direction: 'INBOUND',
    };
    addBackends(conf, http, values, accessLogPipePath(pp.dp.name, pp.dp.mesh), otelCollectors(pp), add);
  },
  outbound({ pp, plan, http }, add) {
    const conf = pp.to('MeshAccessLog', plan.service);
    if (!conf) return;
    const values: KumaValues = {
      mesh: pp.dp.mesh,
      sourceService: pp.dp.inbounds[0]?.service ?? UNKNOWN_SERVICE,
      sourceIp: pp.dp.address,
      destinationService: plan.service,
      direction: 'OUTBOUND',
    };
    addBackends(conf, http, values, accessLogPipePath(pp.dp.name, pp.dp.mesh), otelCollectors(pp), add);
  },
};
