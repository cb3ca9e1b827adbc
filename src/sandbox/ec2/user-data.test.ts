import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { keysFromUserData } from './user-data.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL4LGyn5+I8MCxjFxvNJPbE/PZqLbeLDtjppbArbDctG';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('keys from user data', () => {
  it('finds keys in cloud-config, shell scripts and gzip', () => {
    expect(keysFromUserData(b64(`#cloud-config\nssh_authorized_keys:\n  - "${KEY} me@laptop"\n`))).toEqual([KEY]);
    expect(keysFromUserData(b64(`#!/bin/sh\necho '${KEY}' >> /root/.ssh/authorized_keys\n`))).toEqual([KEY]);
    expect(keysFromUserData(b64(gzipSync(`#cloud-config\nusers:\n  - ssh_authorized_keys: [${KEY}]\n`)))).toEqual([
      KEY,
    ]);
  });

  it('finds nothing in nothing', () => {
    expect(keysFromUserData(undefined)).toEqual([]);
    expect(keysFromUserData(b64('#!/bin/sh\necho hi'))).toEqual([]);
  });
});
