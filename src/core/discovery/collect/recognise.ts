/**
 * Recognised applications, derived only from other facts: packages, running programs, services, listening
 * ports, application files on disk and containers. Each application lists the evidence it rests on.
 */
import type { Application, ApplicationKind, Facts, Package } from './facts.js';
import { compareText, uniqSorted } from './parsers/util.js';

/** The facts recognition reads; `recogniseApplications` needs nothing else. */
export type RecognitionInput = Pick<
  Facts,
  'packages' | 'processes' | 'services' | 'ports' | 'containers' | 'serviceConfig' | 'locations'
>;

interface Rule {
  readonly kind: ApplicationKind;
  readonly name: string;
  readonly packages?: RegExp;
  readonly processes?: RegExp;
  readonly services?: RegExp;
  /** Another application that, when present, explains the same evidence better (MariaDB's `mysqld`). */
  readonly unless?: (facts: RecognitionInput) => boolean;
  readonly version?: (facts: RecognitionInput) => string | null;
}

const hasPackage =
  (re: RegExp) =>
  (f: RecognitionInput): boolean =>
    f.packages.some((p) => re.test(p.name));
const MARIADB_PKG = /^(mariadb-server(-\d.*|-core.*)?|MariaDB-server|mariadb)$/;

const RULES: readonly Rule[] = [
  {
    kind: 'web_server',
    name: 'nginx',
    packages: /^nginx(-core|-full|-light|-extras|-mainline)?$/,
    processes: /^nginx$/,
    services: /^nginx$/,
  },
  {
    kind: 'web_server',
    name: 'apache',
    packages: /^(apache2|httpd)$/,
    processes: /^(apache2|httpd)$/,
    services: /^(apache2|httpd)$/,
  },
  { kind: 'web_server', name: 'caddy', packages: /^caddy$/, processes: /^caddy$/, services: /^caddy$/ },
  { kind: 'web_server', name: 'lighttpd', packages: /^lighttpd$/, processes: /^lighttpd$/, services: /^lighttpd$/ },
  {
    kind: 'web_server',
    name: 'litespeed',
    packages: /^(openlitespeed|lsws)$/,
    processes: /^(litespeed|lshttpd|openlitespeed)$/,
  },
  { kind: 'web_server', name: 'haproxy', packages: /^haproxy$/, processes: /^haproxy$/, services: /^haproxy$/ },
  {
    kind: 'database',
    name: 'mariadb',
    packages: MARIADB_PKG,
    processes: /^mariadbd$/,
    services: /^mariadb$/,
    version: (f) =>
      /mariadb/i.test(f.serviceConfig.mysql?.version ?? '')
        ? (f.serviceConfig.mysql?.version?.replace(/-MariaDB.*$/i, '') ?? null)
        : null,
  },
  {
    kind: 'database',
    name: 'mysql',
    packages: /^(mysql-server(-\d.*|-core.*)?|mysql-community-server|percona-server-server.*)$/,
    processes: /^mysqld$/,
    services: /^(mysql|mysqld)$/,
    unless: hasPackage(MARIADB_PKG),
    version: (f) => f.serviceConfig.mysql?.version ?? null,
  },
  {
    kind: 'database',
    name: 'postgresql',
    packages: /^(postgresql(-\d+)?|postgresql\d*-server|postgresql\d+)$/,
    processes: /^(postgres|postmaster)$/,
    services: /^postgresql(@.*|-\d+)?$/,
    version: (f) => f.serviceConfig.postgresql?.version?.replace(/\s.*$/, '') ?? null,
  },
  {
    kind: 'database',
    name: 'mongodb',
    packages: /^(mongodb-org-server|mongodb-server|mongodb)$/,
    processes: /^mongod$/,
    services: /^mongod$/,
  },
  {
    kind: 'cache',
    name: 'redis',
    packages: /^(redis-server|redis|redis\d+)$/,
    processes: /^redis-server$/,
    services: /^redis(-server)?$/,
  },
  { kind: 'cache', name: 'valkey', packages: /^valkey(-server)?$/, processes: /^valkey-server$/ },
  { kind: 'cache', name: 'memcached', packages: /^memcached$/, processes: /^memcached$/, services: /^memcached$/ },
  {
    kind: 'language_runtime',
    name: 'php',
    packages: /^php(\d+(\.\d+)?)?(-cli|-fpm|-common)?$/,
    processes: /^php(-fpm)?[\d.]*(:.*)?$/,
    version: (f) => f.serviceConfig.php.versions[f.serviceConfig.php.versions.length - 1] ?? null,
  },
  { kind: 'language_runtime', name: 'nodejs', packages: /^(nodejs|nodejs\d+)$/, processes: /^(node|nodejs)$/ },
  {
    kind: 'container_runtime',
    name: 'docker',
    packages: /^(docker-ce|docker\.io|docker|moby-engine)$/,
    processes: /^dockerd$/,
    services: /^docker$/,
  },
  { kind: 'container_runtime', name: 'podman', packages: /^podman$/, processes: /^podman$/ },
  { kind: 'mail_server', name: 'postfix', packages: /^postfix$/, processes: /^master$/, services: /^postfix$/ },
  { kind: 'mail_server', name: 'exim', packages: /^exim4?(-daemon-.*)?$/, processes: /^exim4?$/, services: /^exim4?$/ },
  {
    kind: 'mail_server',
    name: 'dovecot',
    packages: /^dovecot(-core)?$/,
    processes: /^dovecot$/,
    services: /^dovecot$/,
  },
  {
    kind: 'message_broker',
    name: 'rabbitmq',
    packages: /^rabbitmq-server$/,
    processes: /^beam\.smp$/,
    services: /^rabbitmq-server$/,
  },
  {
    kind: 'message_broker',
    name: 'mosquitto',
    packages: /^mosquitto$/,
    processes: /^mosquitto$/,
    services: /^mosquitto$/,
  },
  {
    kind: 'message_broker',
    name: 'nats',
    packages: /^nats-server$/,
    processes: /^nats-server$/,
    services: /^nats-server$/,
  },
];

