import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { type StreamCallbacks, type StreamContext, chainCallbacks } from '../../../internal/xds/server/callbacks';

const ctx: StreamContext = { streamId: 1, kind: 'sotw', metadata: new Metadata(), peer: '127.0.0.1:1' };
const node = { id: 'default.web-1' } as Parameters<NonNullable<StreamCallbacks['onStreamRequest']>>[1];
const info = { kind: 'ack' as const, version: 'v1', nonce: '1', resourceNames: [] };

describe('chainCallbacks', () => {
  it('stays synchronous while every hook is', () => {
    const seen: string[] = [];
    const chain = chainCallbacks({ onStreamOpen: () => void seen.push('a') }, {}, { onStreamOpen: () => void seen.push('b') });
    expect(chain.onStreamOpen!(ctx)).toBeUndefined();
    expect(seen).toEqual(['a', 'b']);
  });

  it('waits for a hook promise before calling the next one', async () => {
    const seen: string[] = [];
    const chain = chainCallbacks(
      { onStreamRequest: () => new Promise<void>((resolve) => setTimeout(() => (seen.push('slow'), resolve()), 20)) },
      { onStreamRequest: () => void seen.push('next') },
    );
    const pending = chain.onStreamRequest!(1, node, 'type', info);
    expect(seen).toEqual([]);
    await pending;
    expect(seen).toEqual(['slow', 'next']);
  });

  it('stops open at the first refusal', async () => {
    const seen: string[] = [];
    const chain = chainCallbacks(
      { onStreamOpen: async () => Promise.reject(new Error('bad token')) },
      { onStreamOpen: () => void seen.push('never') },
    );
    await expect(chain.onStreamOpen!(ctx)).rejects.toThrow('bad token');
    expect(seen).toEqual([]);
  });

  it('calls every close hook even when one throws, then rethrows the first error', () => {
    const seen: string[] = [];
    const chain = chainCallbacks(
      {
        onStreamClose: () => {
          throw new Error('first');
        },
      },
      { onStreamClose: (id) => void seen.push(`closed ${id}`) },
    );
    expect(() => chain.onStreamClose!(7, undefined)).toThrow('first');
    expect(seen).toEqual(['closed 7']);
  });
});
