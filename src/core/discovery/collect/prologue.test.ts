/**
 * The script's file readers under dash, bash and busybox sh: files travel as they are, cut at MAXBYTES exactly
 * where `head -c` would cut them, whether the shell read them alone or handed the rest to head, and the framing
 * gives the parser back the same text; from a PEM file only its certificate blocks leave the host. And the
 * applications and certificates sections' fingerprints, made from the listing each makes anyway
 * (docs/decisions/0012-incremental-discovery.md), under the same shells.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frame } from './framing.js';
import { FINGERPRINTS } from './script/fingerprints.js';
import { PROLOGUE } from './script/prologue.js';
import { ACCESS_SECTIONS } from './script/sections-access.js';
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

const CERT = readFileSync(new URL('../fixtures/debian12/site.crt', import.meta.url), 'utf8');

/**
 * Runs the apps and certificates listings with `dir/www` as the only web root; returns both fingerprints.
 * `statOf` stands in for the host's stat (busybox's has whole seconds only).
 */
function fingerprints(shell: string, statOf = '', maxFiles = 300): { apps: string; certs: string } {
  const [cmd = 'sh', ...args] = shell.split(' ');
  const script = [
    `B=${B}`,
    `MAXFILES=${maxFiles}`,
    'MAXBYTES=65536',
    'RFT=8192',
    'TSEC=20',
    'NLOG=50',
    'FPV=2',
    'P=root',
    PROLOGUE,
    FINGERPRINTS,
    ACCESS_SECTIONS,
    APP_SECTIONS,
    // Only the test's web root: the usual places on this machine are neither fixed nor small.
    'APPROOTS=',
    `WEBROOTS='${join(dir, 'www')}'`,
    `NGINX_T='ssl_certificate ${join(dir, 'tls', 'site.crt')};\nssl_certificate ${join(dir, 'tls', 'other.crt')};'`,
    'APACHE_FILES=',
    // This machine's node processes (vitest's own among them) come and go: none here.
    'node_dirs() { APPN=; APPD=; APPDN=0; }',
    statOf ? `stat() { ${statOf} stat "$@"; }` : '',
    'l_apps; echo "apps=$_fp"',
    'l_certificates; echo "certs=$_fp"',
  ].join('\n');
  const r = spawnSync(cmd, [...args, '-s'], { input: script, encoding: 'utf8' });
  expect(r.status, `${shell}: ${r.stderr}`).toBe(0);
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1] ?? '';
  return { apps: get('apps'), certs: get('certs') };
}

describe.each(SHELLS)('the listing fingerprints under %s', (shell) => {
  const www = join(dir, 'www');
  const tls = join(dir, 'tls');

  it('stay the same while nothing changes and move with every input of the section', () => {
    rmSync(www, { recursive: true, force: true });
    rmSync(tls, { recursive: true, force: true });
    mkdirSync(join(www, 'shop'), { recursive: true });
    mkdirSync(join(www, 'blog', 'wp-includes'), { recursive: true });
    mkdirSync(tls, { recursive: true });
    writeFileSync(join(www, 'shop', '.env'), 'DB_PASSWORD=first-value\n');
    writeFileSync(join(www, 'blog', 'wp-config.php'), "<?php define('DB_PASSWORD', 'x');\n");
    writeFileSync(join(www, 'blog', 'wp-includes', 'version.php'), "<?php\n$wp_version = '6.4.2';\n");
    writeFileSync(join(tls, 'site.crt'), CERT);

    const first = fingerprints(shell);
    expect(first.apps).toMatch(/^\d+ \d+$/);
    expect(first.certs).toMatch(/^\d+ \d+$/);
    expect(fingerprints(shell)).toEqual(first);

    // An application file's content (same size: only its times and the metadata tell).
    writeFileSync(join(www, 'shop', '.env'), 'DB_PASSWORD=other-value\n');
    const edited = fingerprints(shell);
    expect(edited.apps).not.toBe(first.apps);
    expect(edited.certs).toBe(first.certs);
    // A new application file; WordPress's version beside a wp-config.php; a renamed file.
    writeFileSync(join(www, 'shop', 'package.json'), '{"name":"shop","scripts":{"start":"node ."}}\n');
    const added = fingerprints(shell);
    expect(added.apps).not.toBe(edited.apps);
    writeFileSync(join(www, 'blog', 'wp-includes', 'version.php'), "<?php\n$wp_version = '6.4.3';\n");
    const version = fingerprints(shell);
    expect(version.apps).not.toBe(added.apps);
    renameSync(join(www, 'shop', '.env'), join(www, 'shop', '.env.production'));
    const renamed = fingerprints(shell);
    expect(renamed.apps).not.toBe(version.apps);
    expect(renamed.certs).toBe(first.certs);

    // A certificate replaced, and one more referenced by the web server's configuration.
    writeFileSync(join(tls, 'site.crt'), `${CERT}\n`);
    const renewed = fingerprints(shell);
    expect(renewed.certs).not.toBe(first.certs);
    expect(renewed.apps).toBe(renamed.apps);
    writeFileSync(join(tls, 'other.crt'), CERT);
    expect(fingerprints(shell).certs).not.toBe(renewed.certs);
  });

  it('give none for the applications where the cap on files read could cut the section short', () => {
    expect(fingerprints(shell).apps).toMatch(/^\d+ \d+$/);
    // Three files listed (.env.production, package.json, wp-config.php): a cap of three could bite.
    expect(fingerprints(shell, '', 3).apps).toBe('');
    expect(fingerprints(shell, '', 4).apps).toMatch(/^\d+ \d+$/);
  });
});

