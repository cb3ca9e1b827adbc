import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { launcherInstanceHosts } from '../src/sandbox/instance-hosts.js';
import { useFleet } from '../testkit/fleet.js';
import { ed25519PublicKey } from '../testkit/providers/ssh-keys.js';
import { assertPythonModule, runPythonJson } from '../testkit/python-clients.js';

/**
 * The ElasticStack sandbox driven by clients nobody here wrote: Apache Libcloud's ElasticHosts driver (Debian's
 * python3-libcloud) through a node's whole life, and the request shapes of ElasticHosts' own `elastichosts` shell
 * tool (a curl wrapper Debian does not ship: each call below is the curl command it runs). Servers become real
 * isolated SSH hosts.
 */

// Libcloud picks its image from the drive ids its ElasticHosts driver hard-codes: this is "Debian Linux 5.0".
const LIBCLOUD_DEBIAN = '980cf63c-f21e-4382-997b-6541d5809629';

const LIBCLOUD_LIFECYCLE = `
import json, os, time
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider, NodeState
from libcloud.common.types import InvalidCredsError

def driver(secret):
    cls = get_driver(Provider.ELASTICHOSTS)
    return cls(os.environ['EH_USER'], secret, secure=False, host=os.environ['EH_HOST'], port=int(os.environ['EH_PORT']))

out = {}
try:
    driver('not-the-key').list_nodes()
    out['badCredentials'] = 'accepted'
except InvalidCredsError as e:
    out['badCredentials'] = type(e).__name__

d = driver(os.environ['EH_SECRET'])
sizes = {s.id: s for s in d.list_sizes()}
images = {i.id: i for i in d.list_images()}
out['sizes'] = sorted(sizes)
out['imageName'] = images[os.environ['EH_IMAGE']].name
node = d.create_node(name='libcloud-node', size=sizes['small'], image=images[os.environ['EH_IMAGE']])
out['created'] = {'id': node.id, 'state': node.state, 'publicIps': node.public_ips, 'drive': node.extra.get('ide:0:0')}
listed = [n for n in d.list_nodes() if n.id == node.id]
out['listed'] = [{'name': n.name, 'state': n.state, 'publicIps': n.public_ips} for n in listed]
out['running'] = NodeState.RUNNING
out['rebooted'] = d.reboot_node(node)
out['afterReboot'] = [n.state for n in d.list_nodes() if n.id == node.id]
out['destroyed'] = d.destroy_node(node)
out['afterDestroy'] = [n.id for n in d.list_nodes() if n.id == node.id]
out['driveDestroyed'] = d.ex_destroy_drive(node.extra['ide:0:0'])
print(json.dumps(out))
`;

// The shell tool's two request shapes: a command without input is POSTed empty as text/plain; with -c its stdin
// is POSTed as application/octet-stream with an empty Expect header. Credentials go in a curl config read from a
// pipe, as the tool does, so they never show in the process list.
const ELASTICHOSTS_TOOL = `
eh() {
  local data=""
  if [ "$1" = "-c" ]; then data="-"; shift; fi
  local url="\${EHURI%/}/$(tr ' ' / <<< "$*")"
  if [ -z "$data" ]; then
    curl -H "Content-Type:text/plain" --data-binary '' -K <(echo "user = \\"$EHAUTH\\"") -s -S -w '\\n%{http_code}\\n' "$url"
  else
    curl --data-binary @- -K <(echo "user = \\"$EHAUTH\\"") -s -S -w '\\n%{http_code}\\n' \\
      -H "Content-Type: application/octet-stream" -H 'Expect:' "$url"
  fi
}
`;

interface LibcloudNode {
  readonly name: string;
  readonly state: string;
  readonly publicIps: string[];
}

/** What the Libcloud script prints. */
interface LibcloudRun {
  readonly badCredentials: string;
  readonly sizes: string[];
  readonly imageName: string;
  readonly created: Omit<LibcloudNode, 'name'> & { readonly id: string; readonly drive: string };
  readonly listed: LibcloudNode[];
  readonly running: string;
  readonly rebooted: boolean;
  readonly afterReboot: string[];
  readonly destroyed: boolean;
  readonly afterDestroy: string[];
  readonly driveDestroyed: boolean;
}

