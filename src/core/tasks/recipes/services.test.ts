import { describe, expect, it } from 'vitest';
import {
  controlCommand,
  enableCommand,
  enabledCommand,
  parseServiceKind,
  statusCommand,
  type Service,
} from './services.js';

describe('service manager commands', () => {
  it('reads which manager knows a service; a daemon Steward can run itself is "direct"', () => {
    expect(parseServiceKind('nginx', 'systemd\n')).toEqual({ name: 'nginx', kind: 'systemd' });
    expect(parseServiceKind('nginx', 'openrc\n')).toEqual({ name: 'nginx', kind: 'openrc' });
    expect(parseServiceKind('nginx', 'sysv service\n')).toEqual({
      name: 'nginx',
      kind: 'sysv',
      viaServiceCommand: true,
    });
    expect(parseServiceKind('nginx', 'sysv\n')).toEqual({ name: 'nginx', kind: 'sysv', viaServiceCommand: false });
    expect(parseServiceKind('nginx', 'none\n')).toEqual({ name: 'nginx', kind: 'direct' });
    expect(parseServiceKind('mariadb', 'none\n')).toEqual({ name: 'mariadb', kind: 'direct' });
    expect(parseServiceKind('redis', 'none\n')).toBeUndefined();
    expect(parseServiceKind('constructor', 'none\n')).toBeUndefined();
  });

  it('restarts, checks and enables through each manager', () => {
    const of = (kind: Service['kind'], viaServiceCommand?: boolean): Service => ({
      name: 'nginx',
      kind,
      viaServiceCommand,
    });
    expect(controlCommand(of('systemd'), 'restart')).toEqual(['systemctl', 'restart', '--', 'nginx']);
    expect(controlCommand(of('openrc'), 'restart')).toEqual(['rc-service', 'nginx', 'restart']);
    expect(controlCommand(of('sysv', true), 'restart')).toEqual(['service', 'nginx', 'restart']);
    expect(controlCommand(of('sysv', false), 'restart')).toEqual(['/etc/init.d/nginx', 'restart']);
    expect(controlCommand(of('direct'), 'restart')).toBeUndefined();
    expect(statusCommand(of('systemd'))).toEqual(['systemctl', 'is-active', '--quiet', '--', 'nginx']);
    expect(statusCommand(of('sysv', true))).toEqual(['service', 'nginx', 'status']);
    // A daemon run directly is looked for by its process name.
    expect(statusCommand(of('direct')).slice(-1)).toEqual(['nginx']);
    expect(enabledCommand(of('systemd'))).toEqual(['systemctl', 'is-enabled', '--quiet', '--', 'nginx']);
    expect(enableCommand(of('openrc'))).toEqual(['rc-update', 'add', 'nginx', 'default']);
    expect(enableCommand(of('sysv', true))?.slice(-1)).toEqual(['nginx']);
    expect(enabledCommand(of('direct'))).toBeUndefined();
    expect(enableCommand(of('direct'))).toBeUndefined();
  });
});
