import { INSTANCE_TYPES } from '../catalog.js';
import { Ec2Fault } from '../faults.js';
import type { Params } from '../params.js';
import type { SandboxInstance } from '../state.js';
import { el, items } from '../xml.js';
import type { ActionContext, Ec2Action } from './context.js';
import { instancesNamed } from './instances.js';

const value = (name: string, v: string | boolean | undefined): string =>
  v === undefined ? `<${name}/>` : `<${name}>${el('value', v)}</${name}>`;

/** DescribeInstanceAttribute's answer for each attribute name EC2 accepts. */
const ATTRIBUTES: Record<string, (i: SandboxInstance) => string> = {
  instanceType: (i) => value('instanceType', i.instanceType),
  kernel: () => '<kernel/>',
  ramdisk: () => '<ramdisk/>',
  userData: (i) => value('userData', i.attributes.userData),
  disableApiTermination: (i) => value('disableApiTermination', i.attributes.disableApiTermination),
  disableApiStop: (i) => value('disableApiStop', i.attributes.disableApiStop),
  instanceInitiatedShutdownBehavior: (i) => value('instanceInitiatedShutdownBehavior', i.attributes.shutdownBehavior),
  rootDeviceName: (i) => value('rootDeviceName', i.rootVolume.device),
  blockDeviceMapping: (i) =>
    i.state === 'terminated'
      ? '<blockDeviceMapping/>'
      : items(
          'blockDeviceMapping',
          [i.rootVolume],
          (v) =>
            el('deviceName', v.device) +
            `<ebs>${el('volumeId', v.id)}${el('status', 'attached')}${el('attachTime', v.attachTime)}${el('deleteOnTermination', true)}</ebs>`,
        ),
  productCodes: () => '<productCodes/>',
  sourceDestCheck: (i) => value('sourceDestCheck', i.attributes.sourceDestCheck),
  groupSet: (i) => items('groupSet', i.securityGroups, (g) => el('groupId', g.id)),
  ebsOptimized: (i) => value('ebsOptimized', i.attributes.ebsOptimized),
  sriovNetSupport: () => value('sriovNetSupport', 'simple'),
  enaSupport: () => value('enaSupport', true),
  enclaveOptions: () => `<enclaveOptions>${el('enabled', false)}</enclaveOptions>`,
};

function oneInstance({ p, world, region }: ActionContext): SandboxInstance {
  world.settle(region);
  const id = p.required('InstanceId');
  return instancesNamed(region, [id])[0] as SandboxInstance;
}

export const describeInstanceAttribute: Ec2Action = (ctx) => {
  const attribute = ctx.p.required('Attribute');
  const render = ATTRIBUTES[attribute];
  if (render === undefined)
    throw new Ec2Fault(
      'InvalidParameterValue',
      `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
    );
  const inst = oneInstance(ctx);
  return el('instanceId', inst.id) + render(inst);
};

const bool = (name: string, v: string): boolean => {
  if (v !== 'true' && v !== 'false')
    throw new Ec2Fault('InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Expected a boolean.`);
  return v === 'true';
};

// The change a request asks for: the structured form (`DisableApiTermination.Value=true`) or the older flat one
// (`Attribute=disableApiTermination&Value=true`).
function requestedChange(p: Params): { attribute: string; value: string | string[] } {
  const flat = p.str('Attribute');
  if (flat !== undefined) return { attribute: flat, value: p.required('Value') };
  const groups = p.list('GroupId');
  if (groups.length > 0) return { attribute: 'groupSet', value: groups };
  const structured = [
    'InstanceType',
    'UserData',
    'DisableApiTermination',
    'DisableApiStop',
    'InstanceInitiatedShutdownBehavior',
    'SourceDestCheck',
    'EbsOptimized',
    'Kernel',
    'Ramdisk',
    'SriovNetSupport',
    'EnaSupport',
  ].filter((name) => p.struct(name) !== undefined);
  if (structured.length !== 1)
    throw new Ec2Fault(
      'InvalidParameterCombination',
      structured.length === 0
        ? 'No attribute specified.'
        : 'Fields for multiple attribute types specified: ' + structured.join(', '),
    );
  const name = structured[0] as string;
  return { attribute: name[0]?.toLowerCase() + name.slice(1), value: p.struct(name)?.str('Value') ?? '' };
}

