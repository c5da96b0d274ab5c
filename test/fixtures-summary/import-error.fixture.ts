import { it } from 'vitest';

throw new Error('the module cannot load');
it('never collected', () => {});
