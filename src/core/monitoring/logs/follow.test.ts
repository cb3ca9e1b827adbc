import { describe, expect, it } from 'vitest';
import type { LogChunk } from '../sample/types.js';
import { firstOffset, followLog, sourceOf } from './follow.js';
import { redactLogLine } from './redact.js';

const chunk = (kind: LogChunk['kind'], inode: string, start: number, text: string): LogChunk => ({
  index: 0,
  kind,
  inode,
  start,
  data: Buffer.from(text),
});
const at = (inode: string, offset: number) => ({ path: '/var/log/syslog', inode, offset });

describe('following a log', () => {
  it('takes whole lines and leaves a line still being written for next time', () => {
    const r = followLog(at('7', 100), [chunk('current', '7', 100, 'one\ntwo\nthr')], [], 65536);
    expect(r.lines).toEqual(['one', 'two']);
    expect(r.cursor).toEqual(at('7', 108));
    const next = followLog(r.cursor, [chunk('current', '7', 108, 'three\n')], [], 65536);
    expect(next.lines).toEqual(['three']);
    expect(next.cursor.offset).toBe(114);
  });

  it('after rotation: the rest of the old file, then the new one from its start', () => {
    const r = followLog(
      at('7', 108),
      [chunk('rotated', '7', 108, 'last old line'), chunk('current', '9', 0, 'first new\n')],
      [],
      65536,
    );
    expect(r.lines).toEqual(['last old line', 'first new']);
    expect(r.cursor).toEqual(at('9', 10));
    expect(r.event).toBe('rotated');
  });

  it('a rotated file that was already compressed or deleted is a gap, said as much', () => {
    const r = followLog(at('7', 108), [chunk('current', '9', 0, 'new\n')], [{ index: 0, kind: 'lost' }], 65536);
    expect(r).toMatchObject({ lines: ['new'], event: 'lost', cursor: at('9', 4) });
  });

  it('truncated in place (copytruncate): read again from the start', () => {
    const r = followLog(at('7', 500), [chunk('truncated', '7', 0, 'after truncate\n')], [], 65536);
    expect(r).toMatchObject({ lines: ['after truncate'], event: 'truncated', cursor: at('7', 15) });
  });

  it('nothing new, or the file is gone: the cursor stays', () => {
    expect(followLog(at('7', 5), [], [{ index: 0, kind: 'same' }], 65536)).toEqual({
      cursor: at('7', 5),
      lines: [],
      event: null,
    });
    expect(followLog(at('7', 5), [], [{ index: 0, kind: 'missing' }], 65536).event).toBe('missing');
  });

  it('one line longer than the read limit is taken in pieces rather than blocking the log', () => {
    const r = followLog(at('7', 0), [chunk('current', '7', 0, 'x'.repeat(5000))], [], 5000);
    expect(r.cursor.offset).toBe(5000);
    expect(r.lines[0]!.length).toBe(4097);
  });

  it('CRLF endings, empty lines and bad UTF-8 do not break it', () => {
    const data = Buffer.concat([Buffer.from('a\r\n\r\nb '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const r = followLog(at('7', 0), [{ index: 0, kind: 'current', inode: '7', start: 0, data }], [], 65536);
    expect(r.lines).toEqual(['a', 'b \ufffd\ufffd']);
    expect(r.cursor.offset).toBe(data.length);
  });

  it('knows log kinds and starts new logs near their end', () => {
    expect(
      ['/var/log/auth.log', '/var/log/secure', '/var/log/syslog', '/var/log/nginx/access.log', '/opt/app.log'].map(
        sourceOf,
      ),
    ).toEqual(['auth', 'auth', 'system', 'web', 'other']);
    expect(firstOffset(10_000, 4096)).toBe(5904);
    expect(firstOffset(100, 4096)).toBe(0);
  });
});

describe('redacting log lines before they are stored', () => {
  it('cuts tokens, passwords and authorization headers, and keeps the rest', () => {
    expect(redactLogLine('1.2.3.4 - - "GET /reset?token=abc123SECRET&lang=en HTTP/1.1" 200')).toBe(
      '1.2.3.4 - - "GET /reset?token=[redacted]&lang=en HTTP/1.1" 200',
    );
    expect(redactLogLine('connect to postgres://app:hunter22@db/app failed')).toBe(
      'connect to postgres://app:[redacted]@db/app failed',
    );
    expect(redactLogLine('header Authorization: Bearer eyJhbGciOi.x.y')).toBe(
      'header Authorization: Bearer [redacted]',
    );
    expect(redactLogLine('Failed password for root from 203.0.113.9 port 4242 ssh2')).toBe(
      'Failed password for root from 203.0.113.9 port 4242 ssh2',
    );
  });
});
