/**
 * The only place in Steward that turns a command into shell text. Every remote command is an argv array;
 * each element is single-quoted, so the remote shell sees it as one word with no expansion of any kind.
 *
 * Two escape hatches exist, both explicit and easy to grep for in review:
 * - `shellFragment('2>&1')` inserts fixed text written in our own source unquoted. Its parameter type only
 *   accepts string literals, so a value computed at run time (user input, a template string) does not compile.
 * - `sensitive(value)` is quoted like any argument but shows as `[REDACTED]` in logs and errors. It is for
 *   values that may sit in the remote process list (a customer's database name) but not in our logs.
 *   Real secrets never go in argv: pass them as `stdin`.
 */
import { AppError } from '../kernel/errors.js';
import { Secret } from '../kernel/secret.js';

/** Linux limits one exec argument to 128 KiB, and the remote login shell receives our command as one. */
export const MAX_COMMAND_BYTES = 128 * 1024 - 1;

const REDACTED = '[REDACTED]';

/** Fixed shell syntax from our own source; see `shellFragment`. */
export class ShellFragment {
  readonly #text: string;

  /** @internal use `shellFragment()` */
  constructor(text: string, token: symbol) {
    if (token !== FRAGMENT_TOKEN) throw new TypeError('Use shellFragment() to create a ShellFragment.');
    this.#text = text;
  }

  get text(): string {
    return this.#text;
  }

  toString(): string {
    return this.#text;
  }
}

/** A value quoted like any other argument but hidden from logs and error messages; see `sensitive`. */
export class SensitiveArg {
  readonly #value: string;

  /** @internal use `sensitive()` */
  constructor(value: string, token: symbol) {
    if (token !== SENSITIVE_TOKEN) throw new TypeError('Use sensitive() to create a SensitiveArg.');
    this.#value = value;
  }

  /** The value, for quoting only. */
  get value(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }
}

const FRAGMENT_TOKEN = Symbol('shellFragment');
const SENSITIVE_TOKEN = Symbol('sensitive');

export type ArgvItem = string | ShellFragment | SensitiveArg;
export type Argv = readonly ArgvItem[];

declare const shellCommandBrand: unique symbol;
/** Shell text produced by `toShellCommand`; the connection layer accepts nothing else. */
export type ShellCommand = string & { readonly [shellCommandBrand]: true };

/**
 * `never` unless T is made only of string literal types. `string` and template types with a `${string}`
 * hole (what a template string with a variable has) produce an index signature, which `{}` satisfies.
 */
type LiteralOnly<T extends string> = Record<never, never> extends Record<T, unknown> ? never : T;

/**
 * Inserts fixed shell syntax (a redirection, `&&`, `|`) unquoted. The parameter only accepts a string
 * literal type: `shellFragment(someVariable)` is a compile error unless the variable is itself a literal.
 * Never use this to smuggle data; data goes in its own argv element.
 */
export function shellFragment<const T extends string>(text: LiteralOnly<T>): ShellFragment {
  if (typeof text !== 'string' || text.length === 0) throw invalidArgument('A shell fragment must be non-empty text.');
  if (text.includes('\0')) throw invalidArgument('A shell fragment cannot contain NUL.');
  return new ShellFragment(text, FRAGMENT_TOKEN);
}

/** Marks an argument to be redacted in logs and errors. It is still visible in the remote `ps` output. */
export function sensitive(value: string): SensitiveArg {
  if (typeof value !== 'string') throw invalidArgument('A sensitive argument must be a string.');
  return new SensitiveArg(value, SENSITIVE_TOKEN);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * POSIX single-quoting: inside '…' every byte is literal except `'` itself, which we close, escape and
 * reopen as `'\''`. NUL cannot be passed to a process at all, and a lone UTF-16 surrogate cannot be sent
 * as UTF-8 without changing it, so both are refused rather than silently altered.
 */
export function quoteArg(value: string): string {
  if (typeof value !== 'string') throw invalidArgument('A command argument must be a string.');
  if (value.includes('\0')) throw invalidArgument('A command argument cannot contain NUL.');
  if (LONE_SURROGATE.test(value)) throw invalidArgument('A command argument must be valid Unicode text.');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Joins argv into the shell text sent to the server. */
export function toShellCommand(argv: Argv): ShellCommand {
  if (!Array.isArray(argv) || argv.length === 0) throw invalidArgument('A command needs at least one argument.');
  const words = argv.map(renderItem);
  const command = words.join(' ');
  if (Buffer.byteLength(command, 'utf8') > MAX_COMMAND_BYTES) {
    throw invalidArgument(`The command is longer than ${MAX_COMMAND_BYTES} bytes; send large data over stdin.`);
  }
  return command as ShellCommand;
}

/** argv as it may appear in logs and errors: sensitive values replaced, fragments shown as written. */
export function redactArgv(argv: Argv): string[] {
  return argv.map((item) => {
    if (item instanceof SensitiveArg) return REDACTED;
    if (item instanceof ShellFragment) return item.text;
    if (typeof item === 'string') return item;
    return REDACTED;
  });
}

function renderItem(item: unknown): string {
  if (typeof item === 'string') return quoteArg(item);
  if (item instanceof ShellFragment) return item.text;
  if (item instanceof SensitiveArg) return quoteArg(item.value);
  if (item instanceof Secret) {
    throw invalidArgument(
      'A secret cannot be a command argument (it would show in the process list); pass it as stdin.',
    );
  }
  throw invalidArgument('A command argument must be a string, sensitive() or shellFragment().');
}

function invalidArgument(message: string): AppError {
  return new AppError('STEWARD_INVALID_REMOTE_ARGUMENT', message);
}
