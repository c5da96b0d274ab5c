import { describe, expect, it } from 'vitest';
import { apiErrorFromResponse } from '../../../internal/cli/api-errors';

describe('API error formatting', () => {
  it('puts Title (detail) and every invalid parameter on one line', () => {
    const e = apiErrorFromResponse(
      400,
      JSON.stringify({
        type: '/std-errors',
        status: 400,
        title: 'Could not process a resource',
        detail: 'Resource is not valid',
        invalid_parameters: [
          { field: 'name', reason: 'cannot be empty' },
          { field: 'mesh', reason: 'cannot be empty' },
        ],
      }),
    );
    expect(e.message).toBe('Could not process a resource (Resource is not valid): name: cannot be empty; mesh: cannot be empty');
    // Not `violations`: BaseCommand prints the message as is, on one line.
    expect((e as unknown as { violations?: unknown }).violations).toBeUndefined();
    expect(e.code).toBe('KUMA_BAD_REQUEST');
    expect(e.status).toBe(400);
  });

  it('reads the legacy causes and trims the newline of read-only texts', () => {
    const e = apiErrorFromResponse(405, JSON.stringify({ title: 'Method not allowed', details: 'On global control plane you can not modify\n', causes: [] }));
    expect(e.message).toBe('Method not allowed (On global control plane you can not modify)');
    expect(e.code).toBe('KUMA_READ_ONLY');
  });

  it('shows a body that is not a Kuma error as (status): body', () => {
    expect(apiErrorFromResponse(502, 'bad\ngateway\n').message).toBe('(502): bad gateway');
    expect(apiErrorFromResponse(500, '').message).toBe('the control plane answered with status 500');
  });
});
