/**
 * What the parser does when the applications or certificates section answers `unchanged`
 * (docs/decisions/0012-incremental-discovery.md): the previous run's facts, its credentials from application
 * files, and certificates judged again at this run's time. The fingerprints themselves are tested under dash, bash
 * and busybox sh in prologue.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDiscoveryOutput } from './parse.js';

const B = 'IncrementalBoundary0123456789';
const CERT = readFileSync(new URL('../fixtures/debian12/site.crt', import.meta.url), 'utf8');

describe('an unchanged apps or certificates section in the parser', () => {
  const SECRET = 'Zq9-unchanged-apps-secret-value';
  const mk = (...words: string[]) => `@@${B} ${words.join(' ')}`;
  const output = (sections: Record<string, string[]>) =>
    [
      mk('meta', 'version', '2'),
      mk('meta', 'privilege', 'root'),
      ...Object.entries(sections).flatMap(([name, lines]) => [mk('section', name), ...lines, mk('end', name)]),
      mk('done'),
      '',
    ].join('\n');
  const logLine = (text: string) => [mk('log', 'raw', '100', '1700000000', '/var/log/auth.log'), text];

  const first = parseDiscoveryOutput(
    output({
      certificates: [mk('fp', '11', '12'), mk('file', 'raw', 'cert', '-', '/etc/ssl/site.crt'), CERT.trimEnd()],
      apps: [
        mk('fp', '21', '22'),
        mk('file', 'raw', 'env', '?', '/srv/shop/.env'),
        `APP_NAME=shop\nDB_PASSWORD=${SECRET}`,
        mk('file', 'raw', 'package.json', '?', '/srv/shop/package.json'),
        '{"name":"shop","version":"1.2.0","scripts":{"start":"node ."}}',
        mk('text', 'node-processes'),
      ],
      logs: logLine('nothing to see'),
    }),
    B,
    { now: new Date('2026-01-01T00:00:00Z') },
  );

  it('takes the files, settings and credentials of the run before, and cuts those credentials out of new text', () => {
    expect(first.foundSecrets.map((s) => s.value.reveal())).toEqual([SECRET]);
    expect(first.facts.locations.appFiles).toHaveLength(1);
    const later = new Date('2026-06-01T00:00:00Z');
    const next = parseDiscoveryOutput(
      output({
        certificates: [mk('unchanged', '11', '12')],
        apps: [mk('unchanged', '21', '22')],
        logs: logLine(`login with password ${SECRET} failed`),
      }),
      B,
      { now: later, previous: first.facts, previousSecrets: first.foundSecrets },
    );
    expect(next.unchangedSections).toEqual(['certificates', 'apps']);
    expect(next.fingerprints).toMatchObject({ certificates: '11 12', apps: '21 22' });
    expect(next.facts.locations.appFiles).toEqual(first.facts.locations.appFiles);
    expect(next.facts.locations.configFiles).toEqual(first.facts.locations.configFiles);
    expect(next.facts.applications).toEqual(first.facts.applications);
    expect(next.foundSecrets.map((s) => [s.location, s.key, s.value.reveal()])).toEqual([
      ['/srv/shop/.env', 'DB_PASSWORD', SECRET],
    ]);
    expect(JSON.stringify(next.facts)).not.toContain(SECRET);
    expect(next.facts.logs[0]?.recentLines).toEqual(['login with password [secret] failed']);
    // The same certificates, judged at this run's time.
    const [before] = first.facts.certificates;
    const [after] = next.facts.certificates;
    expect(after).toEqual({ ...before, daysLeft: expect.any(Number) });
    expect(after!.daysLeft).toBe(before!.daysLeft - 151);
  });

  it('ignores the earlier credentials when the apps section ran', () => {
    const next = parseDiscoveryOutput(output({ apps: [mk('fp', '23', '24'), mk('text', 'node-processes')] }), B, {
      now: new Date(),
      previous: first.facts,
      previousSecrets: first.foundSecrets,
    });
    expect(next.foundSecrets).toEqual([]);
    expect(next.facts.locations.appFiles).toEqual([]);
    expect(next.facts.locations.configFiles).toEqual([]);
  });
});
