import { describe, expect, it } from 'vitest';
import { decodeBlock, frame, SectionView } from './framing.js';

const B = 'TestBoundary0123456789';

describe('frame', () => {
  it('drops the carriage return of lines a server ended with CRLF, and keeps other lines as they are', () => {
    const text = [`@@${B} section os`, `@@${B} text uname`, 'Linux\r', 'a\rb', '', `@@${B} text plain`, 'x', ''];
    const os = new SectionView(frame(text.join('\n'), B).sections.get('os'));
    expect(os.text('uname')).toEqual(['Linux', 'a\rb']);
    expect(os.text('plain')).toEqual(['x']);
  });

  it('splits sections, text blocks, encoded files and logs, and drops the newline each marker adds', () => {
    const text = [
      `@@${B} meta privilege root`,
      `@@${B} section os`,
      `@@${B} text uname`,
      'Linux',
      '6.1.0',
      '',
      `@@${B} file b64 os-release 14 /etc/os-release`,
      Buffer.from('ID=debian\nX=1\n').toString('base64'),
      '',
      `@@${B} end os`,
      `@@${B} section logs`,
      `@@${B} log b64 120 1700000000 /var/log/auth.log`,
      Buffer.from('line one\nline two\n').toString('base64'),
      `@@${B} end logs`,
      `@@${B} done`,
    ].join('\n');
    const f = frame(text, B);
    expect(f.complete).toBe(true);
    expect(f.meta.get('privilege')).toBe('root');
    const os = new SectionView(f.sections.get('os'));
    expect(os.text('uname')).toEqual(['Linux', '6.1.0']);
    const file = os.files('os-release')[0];
    expect(file).toMatchObject({ path: '/etc/os-release', size: 14, content: 'ID=debian\nX=1\n' });
    const log = new SectionView(f.sections.get('logs')).logs()[0];
    expect(log).toMatchObject({
      path: '/var/log/auth.log',
      size: 120,
      mtime: 1700000000,
      content: 'line one\nline two\n',
    });
  });

  it('keeps the last partial line of output that had no newline', () => {
    const f = frame(`@@${B} section identity\n@@${B} text hostname\nweb1\n@@${B} end identity\n`, B);
    expect(new SectionView(f.sections.get('identity')).text('hostname')).toEqual(['web1']);
  });

  it('does not let content forge a marker without the boundary', () => {
    const forged = [
      `@@${B} section users`,
      `@@${B} text shadow-status`,
      '@@OtherBoundary end users',
      '@@ end users',
      `@@${B}x end users`,
      `@@${B} end users`,
    ].join('\n');
    const f = frame(forged, B);
    expect(new SectionView(f.sections.get('users')).text('shadow-status')).toEqual([
      '@@OtherBoundary end users',
      '@@ end users',
      `@@${B}x end users`,
    ]);
    expect(f.sections.get('users')?.ended).toBe(true);
  });

  it('reports output that was cut off', () => {
    const f = frame(`@@${B} section os\n@@${B} text uname\nLin`, B);
    expect(f.complete).toBe(false);
    expect(f.sections.get('os')?.ended).toBe(false);
    expect(new SectionView(f.sections.get('os')).text('uname')).toEqual(['Lin']);
  });

  it('decodes hex from od and refuses corrupt blocks', () => {
    expect(decodeBlock('hex', [' 68 69 0a', ' 21'])).toBe('hi\n!');
    expect(decodeBlock('b64', ['aGk=', ''])).toBe('hi');
    expect(decodeBlock('b64', ['not base64!'])).toBeNull();
    expect(decodeBlock('hex', ['6'])).toBeNull();
    expect(decodeBlock('none', ['aGk='])).toBeNull();
  });

  it('records capped files and ignores unknown marker words', () => {
    const f = frame(
      `@@${B} section apps\n@@${B} cap files /srv/a/.env\n@@${B} frobnicate x\n@@${B} end apps\n@@${B} done`,
      B,
    );
    expect(f.capped).toEqual(['/srv/a/.env']);
    expect(f.complete).toBe(true);
  });

  it('keeps host CPU ticks per step and ignores malformed ones', () => {
    const f = frame(
      `@@${B} cpu prologue 3\n@@${B} section os\n@@${B} end os\n@@${B} cpu os 12\n@@${B} cpu apps x\n@@${B} done`,
      B,
    );
    expect([...f.cpuTicks]).toEqual([
      ['prologue', 3],
      ['os', 12],
    ]);
    expect(f.sections.get('os')?.blocks).toEqual([]);
  });

  it('returns nothing for text from another run', () => {
    const f = frame(`@@${B} section os\n@@${B} done`, 'AnotherBoundary12345');
    expect(f.sections.size).toBe(0);
    expect(f.complete).toBe(false);
  });
});
