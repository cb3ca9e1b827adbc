/** Every detection rule. Each is a pure function of the same input, so adding one is adding a line here. */
import type { DetectionInput, FindingDraft, Rule } from '../detection.types.js';
import { authorizedKey } from './authorized-key.js';
import { cpuMiner } from './cpu-miner.js';
import { diskFilling } from './disk-filling.js';
import { listeningPort } from './listening-port.js';
import { newLoginAddress } from './new-login-address.js';
import { privilegedAccount } from './privileged-account.js';
import { sshBruteForce } from './ssh-brute-force.js';
import { systemBinary } from './system-binary.js';
import { outboundAttack } from './outbound-attack.js';

export const RULES: readonly Rule[] = [
  sshBruteForce,
  newLoginAddress,
  privilegedAccount,
  authorizedKey,
  listeningPort,
  cpuMiner,
  systemBinary,
  diskFilling,
  outboundAttack,
];

export function runRules(input: DetectionInput): FindingDraft[] {
  return RULES.flatMap((rule) => rule(input));
}
