import { createRestic } from '../src/core/backups/restic.js';
import { secret } from '../src/kernel/secret.js';
const r = createRestic({ bin: 'restic', cacheDir: '/tmp/rt/cache', workDir: '/tmp/rt/work' });
const t = { repository: '/tmp/rt/repo' };
const pw = secret('s3cr3t-pass');
console.log((await r.run(t, pw, ['init'])).stdout);
const p = await r.start(t, pw, ['backup', '--json', '--stdin', '--stdin-filename', 'db.sql'], { stdin: 'pipe', onJson: (m) => m.message_type === 'summary' && console.log(m) });
p.stdin!.write('hello world\n'); p.stdin!.end();
console.log(await p.done);
const s = await r.run(t, pw, ['snapshots', '--json']); console.log(s.stdout.slice(0,300));
try { await r.run(t, secret('wrong'), ['snapshots']); } catch (e) { console.log(String(e), (e as any).code); }
