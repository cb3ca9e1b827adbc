/**
 * The script's file readers under dash, bash and busybox sh: files travel as they are, cut at MAXBYTES exactly
 * where `head -c` would cut them, whether the shell read them alone or handed the rest to head, and the framing
 * gives the parser back the same text; from a PEM file only its certificate blocks leave the host.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frame } from './framing.js';
import { PROLOGUE } from './script/prologue.js';
import { APP_SECTIONS } from './script/sections-apps.js';

const B = 'PrologueBoundary0123456789';
const dir = mkdtempSync(join(tmpdir(), 'steward-prologue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHELLS = ['dash', 'bash', 'busybox sh'];
const MAXBYTES = 4096;
const RFT = 1024;

/** Lines of every length from 0 to 300 bytes, some with tabs, backslashes and leading spaces. */
function mixedText(bytes: number): string {
  let s = '';
  for (let i = 0; s.length < bytes; i++) {
    const n = (i * 37) % 300;
    s += `${i % 3 === 0 ? '  ' : ''}${'x\\y\tz-'.repeat(Math.ceil(n / 6)).slice(0, n)}\n`;
  }
  return s.slice(0, bytes);
}

const files: Record<string, string> = {
  small: 'root:x:0:0:root:/root:/bin/sh\n# a \\ backslash and\ttab\n\n  indented\n',
  'no-final-newline': 'one\ntwo',
  'past-threshold': mixedText(3000),
  'past-cap': mixedText(20_000),
  'one-long-line': 'y'.repeat(10_000),
  'cap-on-newline': `${'a'.repeat(MAXBYTES - 1)}\nnext\n`,
};

function runFe(label: string): Map<string, string | null> {
  const [cmd = 'sh', ...args] = label.split(' ');
  const script = [
    `B=${B}`,
    `MAXFILES=300`,
    `MAXBYTES=${MAXBYTES}`,
    `RFT=${RFT}`,
    'TSEC=20',
    PROLOGUE,
    'mk section files',
    ...Object.keys(files).map((name) => `fe ${name} '${join(dir, name)}'`),
    'mk end files',
    'mk done',
  ].join('\n');
  const r = spawnSync(cmd, [...args, '-s'], { input: script, encoding: 'utf8' });
  expect(r.status, `${label}: ${r.stderr}`).toBe(0);
  const section = frame(r.stdout, B).sections.get('files');
  return new Map(
    (section?.blocks ?? []).map((b) => [b.type === 'file' ? b.tag : '', 'content' in b ? b.content : null]),
  );
}

describe('fe reads files as they are, up to MAXBYTES', () => {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);

  it.each(SHELLS)('under %s', (label) => {
    const got = runFe(label);
    for (const [name, text] of Object.entries(files)) {
      // What `head -c MAXBYTES` would send, less the newline the framing does not keep after a last line.
      const want = text.slice(0, MAXBYTES).replace(/\n$/, '');
      expect(got.get(name), `${label}: ${name}`).toBe(want);
    }
  });
});

describe('the certificates section sends certificate blocks only', () => {
  const pem = (label: string, body: string): string =>
    `-----BEGIN ${label}-----\n${body.repeat(3)}\n-----END ${label}-----\n`;
  const key = pem('PRIVATE KEY', 'S3cretKeyMaterialMustStayHome');
  const cert1 = pem('CERTIFICATE', 'MIIBcertOne');
  const cert2 = pem('CERTIFICATE', 'MIIBcertTwo');
  const certFiles: Record<string, { text: string; want: string }> = {
    'combined.pem': { text: `${key}${cert1}`, want: cert1 },
    'chain.crt': { text: `# leaf then issuer\n${cert1}\n${cert2}`, want: `${cert1}${cert2}` },
    // Larger than RFT: sed reads it instead of the shell.
    'big-chain.pem': { text: `${key}${'# padding line\n'.repeat(100)}${cert2}`, want: cert2 },
    'key-only.pem': { text: key, want: '' },
  };
  for (const [name, f] of Object.entries(certFiles)) writeFileSync(join(dir, name), f.text);

  it.each(SHELLS)('under %s', (label) => {
    const [cmd = 'sh', ...args] = label.split(' ');
    const nginx = Object.keys(certFiles)
      .map((name) => `ssl_certificate ${join(dir, name)};`)
      .join('\n');
    const script = [
      `B=${B}`,
      'MAXFILES=300',
      `MAXBYTES=${MAXBYTES}`,
      `RFT=${RFT}`,
      'TSEC=20',
      PROLOGUE,
      APP_SECTIONS,
      `NGINX_T='${nginx}'`,
      'APACHE_FILES=',
      'mk section certificates',
      's_certificates',
      'mk end certificates',
    ].join('\n');
    const r = spawnSync(cmd, [...args, '-s'], { input: script, encoding: 'utf8' });
    expect(r.status, `${label}: ${r.stderr}`).toBe(0);
    expect(r.stdout).not.toContain('S3cretKeyMaterial');
    const blocks = frame(r.stdout, B).sections.get('certificates')?.blocks ?? [];
    const got = new Map(blocks.flatMap((b) => (b.type === 'file' ? [[b.path, b.content]] : [])));
    for (const [name, f] of Object.entries(certFiles)) {
      expect(got.get(join(dir, name)), `${label}: ${name}`).toBe(f.want ? f.want.replace(/\n$/, '') : undefined);
    }
  });
});
