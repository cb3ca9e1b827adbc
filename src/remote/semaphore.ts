/** A counting semaphore with a FIFO queue and a time limit per wait: the global cap on concurrent work. */
export interface Permit {
  release(): void;
}

export class Semaphore {
  #active = 0;
  #peak = 0;
  readonly #queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('A semaphore limit must be a positive integer.');
  }

  get active(): number {
    return this.#active;
  }

  get peak(): number {
    return this.#peak;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  resetPeak(): void {
    this.#peak = this.#active;
  }

  acquire(timeoutMs: number, timeoutError: () => Error): Promise<Permit> {
    if (this.#active < this.limit && this.#queue.length === 0) return Promise.resolve(this.#grant());
    return new Promise((resolve, reject) => {
      const entry = (): void => {
        clearTimeout(timer);
        resolve(this.#grant());
      };
      const timer = setTimeout(() => {
        const index = this.#queue.indexOf(entry);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(timeoutError());
      }, timeoutMs);
      this.#queue.push(entry);
    });
  }

  #grant(): Permit {
    this.#active += 1;
    this.#peak = Math.max(this.#peak, this.#active);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#active -= 1;
        this.#queue.shift()?.();
      },
    };
  }
}
