import { describe, expect, it } from 'vitest';
import { Ec2Fault } from './faults.js';
import { filtersOf, Params, paramTree } from './params.js';

describe('EC2 query parameters', () => {
  const p = new Params(
    paramTree(
      new URLSearchParams(
        'Action=DescribeInstances&InstanceId.2=i-b&InstanceId.1=i-a&Filter.1.Name=tag%3AName&Filter.1.Value.1=web*&Filter.1.Value.2=db&MaxResults=10' +
          '&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0&IpPermissions.1.FromPort=22',
      ),
    ),
  );

  it('folds numbered keys into lists in index order', () => {
    expect(p.list('InstanceId')).toEqual(['i-a', 'i-b']);
    expect(filtersOf(p)).toEqual([{ name: 'tag:Name', values: ['web*', 'db'] }]);
    expect(p.structs('IpPermissions')[0]?.structs('IpRanges')[0]?.str('CidrIp')).toBe('0.0.0.0/0');
  });

  it('reads numbers within bounds and reports missing parameters as EC2 does', () => {
    expect(p.int('MaxResults', 5, 1000)).toBe(10);
    expect(() => p.int('MaxResults', 50, 1000)).toThrow(Ec2Fault);
    expect(() => p.required('ImageId')).toThrow('The request must contain the parameter ImageId');
  });
});