describe('ElasticStack sandbox through real clients', () => {
  const fleet = useFleet();
  let c: SandboxClouds;
  let dir: string;

  beforeAll(async () => {
    await assertPythonModule('libcloud', 'python3-libcloud');
    dir = mkdtempSync(join(tmpdir(), 'steward-eh-clients-'));
    c = await startSandboxClouds({ hosts: launcherInstanceHosts(fleet.launcher), transitionMs: 200, imagingMs: 300 });
  });
  afterAll(async () => {
    await c?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Libcloud creates a node from its hard-coded Debian drive, lists, reboots and destroys it; bad keys are refused', async () => {
    const url = new URL(c.elastic.url);
    const result = await runPythonJson<LibcloudRun>(LIBCLOUD_LIFECYCLE, {
      EH_USER: c.elastic.user,
      EH_SECRET: c.elastic.secretKey,
      EH_HOST: url.hostname,
      EH_PORT: url.port,
      EH_IMAGE: LIBCLOUD_DEBIAN,
    });
    expect(result.badCredentials).toBe('InvalidCredsError');
    expect(result.sizes).toContain('small');
    expect(result.imageName).toBe('Debian Linux 5.0');
    expect(result.created.state).toBe(result.running);
    expect(result.created.publicIps).toHaveLength(1);
    expect(result.listed).toEqual([
      { name: 'libcloud-node', state: result.running, publicIps: result.created.publicIps },
    ]);
    expect(result.rebooted).toBe(true);
    expect(result.afterReboot).toEqual([result.running]);
    expect(result.destroyed).toBe(true);
    expect(result.afterDestroy).toEqual([]);
    expect(result.driveDestroyed).toBe(true);

    // The drive was imaged from the library drive Libcloud named, and the node was a real host until destroyed.
    const paths = c.elastic.sandbox.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(paths).toContain(`POST /drives/${result.created.drive}/image/${LIBCLOUD_DEBIAN}/gunzip 204`);
    expect(paths).toContain(`POST /servers/${result.created.id}/reset 204`);
    expect(fleet.launcher.hosts().some((h) => h.address === result.created.publicIps[0])).toBe(false);
  });

  it('the elastichosts tool’s requests image a library drive, boot it on a real host and read its console', async () => {
    const key = ed25519PublicKey('tool@steward');
    const script = join(dir, 'tool.sh');
    writeFileSync(
      script,
      `${ELASTICHOSTS_TOOL}
set -euo pipefail
eh drives list standard > "$OUT/standard"
head -n 3 "$OUT/standard"
drive=$(printf 'name tool-disk\\nsize 2G\\n' | eh -c drives create | sed -n 's/^drive //p')
echo "drive $drive"
eh drives "$drive" image ${LIBCLOUD_DEBIAN} gunzip
until ! eh drives "$drive" info | grep '^imaging ' >/dev/null; do sleep 0.2; done
server=$(printf 'name tool-server\\ncpu 2000\\nmem 1024\\nide:0:0 %s\\nboot ide:0:0\\nnic:0:model e1000\\nnic:0:dhcp auto\\nuser:ssh_authorized_keys %s\\n' "$drive" "$KEY" \\
  | eh -c servers create | sed -n 's/^server //p')
echo "server $server"
eh servers "$server" info | sed -n 's/^\\(status\\|nic:0:dhcp:ip\\) /\\1 /p'
eh servers "$server" console | sed -n 's/^console //p' > "$OUT/console"
address=$(eh servers "$server" info | sed -n 's/^nic:0:dhcp:ip //p')
ssh-keyscan -t ed25519 "$address" 2>/dev/null | sed -n 's/^[^ ]* /scanned /p'
eh servers "$server" destroy
eh drives "$drive" destroy
EHAUTH="$EHUSER:wrong" eh servers list
`,
    );
    const { stdout } = await promisify(execFile)('bash', [script], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        EHURI: c.elastic.url,
        EHAUTH: `${c.elastic.user}:${c.elastic.secretKey}`,
        EHUSER: c.elastic.user,
        KEY: key.publicKey,
        OUT: dir,
      },
      timeout: 120_000,
    }).catch((err: { stderr?: string; stdout?: string }) => {
      throw new Error(`the tool's requests failed: ${err.stderr ?? ''}\n${err.stdout ?? ''}`);
    });
    const lines = stdout.split('\n');
    // `drives list standard` answers ids, one a line.
    expect(lines.slice(0, 3).every((l) => /^[0-9a-f-]{36}$/.test(l))).toBe(true);
    const server = lines.find((l) => l.startsWith('server '))?.slice(7) ?? '';
    expect(lines).toContain('status active');
    const address = lines.find((l) => l.startsWith('nic:0:dhcp:ip '))?.slice(14) ?? '';
    // Commands without output answer 204 with an empty body; the wrong key answers 401.
    expect(lines.filter((l) => l === '204')).toHaveLength(3);
    expect(lines.at(-2)).toBe('401');
    expect(lines).toContain('Authentication failed');

    // The console shows the host key of the real host that answered at the server's address.
    const consoleText = readFileSync(join(dir, 'console'), 'utf8').replace(/\\r\\n|\\n/g, '\n');
    const keys = consoleText.split('-----BEGIN SSH HOST KEY KEYS-----\n')[1]?.split('\n-----END')[0] ?? '';
    const recorded = c.elastic.sandbox.requests.find((r) => r.path === `/servers/${server}/console`);
    expect(recorded?.status).toBe(200);
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(keys).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* root@tool-server$/);
    const scanned = lines.find((l) => l.startsWith('scanned '))?.slice(8);
    expect(scanned).toBeDefined();
    expect(keys.startsWith(`${scanned} `)).toBe(true);
    // The host is gone with the server.
    expect(fleet.launcher.hosts().some((h) => h.address === address)).toBe(false);
  });
});
