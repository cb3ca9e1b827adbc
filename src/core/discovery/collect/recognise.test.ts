import { describe, expect, it } from 'vitest';
import type { Package, ProcessSummary } from './facts.js';
import { parseDiscoveryOutput } from './parse.js';
import { type RecognitionInput, recogniseApplications } from './recognise.js';

const empty = parseDiscoveryOutput('', 'EmptyBoundary0123456789', { now: new Date(0) }).facts;

function input(over: Partial<RecognitionInput>): RecognitionInput {
  return {
    packages: [],
    processes: [],
    services: [],
    ports: [],
    containers: [],
    serviceConfig: empty.serviceConfig,
    locations: empty.locations,
    ...over,
  };
}
const pkg = (name: string, version = '1.0-1'): Package => ({ name, version, arch: 'amd64', manager: 'dpkg' });
const proc = (command: string): ProcessSummary => ({ command, users: ['root'], count: 1 });

describe('recogniseApplications', () => {
  it('names nothing for a bare server', () => {
    expect(recogniseApplications(input({}))).toEqual([]);
  });

  it('takes the upstream version from the package and lists the evidence', () => {
    const apps = recogniseApplications(
      input({
        packages: [pkg('nginx', '1.22.1-9+deb12u1')],
        processes: [proc('nginx')],
        ports: [
          { proto: 'tcp', address: '0.0.0.0', port: 443, process: 'nginx', pid: 10 },
          { proto: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd', pid: 5 },
        ],
      }),
    );
    expect(apps).toEqual([
      {
        kind: 'web_server',
        name: 'nginx',
        version: '1.22.1',
        location: null,
        evidence: ['package:nginx', 'port:tcp/443', 'process:nginx'],
      },
    ]);
  });

  it('recognises a program from its process alone, without a package (built from source)', () => {
    expect(recogniseApplications(input({ processes: [proc('caddy')] })).map((a) => a.name)).toEqual(['caddy']);
  });

  it('calls a mysqld process MariaDB when MariaDB is what is installed', () => {
    const apps = recogniseApplications(
      input({ packages: [pkg('mariadb-server', '1:10.5.19-0+deb11u2')], processes: [proc('mysqld')] }),
    );
    expect(apps.map((a) => `${a.name} ${a.version}`)).toEqual(['mariadb 10.5.19']);
    const mysql = recogniseApplications(
      input({
        packages: [pkg('mysql-server', '8.0.36-1')],
        serviceConfig: {
          ...empty.serviceConfig,
          mysql: { version: '8.0.36', dataDirectory: null, listen: [], port: 3306, databases: [], source: 'query' },
        },
      }),
    );
    expect(mysql.map((a) => `${a.name} ${a.version}`)).toEqual(['mysql 8.0.36']);
  });

  it('does not take any Erlang program for RabbitMQ', () => {
    expect(recogniseApplications(input({ processes: [proc('beam.smp')] }))).toEqual([]);
    expect(
      recogniseApplications(input({ processes: [proc('beam.smp')], packages: [pkg('rabbitmq-server')] })).map(
        (a) => a.name,
      ),
    ).toEqual(['rabbitmq']);
  });

  it('adds installs found on disk and containers, sorted by kind, name and place', () => {
    const apps = recogniseApplications(
      input({
        locations: {
          ...empty.locations,
          appFiles: [
            { kind: 'wordpress', path: '/var/www/b', name: null, version: '6.4.3', frameworks: [], running: false },
            { kind: 'wordpress', path: '/var/www/a', name: null, version: null, frameworks: [], running: false },
            { kind: 'node', path: '/srv/api', name: 'api', version: '0.1.0', frameworks: ['express'], running: true },
          ],
        },
        containers: [
          { name: 'cache', image: 'redis:7@sha256:abc', id: '0123456789ab', status: 'Up 2 hours', ports: '' },
        ],
      }),
    );
    expect(apps.map((a) => `${a.kind} ${a.name} ${a.location}`)).toEqual([
      'cms wordpress /var/www/a',
      'cms wordpress /var/www/b',
      'container redis:7 cache',
      'node_app node-app /srv/api',
    ]);
    expect(apps.find((a) => a.kind === 'node_app')?.evidence).toEqual([
      'file:/srv/api',
      'framework:express',
      'process:node',
    ]);
  });
});
