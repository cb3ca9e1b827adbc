import { describe, expect, it } from 'vitest';
import { renderSshdConfig } from './sshd-config.js';

const base = {
  port: 22,
  hostKeyFiles: ['/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key'],
  pidFile: '/run/sshd.pid',
  passwordLogin: false,
  rootPassword: false,
};

describe('renderSshdConfig', () => {
  it('writes the defaults, one line per value', () => {
    const text = renderSshdConfig(base);
    expect(text).toContain('Port 22\n');
    expect(text).toContain('HostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_rsa_key\n');
    expect(text).toContain('PasswordAuthentication no\n');
    expect(text).toContain('PermitRootLogin prohibit-password\n');
  });

  it('opens password login when an account has a password, and root login when root has one', () => {
    const text = renderSshdConfig({ ...base, passwordLogin: true, rootPassword: true });
    expect(text).toContain('PasswordAuthentication yes\n');
    expect(text).toContain('PermitRootLogin yes\n');
  });

  it("lets the caller's settings win, case-insensitively, and remove a default with ''", () => {
    const text = renderSshdConfig({
      ...base,
      overrides: { passwordauthentication: 'yes', MaxStartups: '', Banner: '/etc/issue.net' },
    });
    expect(text).toContain('passwordauthentication yes\n');
    expect(text).not.toMatch(/^PasswordAuthentication/m);
    expect(text).not.toContain('MaxStartups');
    expect(text).toContain('Banner /etc/issue.net\n');
  });

  it('puts the Include last, so included files only add', () => {
    const text = renderSshdConfig({ ...base, include: '/etc/ssh/sshd_config.d/*.conf' });
    expect(text.trimEnd().split('\n').pop()).toBe('Include /etc/ssh/sshd_config.d/*.conf');
  });

  it('refuses values that would smuggle in other settings', () => {
    expect(() => renderSshdConfig({ ...base, overrides: { Banner: 'x\nPermitRootLogin yes' } })).toThrow(/line break/);
    expect(() => renderSshdConfig({ ...base, overrides: { 'Port 22\nX': 'y' } })).toThrow(/keyword/);
    expect(() => renderSshdConfig({ ...base, overrides: { Match: 'User bob' } })).toThrow(/Match/);
  });
});