export const modifyInstanceAttribute: Ec2Action = (ctx) => {
  const inst = oneInstance(ctx);
  const { attribute, value: v } = requestedChange(ctx.p);
  const one = Array.isArray(v) ? (v[0] ?? '') : v;
  const stoppedOnly = (): void => {
    if (inst.state !== 'stopped')
      throw new Ec2Fault('IncorrectInstanceState', `The instance '${inst.id}' is not in the 'stopped' state.`);
  };
  if (inst.state === 'terminated' || inst.state === 'shutting-down')
    throw new Ec2Fault(
      'IncorrectInstanceState',
      `The instance '${inst.id}' is not in a state from which it can be modified.`,
    );
  switch (attribute) {
    case 'instanceType': {
      stoppedOnly();
      const type = INSTANCE_TYPES.find((t) => t.name === one);
      if (type === undefined) throw new Ec2Fault('InvalidInstanceAttributeValue', `Invalid instance type: ${one}`);
      if (!type.architectures.includes(inst.architecture as 'x86_64'))
        throw new Ec2Fault(
          'InvalidInstanceAttributeValue',
          `The instance type ${one} does not support ${inst.architecture}.`,
        );
      inst.instanceType = type.name;
      break;
    }
    case 'userData':
      stoppedOnly();
      inst.attributes.userData = one === '' ? undefined : one;
      break;
    case 'disableApiTermination':
      inst.attributes.disableApiTermination = bool(attribute, one);
      break;
    case 'disableApiStop':
      inst.attributes.disableApiStop = bool(attribute, one);
      break;
    case 'instanceInitiatedShutdownBehavior':
      if (one !== 'stop' && one !== 'terminate')
        throw new Ec2Fault(
          'InvalidParameterValue',
          `Value (${one}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
        );
      inst.attributes.shutdownBehavior = one;
      break;
    case 'sourceDestCheck':
      inst.attributes.sourceDestCheck = bool(attribute, one);
      break;
    case 'ebsOptimized':
      stoppedOnly();
      inst.attributes.ebsOptimized = bool(attribute, one);
      break;
    case 'groupSet': {
      const ids = Array.isArray(v) ? v : [v];
      const groups = ids.map((id) => ctx.region.groups.get(id));
      const unknown = ids[groups.findIndex((g) => g === undefined)];
      if (unknown !== undefined)
        throw new Ec2Fault('InvalidGroup.NotFound', `The security group '${unknown}' does not exist`);
      inst.securityGroups = groups.filter((g) => g !== undefined).map((g) => ({ id: g.id, name: g.name }));
      break;
    }
    default:
      throw new Ec2Fault(
        'InvalidParameterValue',
        `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
      );
  }
  return el('return', true);
};

export const describeInstanceCreditSpecifications: Ec2Action = ({ p, world, region }) => {
  world.settle(region);
  const ids = p.list('InstanceId');
  const named = ids.length > 0 ? instancesNamed(region, ids) : [...region.instances.values()];
  const burstable = named.filter((i) => i.attributes.cpuCredits !== undefined && i.state !== 'terminated');
  return items(
    'instanceCreditSpecificationSet',
    burstable,
    (i) => el('instanceId', i.id) + el('cpuCredits', i.attributes.cpuCredits),
  );
};

/**
 * The serial console as the instance printed it, base64 as EC2 sends it; nothing until the first boot has had time
 * to print (as on EC2, where output appears a little after the instance starts running).
 */
export const getConsoleOutput: Ec2Action = (ctx) => {
  const inst = oneInstance(ctx);
  const output = inst.console === '' ? undefined : Buffer.from(inst.console, 'utf8').toString('base64');
  return el('instanceId', inst.id) + el('timestamp', ctx.clock.now()) + el('output', output);
};
