import { describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { Ec2Driver } from '../src/providers/ec2/index.js';
import { ElasticHostsDriver } from '../src/providers/elastichosts/index.js';
import { InsecureEndpointError, RequestRejectedError } from '../src/providers/errors.js';
import { getDriver, isProviderName } from '../src/providers/registry.js';

describe('driver registry', () => {
  it('builds the concrete driver for each provider without sending anything', async () => {
    const ec2 = await getDriver('ec2', {
      region: 'eu-west-1',
      credentials: { kind: 'access-key', accessKeyId: 'AKIA', secretAccessKey: secret('s') },
    });
    expect(ec2).toBeInstanceOf(Ec2Driver);
    expect(ec2.region).toBe('eu-west-1');
    const eh = await getDriver('elastichosts', { zone: 'lon-p', credentials: { user: 'u', secretKey: secret('k') } });
    expect(eh).toBeInstanceOf(ElasticHostsDriver);
    expect(await eh.listLocations()).toEqual([
      {
        id: 'lon-p',
        name: 'London (Peer 1)',
        country: 'GB',
        extra: { baseUrl: 'https://api-lon-p.elastichosts.com/' },
      },
    ]);
  });

  it('keeps a base URL path prefix', async () => {
    const eh = await getDriver('elastichosts', {
      baseUrl: 'https://us-east.crosspeer.com/api',
      credentials: { user: 'u', secretKey: secret('k') },
    });
    expect((await eh.listLocations())[0]?.extra['baseUrl']).toBe('https://us-east.crosspeer.com/api/');
  });

  it('refuses bad configuration before any request', async () => {
    await expect(
      getDriver('ec2', {
        region: 'eu-west-1',
        endpoint: 'http://ec2.example.com',
        credentials: { kind: 'access-key', accessKeyId: 'AKIA', secretAccessKey: secret('s') },
      }),
    ).rejects.toBeInstanceOf(InsecureEndpointError);
    await expect(
      getDriver('ec2', {
        region: 'not a region',
        credentials: { kind: 'access-key', accessKeyId: 'AKIA', secretAccessKey: secret('s') },
      }),
    ).rejects.toBeInstanceOf(RequestRejectedError);
    await expect(
      getDriver('elastichosts', { zone: 'atlantis', credentials: { user: 'u', secretKey: secret('k') } }),
    ).rejects.toBeInstanceOf(RequestRejectedError);
    await expect(
      getDriver('elastichosts', {
        baseUrl: 'http://api.example.com/',
        credentials: { user: 'u', secretKey: secret('k') },
      }),
    ).rejects.toBeInstanceOf(InsecureEndpointError);
  });

  it('knows its providers', () => {
    expect(isProviderName('ec2')).toBe(true);
    expect(isProviderName('gce')).toBe(false);
  });
});
