import { mkdirSync, writeFileSync } from 'node:fs';
import { benchApi } from './api.bench.js';
import { benchCluster } from './cluster.bench.js';
import { benchFleet, type Measure } from './fleet.bench.js';
import { benchMonitoring } from './monitoring.bench.js';
import { benchBackups } from './backups.bench.js';
import { benchSoak } from './soak.bench.js';
import { benchVault } from './vault.bench.js';

/**
 * `npm run bench [-- section…]`: Steward's own measurements, each reported as a ratio to a peer measured in the
 * same run on the same machine. Sections: vault, api, fleet, cluster, soak, monitoring, backups. Results go to stdout (markdown) and .artifacts/bench.json.
 */
const sections = process.argv.slice(2);
const want = (name: string) => sections.length === 0 || sections.includes(name);
const results: Record<string, unknown> = { at: new Date().toISOString() };
const lines: string[] = ['# Steward benchmarks', ''];

if (want('vault')) {
  const v = await benchVault();
  results.vault = v;
  lines.push(
    '## Vault: 1 KiB secrets (one core)',
    '',
    '| | ops/s | ratio to raw AES-256-GCM (goal ≥ 0.5) |',
    '| --- | ---: | ---: |',
    `| raw seal | ${v.rawSealPerSec} | 1.00 |`,
    `| vault seal | ${v.vaultSealPerSec} | ${(v.vaultSealPerSec / v.rawSealPerSec).toFixed(2)} |`,
    `| raw open | ${v.rawOpenPerSec} | 1.00 |`,
    `| vault open | ${v.vaultOpenPerSec} | ${(v.vaultOpenPerSec / v.rawOpenPerSec).toFixed(2)} |`,
    '',
  );
}

if (want('api')) {
  const a = await benchApi();
  results.api = a;
  lines.push(
    '## API: authenticated read (GET /api/orgs/:id, 10 connections, 10 s)',
    '',
    '| req/s | p50 ms | p99 ms | errors |',
    '| ---: | ---: | ---: | ---: |',
    `| ${a.requestsPerSec} | ${a.p50Ms} | ${a.p99Ms} | ${a.errors} |`,
    '',
  );
}

