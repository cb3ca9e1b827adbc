import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';

describe('the test browser', () => {
  const server = createServer((request, response) => {
    if (request.url!.startsWith('/page')) {
      const scripts = Array.from({ length: 20 }, (_, i) => `<script src="/s${i}.js?${request.url}"></script>`);
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><html><body>${scripts.join('')}</body></html>`);
      return;
    }
    response.setHeader('content-type', 'text/javascript');
    setTimeout(() => response.end('globalThis.ran = (globalThis.ran ?? 0) + 1;'), 20);
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('loads every script while addresses come and go on this machine, as the test hosts make them', async () => {
    // An address added and removed every 50 ms; outside its own namespace Chromium failed about a third of these
    // requests with net::ERR_NETWORK_CHANGED.
    const churn = spawn(
      'sh',
      [
        '-c',
        'i=0; while :; do i=$(((i + 1) % 20)); ip link add stwchurn$i type veth peer name stwchurp$i; ' +
          'ip addr add 10.253.$i.1/30 dev stwchurn$i; ip link set stwchurn$i up; sleep 0.05; ip link del stwchurn$i; done',
      ],
      { stdio: 'ignore', detached: true },
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(`${new URL(r.url()).pathname}: ${r.failure()?.errorText}`));
      let ran = 0;
      for (let i = 0; i < 20; i++) {
        await page.goto(`${base}/page${i}`);
        ran += await page.evaluate(() => (globalThis as unknown as { ran?: number }).ran ?? 0);
      }
      expect(failed).toEqual([]);
      expect(ran).toBe(400);
      // Chromium counts itself online (pages that check navigator.onLine behave as on a real machine).
      expect(
        await page.evaluate(() => (globalThis as unknown as { navigator: { onLine: boolean } }).navigator.onLine),
      ).toBe(true);
      // Only this machine's loopback is reachable.
      await expect(page.goto('http://192.0.2.55:8080/')).rejects.toThrow(/ERR_SOCKS|ERR_PROXY|ERR_TUNNEL/);
    } finally {
      process.kill(-churn.pid!, 'SIGKILL');
      await browser.close();
      spawn('sh', ['-c', 'for i in $(seq 0 19); do ip link del stwchurn$i 2>/dev/null; done; true'], {
        stdio: 'ignore',
      });
    }
  });
});
