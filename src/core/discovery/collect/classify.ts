/**
 * Which settings hold credentials, and of what kind. A name-based guess errs towards "secret": sealing a
 * harmless value costs little, storing a real password in the facts would break the product's promise.
 */
import type { SecretKind } from './facts.js';

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** `scheme://user:password@host…` */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i;
const NOT_SECRET_NAME =
  /(PUBLIC|PUBLISHABLE|_FILE$|_PATH$|_DIR$|_ENABLED$|_ID$|_USER(NAME)?$|_HOST$|_PORT$|_NAME$|_TTL$|_LENGTH$|_ALGO(RITHM)?$)/i;
const PASSWORD_NAME = /(PASS(WORD|WD)?|PWD)($|_)|PASSWORD|^PASS$/i;
const API_KEY_NAME = /(API_?KEY|ACCESS_?KEY|APP_?KEY|LICEN[CS]E_?KEY|SECRET_?KEY|_KEY$|^KEY$)/i;
const TOKEN_NAME = /(TOKEN|SECRET|SALT|NONCE|CREDENTIAL|PRIVATE|SIGNING|ENCRYPT|HMAC|WEBHOOK|AUTH_KEY|COOKIE)/i;
const CONNECTION_NAME = /(_URL|_URI|_DSN|^DSN|CONNECTION(_STRING)?)$/i;

/**
 * Placeholders shipped in sample files and references to other settings: not credentials anyone set. A weak
 * but real password such as `changeme` is a credential and is kept.
 */
const PLACEHOLDER = /^(password_here|username_here|database_name_here|put your unique phrase here|null|\$\{[^}]*\})$/i;

/**
 * The kind of credential a setting holds, or null when it is not one. `name` is the setting's name
 * (`DB_PASSWORD`, `password`, `requirepass`); the value decides for keys and connection strings.
 */
export function secretKind(name: string, value: string): SecretKind | null {
  const v = value.trim();
  if (v.length === 0 || PLACEHOLDER.test(v)) return null;
  if (PRIVATE_KEY.test(v)) return 'private_key';
  if (URL_WITH_PASSWORD.test(v)) return 'connection_string';
  if (CONNECTION_NAME.test(name) && /password=|pwd=/i.test(v)) return 'connection_string';
  if (/(^|_)PASS(WORD|WD)?_?(FILE|PATH)$/i.test(name)) return null;
  if (PASSWORD_NAME.test(name)) return 'password';
  if (NOT_SECRET_NAME.test(name)) return null;
  if (API_KEY_NAME.test(name)) return 'api_key';
  if (TOKEN_NAME.test(name)) return 'token';
  return null;
}
