import { describe, expect, it } from 'vitest';
import { admin, clashesWithAdminBind } from '../../../internal/xds/generators/sidecar/admin';
import { CASES } from './cases';
import { goldenCases } from './golden';

describe('admin golden', () => {
  goldenCases('admin', admin, CASES['admin']);
});

describe('clashesWithAdminBind', () => {
  it('refuses loopback and wildcard addresses, accepts routable ones', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', '0.0.0.0', '::', '']) expect(clashesWithAdminBind(a), a).toBe(true);
    for (const a of ['192.168.0.1', '10.0.0.1', 'fd00::1']) expect(clashesWithAdminBind(a), a).toBe(false);
  });
});
