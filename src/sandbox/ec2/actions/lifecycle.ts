import type { Clock } from '../../../kernel/clock.js';
import { Ec2Fault } from '../faults.js';
import { stateXml } from '../render.js';
import { userInitiated, type Ec2StateName, type SandboxInstance } from '../state.js';
import { el, items } from '../xml.js';
import type { ActionContext, Ec2Action } from './context.js';
import { instancesNamed } from './instances.js';

interface Change {
  readonly inst: SandboxInstance;
  readonly previous: Ec2StateName;
}

function changeSet(name: string, changes: readonly Change[]): string {
  return items(
    name,
    changes,
    (c) => el('instanceId', c.inst.id) + stateXml('currentState', c.inst.state) + stateXml('previousState', c.previous),
  );
}

const incorrect = (inst: SandboxInstance, verb: string): Ec2Fault =>
  new Ec2Fault('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be ${verb}.`);

function shutdownReason(inst: SandboxInstance, clock: Clock): void {
  inst.reason = userInitiated(clock);
  inst.stateReason = {
    code: 'Client.UserInitiatedShutdown',
    message: 'Client.UserInitiatedShutdown: User initiated shutdown',
  };
}

// All instances are checked before any is touched, so a request with one bad id changes nothing.
function named({ p, world, region }: ActionContext): SandboxInstance[] {
  world.settle(region);
  return instancesNamed(region, p.list('InstanceId'));
}

export const startInstances: Ec2Action = async (ctx) => {
  const list = named(ctx);
  for (const inst of list)
    if (inst.state === 'stopping' || inst.state === 'shutting-down' || inst.state === 'terminated')
      throw incorrect(inst, 'started');
  const changes: Change[] = [];
  for (const inst of list) {
    const previous = inst.state;
    if (previous === 'stopped') {
      await ctx.hosts.start(inst.id);
      ctx.world.move(inst, 'pending', 'running');
      ctx.world.boot(inst);
      inst.reason = '';
      inst.stateReason = undefined;
    }
    changes.push({ inst, previous });
  }
  return changeSet('instancesSet', changes);
};

export const stopInstances: Ec2Action = async (ctx) => {
  const list = named(ctx);
  for (const inst of list)
    if (inst.state === 'pending' || inst.state === 'shutting-down' || inst.state === 'terminated')
      throw incorrect(inst, 'stopped');
  for (const inst of list)
    if (inst.attributes.disableApiStop && inst.state === 'running')
      throw new Ec2Fault(
        'OperationNotPermitted',
        `The instance '${inst.id}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`,
      );
  const changes: Change[] = [];
  for (const inst of list) {
    const previous = inst.state;
    if (previous === 'running') {
      await ctx.hosts.stop(inst.id);
      ctx.world.move(inst, 'stopping', 'stopped');
      shutdownReason(inst, ctx.clock);
    }
    changes.push({ inst, previous });
  }
  return changeSet('instancesSet', changes);
};

export const rebootInstances: Ec2Action = async (ctx) => {
  const list = named(ctx);
  for (const inst of list) if (inst.state !== 'running' && inst.state !== 'pending') throw incorrect(inst, 'rebooted');
  for (const inst of list) {
    await ctx.hosts.stop(inst.id);
    await ctx.hosts.start(inst.id);
    ctx.world.boot(inst);
  }
  return el('return', true);
};

export const terminateInstances: Ec2Action = async (ctx) => {
  const list = named(ctx);
  for (const inst of list)
    if (inst.attributes.disableApiTermination && inst.state !== 'terminated')
      throw new Ec2Fault(
        'OperationNotPermitted',
        `The instance '${inst.id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
      );
  const changes: Change[] = [];
  for (const inst of list) {
    const previous = inst.state;
    if (previous !== 'terminated' && previous !== 'shutting-down') {
      await ctx.hosts.destroy(inst.id);
      ctx.world.move(inst, 'shutting-down', 'terminated');
      shutdownReason(inst, ctx.clock);
      inst.host = undefined;
    }
    changes.push({ inst, previous });
  }
  return changeSet('instancesSet', changes);
};
