import { pino, destination, stdTimeFunctions, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Field names whose values are always censored, wherever they appear in a log object. Values that are
 * secrets should travel as `Secret` (which prints as [REDACTED]); this list is the second line of defence.
 */
const REDACT_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'secretKey',
  'secretAccessKey',
  'accessKeyId',
  'token',
  'apiToken',
  'authorization',
  'cookie',
  'set-cookie',
  'privateKey',
  'private_key',
  'passphrase',
  'totp',
  'totpCode',
  'plaintext',
  'rootKey',
  'email',
  'phone',
  'x-csrf-token',
];

const REDACT_PATHS = REDACT_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = key.startsWith('[') ? key : `.${key}`;
  return [key, `*${dot}`, `*.*${dot}`, `req.headers${dot}`];
});

export interface LoggerOptions {
  level: LevelWithSilent;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? destination({ dest: 1, sync: false }),
  );
}
