import { afterAll, describe, it } from 'vitest';

describe('afterAll fails', () => {
  afterAll(() => {
    throw new Error('afterAll broke');
  });
  it('passes', () => {});
});
