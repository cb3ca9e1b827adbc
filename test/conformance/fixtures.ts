import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * The recorded provider answers (Apache-2.0 data from Libcloud and jclouds) live outside the repository; the
 * folder comes from STEWARD_PROVIDER_FIXTURES. They are read in place, never copied.
 */
export function fixturesRoot(): string {
  const root = process.env['STEWARD_PROVIDER_FIXTURES'];
  if (root === undefined || root === '') {
    throw new Error(
      'Set STEWARD_PROVIDER_FIXTURES to the recorded provider fixtures folder (the one holding MANIFEST.md, ec2/ and elastichosts/), e.g. ../shared/fixtures/providers.',
    );
  }
  if (
    !existsSync(join(root, 'MANIFEST.md')) ||
    !statSync(join(root, 'ec2')).isDirectory() ||
    !statSync(join(root, 'elastichosts')).isDirectory()
  ) {
    throw new Error(
      `STEWARD_PROVIDER_FIXTURES=${root} is not the fixtures folder: it must hold MANIFEST.md, ec2/ and elastichosts/.`,
    );
  }
  return root;
}

/** Every fixture file under `provider/`, as `set/file` paths. */
export function fixtureFiles(root: string, provider: 'ec2' | 'elastichosts'): string[] {
  const base = join(root, provider);
  return readdirSync(base)
    .filter((d) => statSync(join(base, d)).isDirectory())
    .sort()
    .flatMap((set) =>
      readdirSync(join(base, set))
        .sort()
        .map((f) => `${set}/${f}`),
    );
}

export function readFixture(root: string, provider: 'ec2' | 'elastichosts', file: string): string {
  return readFileSync(join(root, provider, file), 'utf8');
}

export interface Canned {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

export interface ReplayServer {
  readonly url: string;
  /** Requests seen: method, path and (for EC2) the form parameters. */
  readonly seen: { method: string; path: string; params: URLSearchParams }[];
  close(): Promise<void>;
}

/** A loopback server answering each request with whatever `answer` picks for it. */
export async function replay(
  answer: (req: { method: string; path: string; params: URLSearchParams }) => Canned | undefined,
): Promise<ReplayServer> {
  const seen: ReplayServer['seen'] = [];
  const read = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
      });
      req.on('end', () => resolve(body));
    });
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://replay');
      const params = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(
        /json|text\/plain/.test(String(req.headers['content-type'])) ? '' : body,
      ))
        params.append(k, v);
      const request = { method: req.method ?? 'GET', path: url.pathname, params };
      seen.push(request);
      const canned = answer(request) ?? { status: 404, body: 'no fixture for this request\n' };
      res.writeHead(canned.status, { 'content-type': canned.contentType ?? 'text/xml;charset=UTF-8' });
      res.end(canned.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen, close: () => new Promise((r) => server.close(() => r())) };
}
