import ssh2 from 'ssh2';
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { generateEd25519KeyPair } from '../src/remote/index.js';
const { AgentProtocol, utils } = ssh2;
const pair = generateEd25519KeyPair('t');
const key = utils.parseKey(pair.privateKey.reveal()) as any;
const server = createServer((socket) => {
  console.log('conn');
  const protocol = new AgentProtocol(false);
  protocol.on('identities', (req: any) => { console.log('ids'); try { protocol.getIdentitiesReply(req, [key]); } catch (e) { console.log('E', e); } });
  protocol.on('error', (e: any) => console.log('perr', e));
  socket.on('data', (d) => console.log('data', d.length));
  socket.pipe(protocol).pipe(socket);
});
server.listen('/tmp/ag.sock', () => {
  execFile('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: '/tmp/ag.sock' } }, (err, out, errout) => { console.log(err?.message, out, errout); server.close(); });
});
