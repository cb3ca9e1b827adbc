import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A value that must never reach a log, an error message or a response by accident. Every way of turning it
 * into text says `[REDACTED]`; `reveal()` is the one deliberate way out, easy to find in review.
 */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

export const secret = <T>(value: T): Secret<T> => new Secret(value);
