import { describe, expect, it } from 'vitest';
import type { FactChange } from '../discovery/collect/index.js';
import { draftsFromChanges } from './changes.js';

const change = (category: FactChange['category'], action: FactChange['action'], id: string): FactChange => ({
  category,
  action,
  id,
  summary: '',
  before: null,
  after: null,
  attention: true,
});

describe('findings from discovery changes', () => {
  it('uses the sampling path’s keys, so both paths make one finding', () => {
    const drafts = draftsFromChanges(
      [
        change('uid0', 'added', 'toor'),
        change('admins', 'added', 'toor'),
        change('admins', 'added', 'mallory'),
        change('authorized_keys', 'added', 'root SHA256:intruder'),
        change('authorized_keys', 'added', 'steward-admin SHA256:org'),
        change('ports', 'added', 'tcp 0.0.0.0:9999'),
        change('ports', 'added', 'tcp [::]:9999'),
        change('ports', 'added', 'tcp 0.0.0.0:80'),
        change('ports', 'removed', 'tcp 127.0.0.1:80'),
        change('ports', 'added', 'udp 0.0.0.0:41234'),
        change('packages', 'added', 'nginx'),
      ],
      new Set(['SHA256:org']),
    );
    expect(drafts.map((d) => `${d.rule} ${d.key} ${d.severity}`)).toEqual([
      'privileged_account uid0:toor critical',
      'privileged_account admin:mallory warning',
      'authorized_key root SHA256:intruder critical',
      'listening_port tcp/9999 warning',
    ]);
  });

  it('a first discovery (no changes) is a baseline', () => {
    expect(draftsFromChanges([], new Set())).toEqual([]);
  });
});
