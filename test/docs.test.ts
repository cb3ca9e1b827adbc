import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGES } from '../scripts/docs.js';

describe('reference docs match the code', () => {
  for (const [path, render] of Object.entries(PAGES)) {
    it(`${path} is current (regenerate with \`npm run docs\`)`, () => {
      expect(readFileSync(join(import.meta.dirname, '..', path), 'utf8')).toBe(render());
    });
  }

  it('the README quickstart is exactly the two commands', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
