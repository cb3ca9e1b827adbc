import {
  describeInstanceAttribute,
  describeInstanceCreditSpecifications,
  getConsoleOutput,
  modifyInstanceAttribute,
} from './attributes.js';
import { describeAvailabilityZones, describeImages, describeInstanceTypes, describeRegions } from './catalog.js';
import type { Ec2Action } from './context.js';
import { describeInstances, runInstances } from './instances.js';
import { deleteKeyPair, describeKeyPairs, importKeyPair } from './keys.js';
import { rebootInstances, startInstances, stopInstances, terminateInstances } from './lifecycle.js';
import {
  authorizeSecurityGroupIngress,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroups,
} from './security-groups.js';
import { describeAccountAttributes, describeSubnets, describeVpcs } from './network.js';
import { createTags, deleteTags, describeTags } from './tags.js';
import { describeVolumes } from './volumes.js';

/** Every EC2 action the sandbox answers. */
export const EC2_ACTIONS: Readonly<Record<string, Ec2Action>> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeImages: describeImages,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstances: describeInstances,
  RunInstances: runInstances,
  StartInstances: startInstances,
  StopInstances: stopInstances,
  RebootInstances: rebootInstances,
  TerminateInstances: terminateInstances,
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPair: deleteKeyPair,
  CreateSecurityGroup: createSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeAccountAttributes: describeAccountAttributes,
  DescribeVolumes: describeVolumes,
  DescribeInstanceAttribute: describeInstanceAttribute,
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceCreditSpecifications: describeInstanceCreditSpecifications,
  GetConsoleOutput: getConsoleOutput,
};

/** Actions that change something, and so honour `DryRun`. */
export const MUTATING = new Set([
  'RunInstances',
  'StartInstances',
  'StopInstances',
  'RebootInstances',
  'TerminateInstances',
  'ImportKeyPair',
  'DeleteKeyPair',
  'CreateSecurityGroup',
  'AuthorizeSecurityGroupIngress',
  'DeleteSecurityGroup',
  'CreateTags',
  'DeleteTags',
  'ModifyInstanceAttribute',
]);
