import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multi, parseIdList, parseJsonRecords, parseTextRecords, serializeRecord } from './wire.js';

describe('ElasticStack text/plain', () => {
  it('reads objects separated by blank lines, values keeping their spaces', () => {
    const records = parseTextRecords(
      '\r\nname my server\r\nstatus active\r\n\r\n\r\nname other\nnic:0:block tcp/22 tcp/80',
    );
    expect(records).toEqual([
      { name: 'my server', status: 'active' },
      { name: 'other', 'nic:0:block': 'tcp/22 tcp/80' },
    ]);
    expect(multi(records[1] ?? {}, 'nic:0:block')).toEqual(['tcp/22', 'tcp/80']);
  });

  it('decodes escaped newlines and keeps keys without values', () => {
    expect(parseTextRecords('user:notes line one\\nline two\nflag')).toEqual([
      { 'user:notes': 'line one\nline two', flag: '' },
    ]);
  });

  it('reads id lists, ignoring extra columns', () => {
    expect(parseIdList('a-1 2000 1024\n\nb-2\r\n')).toEqual(['a-1', 'b-2']);
  });

  it('round-trips any record', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9:_]{0,15}$/);
    const value = fc
      .string({ maxLength: 30 })
      .filter((v) => !v.includes('\r') && !v.includes('\\n') && v.trim() === v && v !== '');
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1 }), (record) => {
        expect(parseTextRecords(serializeRecord(record, 'text'))).toEqual([record]);
        expect(parseJsonRecords(serializeRecord(record, 'json'))).toEqual([record]);
      }),
    );
  });
});

describe('ElasticStack JSON', () => {
  it('coerces numbers and lists to the text forms', () => {
    expect(
      parseJsonRecords('[{"cpu": 2000, "nic:0:dhcp:ip": ["1.2.3.4", "1.2.3.5"], "persistent": true, "x": null}]'),
    ).toEqual([{ cpu: '2000', 'nic:0:dhcp:ip': '1.2.3.4 1.2.3.5', persistent: 'true' }]);
  });

  it('sends sizes and CPU as numbers', () => {
    expect(JSON.parse(serializeRecord({ cpu: '2000', name: '007' }, 'json'))).toEqual({ cpu: 2000, name: '007' });
  });

  it('refuses what is not records', () => {
    expect(() => parseJsonRecords('{')).toThrow('not valid JSON');
    expect(() => parseJsonRecords('[1]')).toThrow('expected a JSON object');
    expect(() => parseJsonRecords('{"a": {"b": 1}}')).toThrow('object');
  });
});
