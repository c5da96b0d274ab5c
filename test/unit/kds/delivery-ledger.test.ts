import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../../../internal/kds/delivery-ledger.js';

describe('DeliveryLedger', () => {
  it('ACKs and NACKs by nonce; an older nonce answer does not mark a newer version', () => {
    const l = new DeliveryLedger(() => 1);
    l.sent('T', 'n1', [{ wireName: 'a', version: 'v1' }], []);
    l.answered('T', 'n1');
    expect(l.get('T', 'a')).toMatchObject({ version: 'v1', ackedVersion: 'v1' });
    l.sent('T', 'n2', [{ wireName: 'a', version: 'v2' }], []);
    l.sent('T', 'n3', [{ wireName: 'a', version: 'v3' }], []);
    l.answered('T', 'n2');
    expect(l.get('T', 'a')?.ackedVersion).toBe('v1');
    l.answered('T', 'n3', 'a: bad');
    expect(l.get('T', 'a')?.nack).toMatchObject({ version: 'v3', error: 'a: bad' });
  });
  it('frees an entry on retraction', () => {
    const l = new DeliveryLedger(() => 1);
    l.sent('T', 'n1', [{ wireName: 'a', version: 'v1' }], []);
    l.answered('T', 'n1');
    l.sent('T', 'n2', [], ['a']);
    l.answered('T', 'n2');
    expect(l.get('T', 'a')).toBeUndefined();
    expect(l.sizes()).toEqual({ records: 0, inFlight: 0 });
  });
});
