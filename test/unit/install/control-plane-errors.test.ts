/** Bad flag combinations: one error listing every violation, each naming the flag to fix. */
import { describe, expect, it } from 'vitest';
import { parseControlPlaneFlags, type ControlPlaneFlags } from '../../../internal/install/control-plane-options';
import { BadRequestError } from '../../../internal/errors';

export const BAD: [string, ControlPlaneFlags, string, RegExp][] = [
  ['zone without --zone', { mode: 'zone' }, '--zone', /needs its zone name/],
  ['default mode (zone) without --zone', {}, '--zone', /needs its zone name/],
  ['bad zone name', { zone: 'Zone_1' }, '--zone', /DNS label/],
  ['unknown mode', { mode: 'remote' }, '--mode', /"remote" is not supported/],
  ['global address without scheme', { zone: 'z', kdsGlobalAddress: '1.2.3.4:5685' }, '--kds-global-address', /grpcs:\/\/ or grpc:\/\//],
  ['global address with http scheme', { zone: 'z', kdsGlobalAddress: 'https://g:5685' }, '--kds-global-address', /grpcs:\/\/ or grpc:\/\//],
  ['global address without port', { zone: 'z', kdsGlobalAddress: 'grpcs://g' }, '--kds-global-address', /and a port/],
  ['grpcs without a CA or skip-verify', { zone: 'z', kdsGlobalAddress: 'grpcs://g:5685' }, '--kds-global-address', /--tls-kds-zone-client-secret/],
  ['global with --ingress-enabled', { mode: 'global', ingressEnabled: true }, '--ingress-enabled', /runs in a zone/],
  ['global with --egress-enabled', { mode: 'global', egressEnabled: true }, '--egress-enabled', /runs in a zone/],
  ['global with --zone', { mode: 'global', zone: 'z' }, '--zone', /only a zone control plane/],
  ['global with --kds-global-address', { mode: 'global', kdsGlobalAddress: 'grpcs://g:5685' }, '--kds-global-address', /does not connect to another global/],
  ['global with a zone token', { mode: 'global', zoneToken: 'a.b.c' }, '--zone-token-file', /for a zone control plane/],
  ['ingress without a zone token', { zone: 'z', ingressEnabled: true }, '--ingress-enabled', /--zone-token-file/],
  ['egress without a zone token', { zone: 'z', egressEnabled: true }, '--egress-enabled', /--zone-token-file/],
  ['a token file that holds no token', { zone: 'z', kdsGlobalAddress: 'grpc://g:5685', zoneToken: 'hello' }, '--zone-token-file', /does not hold a token/],
  ['unknown store', { mode: 'global', store: 'kubernetes' }, '--store', /"kubernetes" is not supported/],
  ['replicas with leveldb', { mode: 'global', replicas: '3' }, '--replicas', /need --store postgres/],
  ['replicas not a number', { mode: 'global', replicas: 'two' }, '--replicas', /not a whole number/],
  ['postgres without host', { mode: 'global', store: 'postgres', storePostgresPasswordSecret: 's' }, '--store-postgres-host', /needs the database host/],
  ['postgres without password secret', { mode: 'global', store: 'postgres', storePostgresHost: 'pg' }, '--store-postgres-password-secret', /from a Secret/],
  ['postgres flag on leveldb', { mode: 'global', storePostgresHost: 'pg' }, '--store-postgres-host', /needs --store postgres/],
  ['bad postgres tls mode', { mode: 'global', store: 'postgres', storePostgresHost: 'pg', storePostgresPasswordSecret: 's', storePostgresTlsMode: 'require' }, '--store-postgres-tls-mode', /not one of/],
  ['storage class on postgres', { mode: 'global', store: 'postgres', storePostgresHost: 'pg', storePostgresPasswordSecret: 's', storageClass: 'ssd' }, '--storage-class', /needs --store leveldb/],
  ['bad namespace', { mode: 'global', namespace: 'Kuma System' }, '--namespace', /DNS label/],
  ['bad image', { mode: 'global', controlPlaneImage: 'kuma latest' }, '--control-plane-image', /not an image reference/],
  ['bad pull policy', { mode: 'global', imagePullPolicy: 'Sometimes' }, '--image-pull-policy', /not one of/],
  ['ingress flag without ingress', { zone: 'z', ingressDrainTime: '10s' }, '--ingress-drain-time', /needs --ingress-enabled/],
  ['bad drain time', { zone: 'z', egressEnabled: true, zoneToken: 'a.b.c', egressDrainTime: 'soon' }, '--egress-drain-time', /not a duration/],
  ['unknown --set key', { mode: 'global', set: ['apiServer.bogus=1'] }, '--set', /not a control-plane setting/],
  ['--set on a key a flag owns', { mode: 'global', set: ['mode=zone'] }, '--set', /set by --mode/],
  ['--set with a wrong type', { mode: 'global', set: ['apiServer.readOnly=yes'] }, '--set', /true or false/],
  ['--set without =', { mode: 'global', set: ['apiServer.readOnly'] }, '--set', /not KEY=VALUE/],
  ['bad --env-var', { mode: 'global', envVar: ['1BAD=x'] }, '--env-var', /not NAME=VALUE/],
  ['CA and skip-verify together', { zone: 'z', kdsGlobalAddress: 'grpcs://g:5685', tlsKdsZoneClientSecret: 'ca', kdsTlsSkipVerify: true }, '--kds-tls-skip-verify', /not both/],
];

describe('kuma install control-plane: bad flags', () => {
  for (const [name, flags, field, message] of BAD) {
    it(`${name}: names ${field}`, () => {
      let err: unknown;
      try {
        parseControlPlaneFlags(flags, '2.14.0');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BadRequestError);
      const v = (err as BadRequestError).violations.find((x) => x.field === field);
      expect(v, JSON.stringify((err as BadRequestError).violations)).toBeTruthy();
      expect(v!.message).toMatch(message);
    });
  }

  it('reports every violation at once', () => {
    try {
      parseControlPlaneFlags({ mode: 'global', ingressEnabled: true, store: 'etcd', zone: 'z' }, '2.14.0');
      expect.unreachable();
    } catch (e) {
      expect((e as BadRequestError).violations.map((v) => v.field).sort()).toEqual(['--ingress-enabled', '--store', '--zone']);
    }
  });
});
