/** Golden files of the transparent proxy rules; UPDATE_GOLDEN_FILES=true rewrites them. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

const GOLDEN_DIR = join(__dirname, 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN_FILES === 'true') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN_FILES=true`);
  expect(actual, `differs from ${file} (UPDATE_GOLDEN_FILES=true rewrites it)`).toBe(readFileSync(file, 'utf8'));
}
