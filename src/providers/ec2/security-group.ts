import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { MalformedResponseError, ProviderError } from '../errors.js';
import type { CallOptions } from '../types.js';
import type { Ec2Transport } from './client.js';

function opensSsh(group: SecurityGroup, cidr: string): boolean {
  return (group.IpPermissions ?? []).some(
    (p) =>
      (p.IpProtocol === '-1' || (p.IpProtocol === 'tcp' && (p.FromPort ?? 0) <= 22 && (p.ToPort ?? 0) >= 22)) &&
      (p.IpRanges ?? []).some((r) => r.CidrIp === cidr),
  );
}

async function findGroup(
  transport: Ec2Transport,
  name: string,
  opts?: CallOptions,
): Promise<SecurityGroup | undefined> {
  const command = new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] });
  const out = await transport.ec2('DescribeSecurityGroups', opts, (c, o) => c.send(command, o));
  return out.SecurityGroups?.[0];
}

const codeOf = (err: unknown): string | undefined => (err instanceof ProviderError ? err.providerCode : undefined);

/**
 * The id of the security group that lets SSH in: found by name or created, and given the TCP 22 rule if it
 * lacks one. Safe to run concurrently (a lost creation race reuses the winner's group).
 */
export async function ensureSshSecurityGroup(transport: Ec2Transport, opts?: CallOptions): Promise<string> {
  const { sshSecurityGroupName: name, sshIngressCidr: cidr } = transport.settings;
  let group = await findGroup(transport, name, opts);
  if (group === undefined) {
    try {
      const command = new CreateSecurityGroupCommand({
        GroupName: name,
        Description: 'Steward: SSH access to managed servers',
      });
      const created = await transport.ec2('CreateSecurityGroup', opts, (c, o) => c.send(command, o));
      group = { GroupId: created.GroupId, GroupName: name, IpPermissions: [] };
    } catch (err) {
      if (codeOf(err) !== 'InvalidGroup.Duplicate') throw err;
      group = await findGroup(transport, name, opts);
    }
  }
  const groupId = group?.GroupId;
  if (group === undefined || groupId === undefined) {
    throw new MalformedResponseError(
      `The security group "${name}" has no id.`,
      { provider: 'ec2', operation: 'CreateSecurityGroup' },
      '',
    );
  }
  if (!opensSsh(group, cidr)) {
    try {
      const command = new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: cidr, Description: 'SSH for Steward' }] },
        ],
      });
      await transport.ec2('AuthorizeSecurityGroupIngress', opts, (c, o) => c.send(command, o));
    } catch (err) {
      if (codeOf(err) !== 'InvalidPermission.Duplicate') throw err;
    }
  }
  return groupId;
}
