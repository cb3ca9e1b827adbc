import { RunInstancesCommand, type RunInstancesCommandOutput, type Tag, type _InstanceType } from '@aws-sdk/client-ec2';
import { MalformedResponseError, ProviderError, RequestRejectedError } from '../errors.js';
import { parsePublicKey } from '../ssh-key.js';
import type { CallOptions, CreateNodeInput, Node } from '../types.js';
import type { Ec2Transport } from './client.js';
import { derivedKeyPairName, importKeyPair } from './key-pairs.js';
import { nodeFromInstance } from './mapper.js';
import { ensureSshSecurityGroup } from './security-group.js';

/** Tag that carries the launch token, so a node can be traced back to the request that created it. */
export const IDEMPOTENCY_TAG = 'steward:launch-token';

const TOKEN = /^[\x21-\x7e]{1,64}$/;

/**
 * RunInstances with what makes the node reachable: the key pair (imported under a name derived from the key
 * unless the caller names one) and the SSH security group. Every step is idempotent, so a repeat with the same
 * token sends identical parameters and EC2's ClientToken returns the first launch.
 */
export async function launchInstance(t: Ec2Transport, input: CreateNodeInput, opts?: CallOptions): Promise<Node> {
  if (!TOKEN.test(input.idempotencyToken)) {
    throw new RequestRejectedError('The idempotency token must be 1–64 printable ASCII characters.', {
      provider: 'ec2',
      operation: 'RunInstances',
    });
  }
  const key = parsePublicKey(input.sshPublicKey, 'ec2');
  const keyName = input.keyPairName ?? (await importKeyPair(t, derivedKeyPairName(key), input.sshPublicKey, opts)).name;
  const groupId = await ensureSshSecurityGroup(t, opts);
  const tags: Tag[] = [
    { Key: 'Name', Value: input.name },
    ...Object.entries(input.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    { Key: IDEMPOTENCY_TAG, Value: input.idempotencyToken },
  ];
  const command = new RunInstancesCommand({
    ImageId: input.imageId,
    InstanceType: input.sizeId as _InstanceType,
    MinCount: 1,
    MaxCount: 1,
    KeyName: keyName,
    SecurityGroupIds: [groupId],
    ClientToken: input.idempotencyToken,
    Placement: input.locationId === undefined ? undefined : { AvailabilityZone: input.locationId },
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    UserData: input.userData === undefined ? undefined : Buffer.from(input.userData, 'utf8').toString('base64'),
  });
  let out: RunInstancesCommandOutput;
  try {
    out = await t.ec2('RunInstances', opts, (c, o) => c.send(command, o));
  } catch (err) {
    if (err instanceof ProviderError && err.providerCode === 'IdempotentParameterMismatch') {
      throw new RequestRejectedError(
        'This idempotency token was already used to launch with different parameters; use a new token for a new launch.',
        { provider: 'ec2', operation: 'RunInstances', providerCode: err.providerCode, requestId: err.requestId },
      );
    }
    throw err;
  }
  const instance = out.Instances?.[0];
  if (instance === undefined) {
    throw new MalformedResponseError(
      'RunInstances answered without an instance.',
      { provider: 'ec2', operation: 'RunInstances' },
      '',
    );
  }
  return nodeFromInstance(instance, out);
}
