import { describe, expect, it } from 'vitest';

describe('one failing test', () => {
  it('fails', () => {
    expect(1).toBe(2);
  });
  it('passes', () => {});
});
