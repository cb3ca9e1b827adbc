/**
 * Initial setup, part three: a host firewall with ufw. Incoming connections are denied unless a rule allows
 * them; SSH is allowed first, on every port sshd listens on and on the port of the very session applying
 * this, and only then is the firewall switched on. ufw keeps established connections open, so the running
 * session is never cut off.
 */
import type { Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { asLoginUser, change, failure, inspect, sh } from './exec.js';
import { packageStep } from './packages.js';
import { parseSshdT, sessionServerEnd, sshdPorts } from './sshd-config.js';

export const firewallPackageStep = packageStep('firewall-installed', 'ufw (firewall)', {
  apt: ['ufw'],
  dnf: ['ufw'],
  apk: ['ufw'],
});

/** ufw's saved default for incoming traffic: ACCEPT, DROP or REJECT. */
const INCOMING_POLICY_SCRIPT = `sed -n 's/^DEFAULT_INPUT_POLICY="\\(.*\\)"$/\\1/p' /etc/default/ufw`;

async function incomingPolicy(ctx: TaskContext): Promise<string> {
  return (await inspect(ctx, sh(INCOMING_POLICY_SCRIPT))).stdout.trim();
}

/** The ports SSH must stay open on: sshd's own, plus the one this session came in on (a NAT may map another). */
async function sshPorts(ctx: TaskContext): Promise<number[]> {
  const ports = sshdPorts(parseSshdT((await inspect(ctx, ['sshd', '-T'])).stdout));
  const session = sessionServerEnd((await asLoginUser(ctx, sh('printf "%s" "$SSH_CONNECTION"'))).stdout);
  if (session && !ports.includes(session.port)) ports.push(session.port);
  return ports;
}

/** The rules ufw has saved (active or not), as the commands that made them: "ufw allow 22/tcp". */
export async function savedRules(ctx: TaskContext): Promise<string[]> {
  const result = await inspect(ctx, ['ufw', 'show', 'added']);
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('ufw '));
}

/** Whether the saved rules let TCP `port` in from anywhere (a rate limit counts: it still lets people in). */
export function allowsPort(rules: readonly string[], port: number): boolean {
  return rules.some(
    (rule) => rule === `ufw allow ${port}/tcp` || rule === `ufw limit ${port}/tcp` || rule === `ufw allow ${port}`,
  );
}

export async function ufwActive(ctx: TaskContext): Promise<boolean> {
  const status = await inspect(ctx, ['ufw', 'status'], { acceptExitCodes: [0, 1] });
  return /^Status: active/m.test(status.stdout);
}

/** A step: ufw lets TCP `ports()` in. Shared with recipes that open a service's port. */
export function allowPortsStep(
  id: string,
  what: string,
  ports: (ctx: TaskContext) => Promise<number[]>,
): Step<TaskContext> {
  return {
    id,
    description: `the firewall lets ${what} in`,
    async check(ctx) {
      const rules = await savedRules(ctx);
      return (await ports(ctx)).every((port) => allowsPort(rules, port));
    },
    async apply(ctx) {
      const rules = await savedRules(ctx);
      for (const port of (await ports(ctx)).filter((p) => !allowsPort(rules, p))) {
        await change(ctx, ['ufw', 'allow', `${port}/tcp`]).catch((error: unknown) => {
          throw failure('STEWARD_RECIPE_COMMAND_FAILED', `ufw could not allow ${port}/tcp`, error, { port });
        });
        ctx.log(`firewall: allowed ${what} on ${port}/tcp`);
      }
    },
  };
}

export const firewallAllowsSshStep = allowPortsStep('firewall-allows-ssh', 'SSH', sshPorts);

export const firewallDefaultDenyStep: Step<TaskContext> = {
  id: 'firewall-default-deny',
  description: 'the firewall denies incoming connections that no rule allows',
  check: async (ctx) => ['DROP', 'REJECT'].includes(await incomingPolicy(ctx)),
  async apply(ctx) {
    const was = (await incomingPolicy(ctx)) || 'unset';
    await change(ctx, ['ufw', 'default', 'deny', 'incoming']);
    ctx.log(`firewall: incoming connections are denied unless a rule allows them (was ${was})`);
  },
};

export const firewallEnabledStep: Step<TaskContext> = {
  id: 'firewall-enabled',
  description: 'the firewall is on, also after a reboot',
  check: ufwActive,
  async apply(ctx) {
    // --force answers ufw's "may disrupt existing ssh connections" prompt; the SSH rule is already in place.
    await change(ctx, ['ufw', '--force', 'enable']).catch((error: unknown) => {
      throw failure('STEWARD_RECIPE_COMMAND_FAILED', 'ufw could not switch the firewall on', error);
    });
    ctx.log('firewall: ufw is on; SSH stays open and this session stayed connected');
  },
};
