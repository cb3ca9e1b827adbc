/**
 * Queries on a hot path, built and compiled once. The query builder costs tens of microseconds per statement
 * (parsing references, building and visiting the operation tree): small beside the database's own work, except
 * for statements a sampler runs for every server every few seconds. A prepared query is built once per SQL
 * dialect with a marker in place of each argument, and each later call only binds the values.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { Executor } from './database.js';

const MARK = '\u0000steward-argument-';

type Slot = number | { readonly value: unknown };

interface Plan {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

/**
 * `build` must use each argument only as a value the query binds (in a comparison, a set or a values list), never
 * to decide the query's shape: it runs once, with markers. A builder that does otherwise is refused at its first
 * call.
 */
export function prepareQuery<A extends string[], R>(
  build: (db: Executor, ...args: A) => Compilable<R>,
): (db: Executor, ...args: A) => Promise<R[]> {
  const plans = new WeakMap<object, Plan>();
  const plan = (db: Executor, arity: number): Plan => {
    const adapter = db.getExecutor().adapter;
    const known = plans.get(adapter);
    if (known) return known;
    const marks = Array.from({ length: arity }, (_, i) => `${MARK}${i}`) as A;
    const compiled = build(db, ...marks).compile();
    const slots = compiled.parameters.map((p): Slot =>
      typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : { value: p },
    );
    const missing = marks.findIndex((_, i) => !slots.includes(i));
    if (missing >= 0 || compiled.sql.includes(MARK))
      throw new Error(`prepared query: argument ${missing} is not bound as a value in ${compiled.sql}`);
    const made = { sql: compiled.sql, slots };
    plans.set(adapter, made);
    return made;
  };
  return async (db, ...args) => {
    const { sql, slots } = plan(db, args.length);
    const parameters = slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return (await db.executeQuery<R>(CompiledQuery.raw(sql, parameters))).rows;
  };
}
