import { beforeAll, describe, it } from 'vitest';

describe('beforeAll fails', () => {
  beforeAll(() => {
    throw new Error('beforeAll broke');
  });
  it('never runs', () => {});
});
it('passes', () => {});
