import { readdirSync, readFileSync } from 'node:fs';

/** Processes on this machine (where the test sshd runs) whose command line contains `needle`. */
export function processesMatching(needle: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}
