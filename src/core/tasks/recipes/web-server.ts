import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import { defineRecipe, type TaskContext } from '../recipe.js';
import { inspect, sh, succeeds } from './exec.js';
import { writeFile } from './files.js';
import { allowPortsStep, ufwActive } from './firewall.js';
import { packageStep } from './packages.js';
import { noParams, type NoParams } from './params.js';
import { findService, reloadService, serviceEnabledStep, serviceRunningStep } from './services.js';

/** The HTTP status a local request to port 80 gets ("000" when nothing answers), with whatever client exists. */
const LOCAL_REQUEST_SCRIPT = `
if command -v curl >/dev/null 2>&1; then
  curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1/ || true
elif command -v wget >/dev/null 2>&1; then
  wget -S -q -O /dev/null -T 5 http://127.0.0.1/ 2>&1 | awk '/^ *HTTP\\// { print $2; exit }'
else
  printf 'GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' | nc -w 5 127.0.0.1 80 2>/dev/null | awk 'NR == 1 { print $2 }'
fi
`;

/** Where the server's nginx.conf includes extra server blocks from (Alpine uses http.d). */
const SITE_DIR_SCRIPT =
  'for d in /etc/nginx/conf.d /etc/nginx/http.d; do [ -d "$d" ] && { echo "$d"; exit 0; }; done; exit 1';

const SITE_ROOT = '/var/www/steward-default';

export const defaultSiteConfig = (): string =>
  [
    '# Managed by Steward: answers on port 80 when no other site does.',
    'server {',
    '    listen 80 default_server;',
    '    server_name _;',
    `    root ${SITE_ROOT};`,
    '    index index.html;',
    '}',
    '',
  ].join('\n');

const DEFAULT_PAGE =
  '<!doctype html>\n<title>It works</title>\n<p>This server is looked after by Steward. No site is published here yet.</p>\n';

async function localStatus(ctx: TaskContext): Promise<number> {
  const result = await inspect(ctx, sh(LOCAL_REQUEST_SCRIPT));
  const status = Number(result.stdout.trim());
  return Number.isInteger(status) ? status : 0;
}

const defaultSiteStep: Step<TaskContext> = {
  id: 'web-default-site',
  description: 'a site answers HTTP requests on port 80',
  // Any HTTP answer counts: a customer's own site may well answer 403 or 404 at "/".
  check: async (ctx) => (await localStatus(ctx)) >= 100,
  async apply(ctx) {
    const dir = (await inspect(ctx, sh(SITE_DIR_SCRIPT), { acceptExitCodes: [0, 1] })).stdout.trim();
    if (!dir)
      throw new AppError(
        'STEWARD_RECIPE_UNSUPPORTED_HOST',
        'nginx has no conf.d or http.d folder to add a default site to.',
      );
    const path = `${dir}/steward-default.conf`;
    await writeFile(ctx, {
      path: `${SITE_ROOT}/index.html`,
      content: DEFAULT_PAGE,
      mode: 0o644,
      what: 'the default page',
    });
    await writeFile(ctx, { path, content: defaultSiteConfig(), mode: 0o644, what: 'nginx default site' });
    // nginx checks its whole configuration; a clash with a site of the customer's takes ours out again.
    const tested = await inspect(ctx, ['nginx', '-t'], { acceptExitCodes: [0, 1] });
    if (tested.exitCode !== 0) {
      await inspect(ctx, ['rm', '-f', '--', path]);
      throw new AppError(
        'STEWARD_RECIPE_CONFIG_REJECTED',
        `nginx -t rejected the default site, which was removed again:\n${tested.stderr.trim()}`,
      );
    }
    await reloadService(ctx, await findService(ctx, 'nginx'));
    ctx.log(`nginx: default site added (${path}, serving ${SITE_ROOT})`);
    // nginx answers a moment after its reload.
    const until = Date.now() + 10_000;
    while ((await localStatus(ctx)) < 100 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 200));
  },
};

/** Opens port 80 where ufw is on; a server without an active ufw needs nothing here. */
const httpAllowed = allowPortsStep('firewall-allows-http', 'HTTP', async () => [80]);
const firewallStep: Step<TaskContext> = {
  ...httpAllowed,
  async check(ctx) {
    if (!(await succeeds(ctx, sh('command -v ufw >/dev/null 2>&1'))) || !(await ufwActive(ctx))) return true;
    return httpAllowed.check(ctx);
  },
};

/**
 * A web server: nginx installed, started at boot and running, a site answering on port 80 (Steward adds a
 * plain default site only where nothing answers), and port 80 open where ufw is on.
 */
export default defineRecipe<NoParams>({
  id: 'web-server',
  title: 'Web server',
  description: 'nginx installed, running and answering on port 80.',
  kind: 'state',
  params: noParams,
  steps: () => [
    packageStep('web-installed', 'nginx', { apt: ['nginx'], dnf: ['nginx'], apk: ['nginx'] }),
    serviceEnabledStep('web-at-boot', 'nginx'),
    serviceRunningStep('web-running', 'nginx'),
    defaultSiteStep,
    firewallStep,
  ],
});
