import { describe, expect, it } from 'vitest';
import { quiet, STATE } from './input.testkit.js';
import { listeningPort } from './listening-port.js';

describe('rule: new listening port', () => {
  it('reports each new port once, with the process behind it', () => {
    const after = {
      ...STATE,
      ports: [
        ...STATE.ports,
        { id: 'tcp/8081', address: '0.0.0.0', process: 'nc' },
        { id: 'tcp/8081', address: '::', process: 'nc' },
      ],
    };
    expect(listeningPort(quiet({ after }))).toEqual([
      expect.objectContaining({ key: 'tcp/8081', title: 'New listening port tcp/8081 (nc) on 0.0.0.0' }),
    ]);
  });

  it('the same ports, or no baseline: nothing', () => {
    expect(listeningPort(quiet())).toEqual([]);
    expect(listeningPort(quiet({ before: null }))).toEqual([]);
  });
});
