import { startKeyAgent, generateEd25519KeyPair } from '../src/remote/index.js';
import { execFileSync } from 'node:child_process';
const pair = generateEd25519KeyPair('t');
const agent = await startKeyAgent(pair.privateKey, '/tmp');
try { console.log(execFileSync('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: agent.socketPath } }).toString()); } catch (e) { console.log('ERR', String(e), (e as any).stderr?.toString()); }
console.log(pair.publicKey);
await agent.close();
