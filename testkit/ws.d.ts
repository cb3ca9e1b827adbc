/** The small part of the `ws` package (a dependency of @fastify/websocket) the test kit uses; it ships no types. */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  export default class WebSocket extends EventEmitter {
    constructor(url: string, options?: { headers?: Record<string, string>; origin?: string });
    static readonly OPEN: number;
    readonly readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
  }
}
