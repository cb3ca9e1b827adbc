/**
 * A WebSocket client for Steward's web terminal, as the console's terminal page uses it: cookie and Origin on
 * the upgrade (or an API token header), CSRF token and ids in the first message. Collects the output so tests
 * can wait for text to appear.
 */
import WebSocket from 'ws';

export interface TerminalAuth {
  readonly cookie?: string;
  readonly csrf?: string;
  readonly token?: string;
  /** Default: the Steward's own origin (what a browser on its pages sends). */
  readonly origin?: string | null;
}

export interface TerminalOpen {
  readonly orgId: string;
  readonly serverId: string;
  readonly grantId?: string;
  readonly cols?: number;
  readonly rows?: number;
}

export interface TerminalClient {
  readonly sessionId: string;
  /** Everything the server printed so far. */
  output(): string;
  waitFor(pattern: string | RegExp, ms?: number): Promise<void>;
  type(text: string): void;
  resize(cols: number, rows: number): void;
  /** Resolves when the server closes the socket: the close code, its reason, and the `closed` message's reason. */
  readonly ended: Promise<{ code: number; reason: string; closedReason: string | null; at: number }>;
  close(): void;
}

export class TerminalRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly closeCode: number | null,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Opens a terminal; resolves once Steward says `ready`, rejects with `TerminalRefused` otherwise. */
export function openTerminal(
  baseUrl: string,
  auth: TerminalAuth,
  open: TerminalOpen,
  timeoutMs = 20_000,
): Promise<TerminalClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/terminal`;
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  const origin = auth.origin === undefined ? baseUrl : auth.origin;
  const ws = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
  let out = '';
  let closedReason: string | null = null;
  let sessionId = '';
  const waiters: (() => void)[] = [];
  const ended = new Promise<{ code: number; reason: string; closedReason: string | null; at: number }>((resolve) => {
    ws.on('close', (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString(), closedReason, at: Date.now() }),
    );
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('terminal did not become ready')), timeoutMs);
    ws.on('unexpected-response', (_req: unknown, res: { statusCode: number }) => {
      clearTimeout(timer);
      reject(new TerminalRefused(`HTTP_${res.statusCode}`, 'the upgrade was refused', null));
    });
    ws.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          type: 'open',
          csrfToken: auth.csrf,
          orgId: open.orgId,
          serverId: open.serverId,
          ...(open.grantId ? { grantId: open.grantId } : {}),
          cols: open.cols ?? 100,
          rows: open.rows ?? 30,
        }),
      );
    });
    ws.on('message', (raw: Buffer) => {
      const msg = JSON.parse(raw.toString()) as {
        type: string;
        data?: string;
        sessionId?: string;
        reason?: string;
        code?: string;
        message?: string;
      };
      if (msg.type === 'output') {
        out += msg.data ?? '';
        for (const w of waiters.splice(0)) w();
      } else if (msg.type === 'closed') {
        closedReason = msg.reason ?? null;
      } else if (msg.type === 'error') {
        clearTimeout(timer);
        reject(new TerminalRefused(msg.code ?? 'unknown', msg.message ?? '', null));
      } else if (msg.type === 'ready') {
        clearTimeout(timer);
        sessionId = msg.sessionId ?? '';
        resolve(client);
      }
    });
    const client: TerminalClient = {
      get sessionId() {
        return sessionId;
      },
      output: () => out,
      async waitFor(pattern, ms = 15_000) {
        const end = Date.now() + ms;
        const hit = () => (typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out));
        while (!hit()) {
          if (Date.now() > end)
            throw new Error(`terminal output never showed ${String(pattern)}; got: ${JSON.stringify(out.slice(-500))}`);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 200);
          });
        }
      },
      type: (text) => ws.send(JSON.stringify({ type: 'input', data: text })),
      resize: (cols, rows) => ws.send(JSON.stringify({ type: 'resize', cols, rows })),
      ended,
      close: () => ws.close(1000, 'done'),
    };
  });
}