/** A package's upstream version: no epoch, no distribution revision. */
function upstream(p: Package): string {
  return p.version.replace(/^\d+:/, '').replace(/-[^-]*$/, '') || p.version;
}

function fromRule(rule: Rule, f: RecognitionInput): Application | null {
  if (rule.unless?.(f)) return null;
  const pkgs = rule.packages ? f.packages.filter((p) => rule.packages?.test(p.name)) : [];
  const procs = rule.processes ? f.processes.filter((p) => rule.processes?.test(p.command)) : [];
  const svcs = rule.services ? f.services.filter((s) => rule.services?.test(s.name)) : [];
  // The broker rule for beam.smp alone would claim any Erlang program; a package or service must back it.
  if (
    pkgs.length === 0 &&
    svcs.length === 0 &&
    (procs.length === 0 || rule.name === 'rabbitmq' || rule.name === 'postfix')
  )
    return null;
  const procNames = new Set(procs.map((p) => p.command));
  const ports = f.ports
    .filter((p) => p.process !== null && procNames.has(p.process))
    .map((p) => `port:${p.proto}/${p.port}`);
  const evidence = [
    ...pkgs.map((p) => `package:${p.name}`),
    ...procs.map((p) => `process:${p.command}`),
    ...svcs.map((s) => `service:${s.name}`),
    ...ports,
  ];
  const version = rule.version?.(f) ?? (pkgs[0] ? upstream(pkgs[0]) : null);
  return { kind: rule.kind, name: rule.name, version, location: null, evidence: uniqSorted(evidence) };
}

/** Recognised applications, sorted by kind, name and location. */
export function recogniseApplications(f: RecognitionInput): Application[] {
  const apps: Application[] = [];
  for (const rule of RULES) {
    const app = fromRule(rule, f);
    if (app) apps.push(app);
  }
  for (const file of f.locations.appFiles) {
    const kind: ApplicationKind = file.kind === 'node' ? 'node_app' : 'cms';
    const name = file.kind === 'node' ? 'node-app' : file.kind;
    const evidence = [
      `file:${file.path}`,
      ...(file.running ? ['process:node'] : []),
      ...file.frameworks.map((x) => `framework:${x}`),
    ];
    apps.push({ kind, name, version: file.version, location: file.path, evidence: uniqSorted(evidence) });
  }
  for (const c of f.containers) {
    apps.push({
      kind: 'container',
      name: c.image.replace(/@sha256:.*$/, ''),
      version: null,
      location: c.name,
      evidence: [`container:${c.name}`],
    });
  }
  return apps.sort(
    (a, b) =>
      compareText(a.kind, b.kind) || compareText(a.name, b.name) || compareText(a.location ?? '', b.location ?? ''),
  );
}
