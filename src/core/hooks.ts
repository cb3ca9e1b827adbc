/**
 * The points where one core module reacts to another's work without depending on it: the module that does the
 * work runs the hook, the modules that care subscribe in their register function. Core creates the registry
 * first and hands it to every register function that runs or subscribes to a hook, so `grep "hooks.on("` lists
 * every reaction, and nothing is patched in after a module is built. See docs/decisions/0017-wiring.md.
 */
import type { Instruction } from './instruction.js';
import type { Facts, FactChange } from './discovery/collect/index.js';

/** What a hook learns about a server: who owns it and which it is. */
export interface HookServer {
  readonly id: string;
  readonly org_id: string;
}

/** A discovery run's result for one server. */
export interface SnapshotTaken {
  readonly orgId: string;
  readonly serverId: string;
  readonly facts: Facts;
  readonly changes: FactChange[];
}

/** Every hook, with the arguments its handlers get. */
export interface HookEvents {
  /**
   * Before every SSH login (jobs queued earlier included). A handler that throws stops the operation before
   * anything connects; the error reaches the caller. Run by the server gateway; access checks staff grants here.
   */
  readonly beforeLogin: (instruction: Instruction, server: HookServer) => Promise<void>;
  /**
   * A server finished enrolment and is ready for work, under the instruction that added it. A handler that throws
   * fails the enrolment attempt like any other step. Run by servers; discovery discovers the server at once.
   */
  readonly serverReady: (server: HookServer, instruction: Instruction) => Promise<void>;
  /**
   * Discovery stored a snapshot. Run by discovery, which logs a handler's failure and keeps the snapshot;
   * monitoring hands the changes to detection.
   */
  readonly snapshotTaken: (snapshot: SnapshotTaken) => Promise<void>;
}

export type HookName = keyof HookEvents;

export interface Hooks {
  /** Subscribes `handler`; handlers run one after another, in the order they subscribed. */
  on<K extends HookName>(name: K, handler: HookEvents[K]): void;
  /** Runs every handler of `name` in turn; the first one that throws ends the run with its error. */
  run<K extends HookName>(name: K, ...args: Parameters<HookEvents[K]>): Promise<void>;
}

/** The side of the registry a module that does the work needs. */
export type HookRunner = Pick<Hooks, 'run'>;
/** The side of the registry a module that reacts needs. */
export type HookSubscriber = Pick<Hooks, 'on'>;

export function createHooks(): Hooks {
  const handlers: { [K in HookName]: HookEvents[K][] } = { beforeLogin: [], serverReady: [], snapshotTaken: [] };
  return {
    on(name, handler) {
      handlers[name].push(handler);
    },
    async run(name, ...args) {
      for (const handler of handlers[name]) await (handler as (...a: typeof args) => Promise<void>)(...args);
    },
  };
}
