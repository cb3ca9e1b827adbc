/** Interface addresses from `ip -o addr show` (iproute2 one-line form) or, without iproute2, `ifconfig -a`. */
import type { IpAddress } from '../facts.js';
import { toInt, words } from './util.js';

function splitCidr(cidr: string): { address: string; prefixLength: number | null } {
  const i = cidr.indexOf('/');
  if (i < 0) return { address: cidr, prefixLength: null };
  return { address: cidr.slice(0, i), prefixLength: toInt(cidr.slice(i + 1)) };
}

/** `2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\       valid_lft ...` */
export function parseIpAddr(lines: readonly string[]): IpAddress[] {
  const out: IpAddress[] = [];
  for (const line of lines) {
    const w = words(line.replace(/\\/g, ' '));
    if (w.length < 4 || !/^\d+:$/.test(w[0] ?? '')) continue;
    const family = w[2];
    if (family !== 'inet' && family !== 'inet6') continue;
    const { address, prefixLength } = splitCidr(w[3] ?? '');
    if (!address) continue;
    const si = w.indexOf('scope');
    out.push({
      interface: (w[1] ?? '').replace(/@.*$/, ''),
      family,
      address,
      prefixLength,
      scope: si >= 0 ? (w[si + 1] ?? null) : null,
    });
  }
  return out;
}

/**
 * Both net-tools forms: `inet 10.0.0.5  netmask 255.255.255.0` / `inet6 fe80::1  prefixlen 64  scopeid 0x20<link>`
 * and the older busybox `inet addr:10.0.0.5  Bcast:... Mask:...` / `inet6 addr: fe80::1/64 Scope:Link`.
 */
export function parseIfconfig(lines: readonly string[]): IpAddress[] {
  const out: IpAddress[] = [];
  let iface = '';
  for (const line of lines) {
    if (/^\S/.test(line)) iface = (words(line)[0] ?? '').replace(/:$/, '');
    const w = words(line);
    if (w[0] === 'inet') {
      const raw = w[1] === undefined ? '' : w[1].replace(/^addr:/, '');
      const ni = w.indexOf('netmask');
      const maskValue = ni >= 0 ? w[ni + 1] : w.find((x) => /^Mask:/i.test(x))?.replace(/^Mask:/i, '');
      let prefix: number | null = null;
      if (maskValue && /^\d+\.\d+\.\d+\.\d+$/.test(maskValue)) {
        prefix = maskValue.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
      }
      if (raw && /^\d+\.\d+\.\d+\.\d+$/.test(raw))
        out.push({ interface: iface, family: 'inet', address: raw, prefixLength: prefix, scope: null });
    } else if (w[0] === 'inet6') {
      const raw = w[1] === 'addr:' ? (w[2] ?? '') : (w[1] ?? '');
      const { address, prefixLength } = splitCidr(raw);
      const pi = w.indexOf('prefixlen');
      const pl = prefixLength ?? (pi >= 0 ? toInt(w[pi + 1]) : null);
      const scopeWord =
        w
          .find((x) => /^Scope:/i.test(x))
          ?.replace(/^Scope:/i, '')
          .toLowerCase() ??
        /<(\w+)>/.exec(line)?.[1] ??
        null;
      if (address.includes(':'))
        out.push({ interface: iface, family: 'inet6', address, prefixLength: pl, scope: scopeWord });
    }
  }
  return out;
}