if (want('fleet')) {
  const { results: fleet, missingPeers } = await benchFleet();
  results.fleet = fleet;
  const fmt = (m: Measure | null) =>
    m
      ? `${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(1)} s CPU, ${Math.round(m.peakRssMiB)} MiB; machine ${m.machineCpuS.toFixed(1)} s CPU`
      : 'not measured';
  const ratio = (peerM: Measure | null, ours: Measure) => (peerM ? (peerM.wallS / ours.wallS).toFixed(1) : '—');
  lines.push('## Fleet: Steward vs Ansible and parallel-ssh on the same hosts (same run)', '');
  if (missingPeers.length > 0)
    lines.push(
      `Peers not installed (${missingPeers.join(', ')}): install with \`apt-get install -y ${missingPeers.join(' ')}\`.`,
      '',
    );
  lines.push(
    '| hosts | work | Steward | peer | peer wall ÷ Steward wall (goal) |',
    '| ---: | --- | --- | --- | ---: |',
  );
  for (const f of fleet) {
    if (f.stewardDiscover)
      lines.push(
        `| ${f.n} | discovery vs \`ansible -m setup -f 50\` | ${fmt(f.stewardDiscover)} | ${fmt(f.ansibleSetup)} | ${ratio(f.ansibleSetup, f.stewardDiscover)} (≥ 10) |`,
      );
    if (f.stewardRediscover)
      lines.push(`| ${f.n} | repeat discovery of the unchanged hosts | ${fmt(f.stewardRediscover)} | — | — |`);
    lines.push(
      `| ${f.n} | \`uptime\` vs \`parallel-ssh -p 50\` | ${fmt(f.stewardUptime)} | ${fmt(f.psshUptime)} | ${ratio(f.psshUptime, f.stewardUptime)} (≥ 1) |`,
    );
    lines.push(
      `| ${f.n} | \`uptime\` vs parallel-ssh with curve25519 | ${fmt(f.stewardUptime)} | ${fmt(f.psshUptimeX25519)} | ${ratio(f.psshUptimeX25519, f.stewardUptime)}${f.n >= 1000 ? ' (≥ 2)' : ''} |`,
    );
  }
  lines.push(
    '',
    "Steward's process (the built CLI on SQLite, serving and working, driven through its API):",
    '',
    '| hosts | idle RSS | discovery: CPU per host (goal ≤ 50 ms) | discovery: peak RSS (goal ≤ 150 MiB) | `uptime`: CPU per host (goal ≤ 15 ms) |',
    '| ---: | ---: | ---: | ---: | ---: |',
  );
  for (const f of fleet) {
    const perHost = (m: Measure | null) => (m ? `${Math.round((m.cpuS * 1000) / f.n)} ms` : '—');
    const peak = f.stewardDiscover ? `${Math.round(f.stewardDiscover.peakRssMiB)} MiB` : '—';
    lines.push(
      `| ${f.n} | ${Math.round(f.idleRssMiB)} MiB | ${perHost(f.stewardDiscover)} | ${peak} | ${perHost(f.stewardUptime)} |`,
    );
  }
  lines.push('');
  const steps = [
    ...new Set(fleet.flatMap((f) => [...Object.keys(f.hostCpuFirst ?? {}), ...Object.keys(f.hostCpuRepeat ?? {})])),
  ];
  lines.push(
    'Host CPU of the discovery script per step (mean over hosts, ms; `/proc/self/stat` of its shell, 10 ms ticks each):',
    '',
    `| hosts | run | ${steps.join(' | ')} |`,
    `| ---: | --- | ${steps.map(() => '---:').join(' | ')} |`,
  );
  for (const f of fleet)
    for (const [run, cpu] of [
      ['full', f.hostCpuFirst],
      ['repeat', f.hostCpuRepeat],
    ] as const)
      if (cpu) lines.push(`| ${f.n} | ${run} | ${steps.map((k) => cpu[k] ?? '—').join(' | ')} |`);
  lines.push('');
}

if (want('monitoring')) {
  const m = await benchMonitoring();
  results.monitoring = m;
  const sqlite = m.ingestion.find((i) => i.engine === 'sqlite');
  if (m.ingestion.length > 0)
    lines.push(
      `## Monitoring: metric ingestion (${m.ingestion[0]?.servers} servers × ${m.ingestion[0]?.seriesPerServer} series, one transaction per server per interval)`,
      '',
      '| engine | points/s | ratio to SQLite |',
      '| --- | ---: | ---: |',
      ...m.ingestion.map(
        (i) =>
          `| ${i.engine} | ${i.pointsPerSec} | ${sqlite ? (i.pointsPerSec / sqlite.pointsPerSec).toFixed(2) : '—'} |`,
      ),
      '',
    );
  lines.push(
    `## Monitoring: sampling ${m.sampling.hosts} real sshd hosts every ${m.sampling.intervalS} s (Steward's process, two ${m.sampling.windowS} s windows)`,
    '',
    "| window starts after the first samples | samples stored | due / taken / late / missed | CPU (of it kernel) | CPU per sample | share of one core (goal ≤ 5 %) | hosts' CPU per sample |",
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...m.sampling.windows.map(
      (w) =>
        `| ${w.startS} s | ${w.samples} | ${w.schedule.due} / ${w.schedule.taken} / ${w.schedule.late} / ${w.schedule.missed} | ${w.cpuS.toFixed(1)} s (${w.sysS.toFixed(1)} s) | ${w.cpuMsPerSample.toFixed(1)} ms | ${(w.coreShare * 100).toFixed(1)} % | ${w.hostCpuMsPerSample.toFixed(0)} ms |`,
    ),
    '',
    'The first window starts while V8 is still optimising the sampling path; the second is the steady state.',
    '',
    `Before the first window (${m.sampling.warmUp.seconds} s: every server's first sample, then two intervals to settle), due / taken / late / missed: ${m.sampling.warmUp.due} / ${m.sampling.warmUp.taken} / ${m.sampling.warmUp.late} / ${m.sampling.warmUp.missed}.`,
    '',
  );
}

