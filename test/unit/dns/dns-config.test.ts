/** The dnsServer.* keys of the CP configuration. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../internal/config/cp-config';

const ENV = { HOME: '/tmp/kuma-dns-config-test' };

describe('dnsServer config', () => {
  it('defaults to Kuma\'s: domain mesh, 240.0.0.0/4, VIP port 80', () => {
    expect(loadConfig({ env: ENV }).dnsServer).toEqual({ domain: 'mesh', cidr: '240.0.0.0/4', serviceVipPort: 80 });
  });

  it('reads KUMA_DNS_SERVER_* like Kuma', () => {
    const c = loadConfig({ env: { ...ENV, KUMA_DNS_SERVER_CIDR: '10.96.0.0/16', KUMA_DNS_SERVER_DOMAIN: 'mesh.local', KUMA_DNS_SERVER_SERVICE_VIP_PORT: '8080' } });
    expect(c.dnsServer).toEqual({ domain: 'mesh.local', cidr: '10.96.0.0/16', serviceVipPort: 8080 });
  });

  it('refuses values that cannot work, naming the key', () => {
    expect(() => loadConfig({ env: { ...ENV, KUMA_DNS_SERVER_CIDR: '240.0.0.0' } })).toThrow(/dnsServer\.cidr/);
    expect(() => loadConfig({ env: { ...ENV, KUMA_DNS_SERVER_DOMAIN: 'bad domain' } })).toThrow(/dnsServer\.domain/);
    expect(() => loadConfig({ env: { ...ENV, KUMA_DNS_SERVER_SERVICE_VIP_PORT: '0' } })).toThrow(/dnsServer\.serviceVipPort/);
  });
});
