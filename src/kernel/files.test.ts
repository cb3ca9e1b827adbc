import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePrivateDir } from './files.js';

const root = mkdtempSync(join(tmpdir(), 'steward-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o7777;

describe('the data folder', () => {
  it('is made 0700, and an open one of ours is narrowed', () => {
    const fresh = join(root, 'fresh', 'data');
    ensurePrivateDir(fresh);
    expect(modeOf(fresh)).toBe(0o700);
    const open = join(root, 'open');
    ensurePrivateDir(open);
    chmodSync(open, 0o755);
    ensurePrivateDir(open);
    expect(modeOf(open)).toBe(0o700);
  });
  it('leaves a shared sticky folder such as /tmp as it is', () => {
    const shared = join(root, 'shared');
    ensurePrivateDir(shared);
    chmodSync(shared, 0o1777);
    ensurePrivateDir(shared);
    expect(modeOf(shared)).toBe(0o1777);
  });
});
