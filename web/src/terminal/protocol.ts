/** The web terminal's messages (JSON text frames over `GET /api/terminal`), as the API documents them. */
export type ClientMessage =
  | {
      type: 'open';
      csrfToken?: string;
      orgId: string;
      serverId: string;
      grantId?: string;
      cols: number;
      rows: number;
      term?: string;
    }
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'close' };

export type ServerMessage =
  | { type: 'ready'; sessionId: string; server: { id: string; name: string } }
  | { type: 'output'; data: string }
  | { type: 'closed'; reason: string }
  | { type: 'error'; code: string; message: string };

export const terminalUrl = (): string =>
  `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/terminal`;

/** Why a session ended, for people. */
export function closedReason(reason: string): string {
  switch (reason) {
    case 'exit':
      return 'The shell on the server ended.';
    case 'closed':
      return 'You closed the session.';
    case 'disconnected':
      return 'The connection to Steward was lost.';
    case 'grant_revoked':
      return 'The customer revoked the grant; the session ended.';
    case 'grant_expired':
      return 'The grant’s time ran out; the session ended.';
    case 'recording_failed':
      return 'The session could not be recorded any more, so Steward ended it.';
    default:
      return reason.startsWith('grant_')
        ? `The grant is ${reason.slice('grant_'.length)}; the session ended.`
        : `The session ended (${reason}).`;
  }
}
