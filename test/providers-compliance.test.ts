import { describeComputeDriverCompliance } from '../testkit/providers/compliance.js';
import { ec2Harness, elasticHarness } from '../testkit/providers/harness.js';

describeComputeDriverCompliance('ec2 (access keys)', () => ec2Harness('access-key'));
describeComputeDriverCompliance('ec2 (assumed role)', () => ec2Harness('assume-role'));
describeComputeDriverCompliance('elastichosts 2.0, text/plain', () => elasticHarness('2.0', 'text'));
describeComputeDriverCompliance('elastichosts 1.0, JSON', () => elasticHarness('1.0', 'json'));
describeComputeDriverCompliance('cloudsigma 1.0, text/plain', () => elasticHarness('cloudsigma-1.0', 'text'));