if (want('cluster')) {
  const c = await benchCluster();
  results.cluster = c;
  lines.push(
    `## Cluster on PostgreSQL: ${c.hosts} hosts, API node and workers as separate processes`,
    '',
    '| | wall | rate | ratio to one worker |',
    '| --- | ---: | ---: | ---: |',
    `| \`uptime\` fan-out, one worker | ${c.oneWorker.wallS.toFixed(2)} s | ${c.oneWorker.jobsPerSec.toFixed(1)} host jobs/s | 1.00 |`,
    `| \`uptime\` fan-out, two workers | ${c.twoWorkers.wallS.toFixed(2)} s | ${c.twoWorkers.jobsPerSec.toFixed(1)} host jobs/s | ${(c.twoWorkers.jobsPerSec / c.oneWorker.jobsPerSec).toFixed(2)} |`,
    `| discovery of every host, end to end (two workers) | ${c.discovery.wallS.toFixed(2)} s | ${c.discovery.hostsPerSec.toFixed(1)} hosts/s | — |`,
    '',
  );
}

// The soak is long (1,000 hosts by default): it runs only when asked for by name.
if (sections.includes('soak')) {
  const k = await benchSoak();
  results.soak = k;
  lines.push(
    `## Soak: ${k.hosts} hosts, ${k.orgs} organisations, ${k.rounds} concurrent \`uptime\` fan-outs each, API writes throughout`,
    '',
    '| | wall | host jobs | audited events/s | API write p50 / p99 | refused (goal 0) | runs not succeeded |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...k.modes.map(
      (m) =>
        `| ${m.mode} | ${m.wallS.toFixed(1)} s | ${m.hostJobs} | ${m.auditedEventsPerSec.toFixed(1)} | ${m.writeP50Ms} / ${m.writeP99Ms} ms | ${m.refused} | ${m.runsNotSucceeded} |`,
    ),
    '',
    ...k.modes.flatMap((m) => (m.firstFailures.length ? [`${m.mode}: ${m.firstFailures.join('; ')}`, ''] : [])),
  );
}

if (want('backups')) {
  const b = await benchBackups();
  results.backups = b;
  const mibs = (bytes: number, s: number) => (bytes / 1048576 / s).toFixed(1);
  const row = (what: string, bytes: number, ours: number, peer: number) =>
    `| ${what} | ${ours.toFixed(1)} s (${mibs(bytes, ours)} MiB/s) | ${peer.toFixed(1)} s (${mibs(bytes, peer)} MiB/s) | ${(peer / ours).toFixed(2)} |`;
  lines.push(
    `## Backups: ${(b.dbBytes / 1048576).toFixed(0)} MiB of table data and 10,000 files of 4 KiB, one isolated host`,
    '',
    '| work | Steward | by hand (ssh … \\| restic --stdin) | by-hand time ÷ Steward time (goal ≥ 1) |',
    '| --- | ---: | ---: | ---: |',
    row('database backup', b.dbBytes, b.db.steward.backupS, b.db.byHand.backupS),
    row('database restore', b.dbBytes, b.db.steward.restoreS, b.db.byHand.restoreS),
    row('files backup', b.filesBytes, b.files.steward.backupS, b.files.byHand.backupS),
    row('files restore', b.filesBytes, b.files.steward.restoreS, b.files.byHand.restoreS),
    '',
    `Second backup of unchanged data added ${(b.secondShare.db * 100).toFixed(2)} % (database) and ${(b.secondShare.files * 100).toFixed(2)} % (files) of the first's bytes (goal < 5 %).`,
    '',
  );
}

mkdirSync('.artifacts', { recursive: true });
writeFileSync('.artifacts/bench.json', JSON.stringify(results, null, 2));
process.stdout.write(lines.join('\n'));
