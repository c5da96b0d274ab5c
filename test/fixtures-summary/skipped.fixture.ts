import { it } from 'vitest';

it('passes', () => {});
it.skip('is skipped', () => {});
it.todo('is a todo');
