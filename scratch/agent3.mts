import { startKeyAgent, generateEd25519KeyPair } from '../src/remote/index.js';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
mkdirSync('/tmp/agt', { recursive: true });
const pair = generateEd25519KeyPair('t');
const agent = await startKeyAgent(pair.privateKey, '/tmp/agt');
execFile('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: agent.socketPath } }, async (err, out, e2) => { console.log(err?.message, out, e2); 
  execFile('ssh', ['-F','/dev/null','-o',`IdentityAgent=${agent.socketPath}`,'-o','BatchMode=yes','-o','StrictHostKeyChecking=no','-o','UserKnownHostsFile=/dev/null','-v','-p','1','127.0.0.1','true'], (e, o, se) => { console.log(se.split('\n').filter(l=>/agent|identity|Offering|Will attempt/i.test(l)).join('\n')); agent.close(); });
});