describe("the listing fingerprints with busybox's stat (an Alpine host)", () => {
  it('are made from whole seconds and still move when a file changes', () => {
    const env = join(dir, 'www', 'shop', '.env');
    const before = fingerprints('busybox sh', 'busybox');
    expect(before.apps).toMatch(/^\d+ \d+$/);
    expect(before.certs).toMatch(/^\d+ \d+$/);
    expect(fingerprints('busybox sh', 'busybox')).toEqual(before);
    writeFileSync(env, 'DB_PASSWORD=a-longer-value-than-before\n');
    expect(fingerprints('busybox sh', 'busybox').apps).not.toBe(before.apps);
  });
});

/**
 * How the prologue finds the host's time limit: a timeout that is a program of its own is used as it is, with no
 * process started to ask it; busybox's applet, a link to busybox or the busybox file itself, is asked which form it
 * takes (before 1.30 it wanted `timeout -t N`).
 */
describe.each(SHELLS)('the time limit under %s', (shell) => {
  const bin = join(dir, `timeout-${shell.replace(/ /g, '-')}`);
  const log = join(bin, 'ran.log');
  /** An old busybox: its timeout applet takes only -t; every run is logged. */
  const oldBusybox = [
    '#!/bin/sh',
    `echo "$0 $*" >>'${log}'`,
    'case ${0##*/} in timeout) [ "$1" = -t ] || exit 1; shift 2; exec "$@" ;; esac',
    'exit 1',
    '',
  ].join('\n');
  const gnu = `#!/bin/sh\necho "$0 $*" >>'${log}'\nshift; exec "$@"\n`;

  function found(layout: (stub: string) => void): { to: string; ran: string } {
    rmSync(bin, { recursive: true, force: true });
    const stub = join(bin, 'stub');
    mkdirSync(stub, { recursive: true });
    layout(stub);
    const [cmd = 'sh', ...args] = shell.split(' ');
    const script = [`B=${B}`, 'MAXFILES=300', 'MAXBYTES=4096', 'RFT=1024', 'TSEC=20', PROLOGUE];
    script.push(`PATH='${stub}':/usr/bin:/bin`, `: >'${log}'`, 'tlimit', 'echo "to=$TO"');
    const r = spawnSync(cmd, [...args, '-s'], { input: script.join('\n'), encoding: 'utf8' });
    expect(r.status, `${shell}: ${r.stderr}`).toBe(0);
    return { to: /^to=(.*)$/m.exec(r.stdout)?.[1] ?? '?', ran: readFileSync(log, 'utf8') };
  }
  const script = (path: string, text: string) => {
    writeFileSync(path, text);
    chmodSync(path, 0o755);
  };

  it('takes a timeout of its own at its word, with no process started', () => {
    expect(found((stub) => script(join(stub, 'timeout'), gnu))).toEqual({ to: 'timeout', ran: '' });
  });

  it('asks busybox, through a link or as the same file, and finds the old form', () => {
    const viaLink = found((stub) => {
      script(join(stub, 'busybox'), oldBusybox);
      symlinkSync(join(stub, 'busybox'), join(stub, 'timeout'));
    });
    expect(viaLink.to).toBe('timeout -t');
    expect(viaLink.ran).toContain('timeout -t 5 true');
    const hardLinked = found((stub) => {
      script(join(stub, 'busybox'), oldBusybox);
      linkSync(join(stub, 'busybox'), join(stub, 'timeout'));
    });
    expect(hardLinked.to).toBe('timeout -t');
  });

  it('gives none where the host has no timeout', () => {
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin, { recursive: true });
    const [cmd = 'sh', ...args] = shell.split(' ');
    const input = [`B=${B}`, 'MAXBYTES=4096', PROLOGUE, `PATH='${bin}'`, 'tlimit', 'echo "to=[$TO]"'].join('\n');
    const r = spawnSync(cmd, [...args, '-s'], { input, encoding: 'utf8' });
    expect(r.stdout).toContain('to=[]');
  });
});
