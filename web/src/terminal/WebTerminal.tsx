import { useEffect, useRef, useState } from 'react';
import { csrfToken } from '../api/csrf';
import { Button } from '../components/Button';
import { closedReason, terminalUrl, type ClientMessage, type ServerMessage } from './protocol';
import { openTerminal } from './xterm';

type State =
  { kind: 'connecting' } | { kind: 'live'; sessionId: string } | { kind: 'ended'; message: string; error?: boolean };

interface Props {
  orgId: string;
  serverId: string;
  serverName: string;
  /** Staff work under a grant; customers open terminals on their own servers without one. */
  grantId?: string;
  /** False once nothing new could open (the grant ended): the ended session offers no "Connect again". */
  canReconnect?: boolean;
  onEnded?: () => void;
}

/**
 * A shell on a server in the browser: xterm.js over Steward's terminal WebSocket. Steward logs in with the
 * organisation's key (no key reaches the browser) and records the session; the ids and the CSRF token travel
 * in the first message, never in the address.
 */
export function WebTerminal({ orgId, serverId, serverName, grantId, canReconnect = true, onEnded }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const socket = useRef<WebSocket | null>(null);
  const [state, setState] = useState<State>({ kind: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const ended = useRef(onEnded);
  useEffect(() => {
    ended.current = onEnded;
  });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const opened = openTerminal(element);
    const ws = new WebSocket(terminalUrl());
    socket.current = ws;
    let finished = false;
    // The server takes `open` first and nothing before it: fitting the terminal as the socket opens fires a
    // resize, which must not overtake the `open` it would size (its size travels in `open` itself).
    let started = false;
    const send = (message: ClientMessage) => {
      if (ws.readyState !== WebSocket.OPEN || (!started && message.type !== 'open')) return;
      ws.send(JSON.stringify(message));
      started = true;
    };
    const finish = (message: string, error = false) => {
      if (finished) return;
      finished = true;
      setState({ kind: 'ended', message, error });
      opened.term.options.disableStdin = true;
      ended.current?.();
    };
    setState({ kind: 'connecting' });
    ws.addEventListener('open', () => {
      // Unmounted while connecting: no session may start for a terminal nobody sees.
      if (finished) return;
      const { cols, rows } = opened.fit();
      send({
        type: 'open',
        csrfToken: csrfToken(),
        orgId,
        serverId,
        ...(grantId ? { grantId } : {}),
        cols,
        rows,
        term: 'xterm-256color',
      });
    });
    ws.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'ready') {
        setState({ kind: 'live', sessionId: message.sessionId });
        opened.term.focus();
      } else if (message.type === 'output') opened.term.write(message.data);
      else if (message.type === 'closed') finish(closedReason(message.reason));
      else if (message.type === 'error') finish(message.message, true);
    });
    ws.addEventListener('close', (event) => {
      if (event.code === 4001) finish(closedReason(event.reason || 'grant_revoked'));
      else
        finish(event.code === 1000 ? 'The session ended.' : 'The connection to Steward closed.', event.code !== 1000);
    });
    const input = opened.term.onData((data) => send({ type: 'input', data }));
    const resized = opened.term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
    const observer = new ResizeObserver(() => opened.fit());
    observer.observe(element);
    return () => {
      observer.disconnect();
      input.dispose();
      resized.dispose();
      finished = true;
      if (ws.readyState === WebSocket.OPEN) {
        send({ type: 'close' });
        ws.close(1000);
      } else if (ws.readyState === WebSocket.CONNECTING) ws.addEventListener('open', () => ws.close(1000));
      opened.dispose();
    };
  }, [orgId, serverId, grantId, attempt]);

  const disconnect = () => {
    const ws = socket.current;
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'close' } satisfies ClientMessage));
  };
  return (
    <section className="terminal-panel" aria-label={`Terminal on ${serverName}`}>
      <div className="terminal-bar">
        <p role="status" className={state.kind === 'ended' && state.error ? 'terminal-state error' : 'terminal-state'}>
          {state.kind === 'connecting' && 'Connecting…'}
          {state.kind === 'live' && (
            <>
              Connected to {serverName}. The session is recorded
              <span className="muted mono small"> ({state.sessionId})</span>.
            </>
          )}
          {state.kind === 'ended' && state.message}
        </p>
        {state.kind === 'live' && <Button onClick={disconnect}>Disconnect</Button>}
        {state.kind === 'ended' && canReconnect && (
          <Button onClick={() => setAttempt((n) => n + 1)}>Connect again</Button>
        )}
      </div>
      <div ref={box} className="terminal-box" />
    </section>
  );
}
