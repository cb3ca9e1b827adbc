/**
 * Web sites from `nginx -T` (the whole effective configuration, each file introduced by a
 * `# configuration file PATH:` line) and from grep lines of Apache's enabled configuration
 * (`FILE:LINE:directive`). Only names, roots, listen addresses and certificate paths are kept: a full
 * configuration can hold secrets (an Authorization header, a proxy password).
 */
import type { WebSite } from '../facts.js';
import { splitLines, uniqSorted, unquote, words } from './util.js';

interface SiteDraft {
  names: string[];
  roots: string[];
  listen: string[];
  certificates: string[];
  source: string;
}

function finish(server: WebSite['server'], d: SiteDraft): WebSite {
  return {
    server,
    names: uniqSorted(d.names),
    roots: uniqSorted(d.roots),
    listen: uniqSorted(d.listen),
    certificates: uniqSorted(d.certificates),
    source: d.source,
  };
}

/** nginx tokens: words (quotes kept together), `;`, `{` and `}`; comments dropped. */
function nginxTokens(line: string): string[] {
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|#.*$|[^\s{};"'#]+/g;
  for (const m of line.matchAll(re)) {
    const t = m[0];
    if (t.startsWith('#')) break;
    out.push(t);
  }
  return out;
}

export function parseNginxT(content: string | null): WebSite[] {
  const sites: WebSite[] = [];
  let source = 'nginx';
  let stack: string[] = [];
  let site: SiteDraft | null = null;
  let siteDepth = -1;
  let stmt: string[] = [];
  for (const line of splitLines(content)) {
    const header = /^# configuration file (.+):$/.exec(line);
    if (header?.[1]) {
      if (site) sites.push(finish('nginx', site));
      source = header[1];
      stack = [];
      site = null;
      stmt = [];
      continue;
    }
    for (const tok of nginxTokens(line)) {
      if (tok === '{') {
        const name = stmt[0] ?? '';
        // upstream's `server` is a directive, never a block; stream and mail servers are not web sites.
        if (name === 'server' && !site && !stack.includes('stream') && !stack.includes('mail')) {
          site = { names: [], roots: [], listen: [], certificates: [], source };
          siteDepth = stack.length;
        }
        stack.push(name);
        stmt = [];
      } else if (tok === '}') {
        stack.pop();
        if (site && stack.length === siteDepth) {
          sites.push(finish('nginx', site));
          site = null;
        }
        stmt = [];
      } else if (tok === ';') {
        const [name, ...args] = stmt.map(unquote);
        if (site && name) {
          if (name === 'server_name') site.names.push(...args.filter((a) => a !== '_' && a !== '""' && a !== ''));
          else if (name === 'root' && args[0]) site.roots.push(args[0]);
          else if (name === 'listen' && args[0]) site.listen.push(args[0]);
          else if (name === 'ssl_certificate' && args[0]) site.certificates.push(args[0]);
        }
        stmt = [];
      } else stmt.push(tok);
    }
  }
  if (site) sites.push(finish('nginx', site));
  return sites;
}

export function parseApacheGrep(lines: readonly string[]): WebSite[] {
  const sites: WebSite[] = [];
  const mainByFile = new Map<string, SiteDraft>();
  let vhost: SiteDraft | null = null;
  let vhostFile = '';
  for (const line of lines) {
    const m = /^(.+?):(\d+):(.*)$/.exec(line);
    if (!m?.[1] || m[3] === undefined) continue;
    const file = m[1];
    const text = m[3].trim();
    if (vhost && file !== vhostFile) {
      sites.push(finish('apache', vhost));
      vhost = null;
    }
    const open = /^<VirtualHost\s+([^>]*)>/i.exec(text);
    if (open) {
      if (vhost) sites.push(finish('apache', vhost));
      vhost = { names: [], roots: [], listen: words(open[1] ?? ''), certificates: [], source: file };
      vhostFile = file;
      continue;
    }
    if (/^<\/VirtualHost>/i.test(text)) {
      if (vhost) sites.push(finish('apache', vhost));
      vhost = null;
      continue;
    }
    const [keyword = '', ...args] = words(text);
    const values = args.map(unquote);
    const target = vhost ??
      mainByFile.get(file) ?? { names: [], roots: [], listen: [], certificates: [], source: file };
    const k = keyword.toLowerCase();
    if (k === 'servername' || k === 'serveralias') target.names.push(...values);
    else if (k === 'documentroot' && values[0]) target.roots.push(values[0]);
    else if (k === 'listen' && values[0]) target.listen.push(values[0]);
    else if (k === 'sslcertificatefile' && values[0]) target.certificates.push(values[0]);
    else continue;
    if (!vhost) mainByFile.set(file, target);
  }
  if (vhost) sites.push(finish('apache', vhost));
  for (const d of mainByFile.values()) if (d.roots.length > 0 || d.names.length > 0) sites.push(finish('apache', d));
  return sites;
}
