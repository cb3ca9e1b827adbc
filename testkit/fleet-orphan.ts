/**
 * A test process that dies without cleaning up: it launches hosts, prints them as one JSON line, then waits
 * to be killed. Tests run it as a child (`node --import tsx testkit/fleet-orphan.ts isolated 2`), kill it with
 * SIGKILL and check that `cleanupStale` removes what it left.
 */
import { createHostLauncher, type HostMode } from '../src/sandbox/hosts/index.js';
import { testHostDirs } from './fleet-env.js';

const mode = (process.argv[2] ?? 'isolated') as HostMode;
const count = Number(process.argv[3] ?? '1');
const launcher = createHostLauncher({ mode, ...testHostDirs() });
const hosts = await launcher.launchMany(count);
process.stdout.write(`${JSON.stringify(hosts.map((h) => ({ name: h.name, address: h.address, port: h.port })))}\n`);
// Stay alive (and hold the hosts) until killed.
setInterval(() => undefined, 60_000);
