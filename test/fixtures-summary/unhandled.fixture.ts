import { it } from 'vitest';

it('leaks an unhandled rejection', async () => {
  void Promise.reject(new Error('nobody catches this'));
  await new Promise((r) => setTimeout(r, 50));
});
