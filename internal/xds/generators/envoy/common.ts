/**
 * Small Envoy building blocks shared by the generators: ADS config sources, socket addresses and
 * typed filter wrappers (every typed_config is an Any with the message's own type URL).
 */
import type { ConfigSource } from '../../../../proto/gen/envoy/config/core/v3/config_source';
import { ApiVersion } from '../../../../proto/gen/envoy/config/core/v3/config_source';
import type { Address } from '../../../../proto/gen/envoy/config/core/v3/address';
import type { Metadata } from '../../../../proto/gen/envoy/config/core/v3/base';
import type { Filter } from '../../../../proto/gen/envoy/config/listener/v3/listener_components';
import { Router } from '../../../../proto/gen/envoy/extensions/filters/http/router/v3/router';
import { TcpProxy } from '../../../../proto/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy';
import type { HttpFilter } from '../../../../proto/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager';
import { HttpProtocolOptions } from '../../../../proto/gen/envoy/extensions/upstreams/http/v3/http_protocol_options';
import type { DeepPartial } from '../../../../proto/gen/typeRegistry';
import { type PackableFns, pack } from '../../../proto/any';
import type { Tags } from '../../context/dataplane-view';
import { statName } from './names';
import { duration } from './values';

/** `{ads: {}, resource_api_version: V3}`: fetch over the proxy's ADS stream. */
export function adsConfigSource(): DeepPartial<ConfigSource> {
  return { configSourceSpecifier: { $case: 'ads', value: {} }, resourceApiVersion: ApiVersion.V3 };
}

export function socketAddress(address: string, port: number): DeepPartial<Address> {
  return { address: { $case: 'socketAddress', value: { address, portSpecifier: { $case: 'portValue', value: port } } } };
}

/** A listener network filter with a typed config. */
export function networkFilter<T>(name: string, fns: PackableFns<T>, config: DeepPartial<T>): DeepPartial<Filter> {
  return { name, configType: { $case: 'typedConfig', value: pack(fns, config) } };
}

/** An HTTP filter of an http_connection_manager with a typed config. */
export function httpFilter<T>(name: string, fns: PackableFns<T>, config: DeepPartial<T>): DeepPartial<HttpFilter> {
  return { name, configType: { $case: 'typedConfig', value: pack(fns, config) } };
}

/** A tcp_proxy to one cluster, its stats under `stat` (Kuma's stat-name form). */
export function tcpProxyFilter(stat: string, cluster: string): DeepPartial<Filter> {
  return networkFilter('envoy.filters.network.tcp_proxy', TcpProxy, { statPrefix: statName(stat), clusterSpecifier: { $case: 'cluster', value: cluster } });
}

/** The terminal router filter every HCM ends with. */
export function routerFilter(): DeepPartial<HttpFilter> {
  return httpFilter('envoy.filters.http.router', Router, {});
}

/** Listener metadata Kuma stamps: filter_metadata["io.kuma.tags"] = the tags. */
export function kumaTagsMetadata(tags: Tags): DeepPartial<Metadata> {
  return { filterMetadata: { 'io.kuma.tags': { ...tags } } };
}

export const HTTP_PROTOCOL_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/**
 * typed_extension_protocol_options for an HTTP cluster: the upstream protocol (explicit HTTP/2 or
 * HTTP/1.1) and, when given, connection idle / max durations.
 */
export function httpProtocolOptions(
  http2: boolean,
  common?: { idleMs?: number; maxStreamMs?: number; maxConnectionMs?: number },
): Record<string, ReturnType<typeof pack>> {
  const commonOptions: DeepPartial<HttpProtocolOptions>['commonHttpProtocolOptions'] = {};
  if (common?.idleMs !== undefined) commonOptions.idleTimeout = duration(common.idleMs);
  if (common?.maxStreamMs) commonOptions.maxStreamDuration = duration(common.maxStreamMs);
  if (common?.maxConnectionMs) commonOptions.maxConnectionDuration = duration(common.maxConnectionMs);
  const options: DeepPartial<HttpProtocolOptions> = {
    upstreamProtocolOptions: {
      $case: 'explicitHttpConfig',
      value: {
        protocolConfig: http2 ? { $case: 'http2ProtocolOptions', value: {} } : { $case: 'httpProtocolOptions', value: {} },
      },
    },
  };
  if (Object.keys(commonOptions).length > 0) options.commonHttpProtocolOptions = commonOptions;
  return { [HTTP_PROTOCOL_OPTIONS_KEY]: pack(HttpProtocolOptions, options) };
}
