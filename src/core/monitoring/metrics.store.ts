/**
 * Metric storage (Kysely, both engines). Each point goes to `metric_raw` and, in the same statement batch, into
 * its minute in `metric_minute` (sum, count, min, max), so roll-ups are always exactly the raw data they cover
 * and no background job can fall behind. Series names map to integer ids, cached per process.
 */
import { CompiledQuery } from 'kysely';
import type { Engine, Executor } from '../../db/database.js';

export interface PointRow {
  readonly seriesId: number;
  /** Epoch seconds. */
  readonly ts: number;
  readonly value: number;
}

export interface BucketRow {
  readonly series_id: number;
  readonly bucket: number;
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

const BATCH = 400;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Per (series, minute): one row, because PostgreSQL refuses to update the same row twice in one statement. */
function minuteRows(points: readonly PointRow[]) {
  const byKey = new Map<
    string,
    { series_id: number; ts: number; sum: number; count: number; min: number; max: number }
  >();
  for (const p of points) {
    const ts = p.ts - (p.ts % 60);
    const key = `${p.seriesId}:${ts}`;
    const row = byKey.get(key);
    if (!row) byKey.set(key, { series_id: p.seriesId, ts, sum: p.value, count: 1, min: p.value, max: p.value });
    else {
      row.sum += p.value;
      row.count += 1;
      row.min = Math.min(row.min, p.value);
      row.max = Math.max(row.max, p.value);
    }
  }
  return [...byKey.values()];
}

/** The two statements that store points, around their list of rows (`values …`). */
const STATEMENTS = {
  raw: {
    width: 3,
    head: 'insert into metric_raw (series_id, ts, value) values ',
    tail: ' on conflict (series_id, ts) do nothing returning series_id, ts, value',
  },
  minute: {
    width: 6,
    head: 'insert into metric_minute (series_id, ts, sum, count, min, max) values ',
    tail: ` on conflict (series_id, ts) do update set
      sum = metric_minute.sum + excluded.sum,
      count = metric_minute.count + excluded.count,
      min = case when excluded.min < metric_minute.min then excluded.min else metric_minute.min end,
      max = case when excluded.max > metric_minute.max then excluded.max else metric_minute.max end`,
  },
} as const;

/** The metric store of one database (its engine decides how statements mark their parameters). */
export function createMetricsStore(options: { readonly engine: Engine }) {
  /** Series ids by server, then by name: a lookup builds no key (a sample looks up about 40 names). */
  const ids = new Map<string, Map<string, number>>();
  const texts = new Map<string, string>();
  /** The statement for `rows` rows, built once per size: `?` for SQLite, `$1, $2, …` for PostgreSQL. */
  const statement = (kind: keyof typeof STATEMENTS, rows: number): string => {
    const key = `${kind}:${rows}`;
    let text = texts.get(key);
    if (text === undefined) {
      const { width, head, tail } = STATEMENTS[kind];
      let n = 0;
      const mark = () => (options.engine === 'postgres' ? `$${++n}` : '?');
      const tuples = Array.from({ length: rows }, () => `(${Array.from({ length: width }, mark).join(', ')})`);
      text = head + tuples.join(', ') + tail;
      texts.set(key, text);
    }
    return text;
  };

  return {
    /** Ids of a server's series by name, creating the missing ones. */
    async seriesIds(
      db: Executor,
      orgId: string,
      serverId: string,
      names: readonly string[],
      now: string,
    ): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      let known = ids.get(serverId);
      const missing = names.filter((n) => {
        const id = known?.get(n);
        if (id !== undefined) out.set(n, id);
        return id === undefined;
      });
      if (missing.length === 0) return out;
      for (const part of chunks(missing, BATCH)) {
        await db
          .insertInto('metric_series')
          .values(part.map((name) => ({ org_id: orgId, server_id: serverId, name, created_at: now })))
          .onConflict((oc) => oc.columns(['server_id', 'name']).doNothing())
          .execute();
        const rows = await db
          .selectFrom('metric_series')
          .select(['id', 'name'])
          .where('server_id', '=', serverId)
          .where('name', 'in', part)
          .execute();
        if (!known) ids.set(serverId, (known = new Map()));
        for (const r of rows) {
          known.set(r.name, Number(r.id));
          out.set(r.name, Number(r.id));
        }
      }
      return out;
    },

    /** Stores points; a point already stored for the same series and second is kept, not counted twice. */
    async insertPoints(db: Executor, points: readonly PointRow[]): Promise<number> {
      // Written as SQL text kept per batch size, with a flat list of parameters: a sample stores dozens of points
      // every interval, and building each statement (the query builder's or `sql`'s per-value nodes) was most of
      // what a sample allocated.
      let inserted = 0;
      const fresh: PointRow[] = [];
      for (const part of chunks(points, BATCH)) {
        const params: number[] = [];
        for (const p of part) params.push(p.seriesId, p.ts, p.value);
        const res = await db.executeQuery<{ series_id: number; ts: number; value: number }>(
          CompiledQuery.raw(statement('raw', part.length), params),
        );
        inserted += res.rows.length;
        for (const r of res.rows)
          fresh.push({ seriesId: Number(r.series_id), ts: Number(r.ts), value: Number(r.value) });
      }
      for (const part of chunks(minuteRows(fresh), BATCH)) {
        const params: number[] = [];
        for (const m of part) params.push(m.series_id, m.ts, m.sum, m.count, m.min, m.max);
        await db.executeQuery(CompiledQuery.raw(statement('minute', part.length), params));
      }
      return inserted;
    },

    listSeries: (db: Executor, serverId: string) =>
      db.selectFrom('metric_series').select(['id', 'name']).where('server_id', '=', serverId).orderBy('name').execute(),
    /** An organisation's series of the given names, across its servers. */
    seriesOfOrg: (db: Executor, orgId: string, names: readonly string[]) =>
      names.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('metric_series')
            .select(['id', 'server_id', 'name'])
            .where('org_id', '=', orgId)
            .where('name', 'in', names)
            .execute(),

    /** Points grouped into buckets of `bucket` seconds (1 = every raw point) over [from, to). */
    async buckets(
      db: Executor,
      input: {
        readonly table: 'raw' | 'minute';
        readonly seriesIds: readonly number[];
        readonly from: number;
        readonly to: number;
        readonly bucket: number;
      },
    ): Promise<BucketRow[]> {
      const { table, seriesIds, from, to, bucket } = input;
      if (seriesIds.length === 0) return [];
      const rows =
        table === 'raw'
          ? await db
              .selectFrom('metric_raw')
              .select((eb) => [
                'series_id',
                eb('ts', '-', eb('ts', '%', bucket)).as('bucket'),
                eb.fn.sum<number>('value').as('sum'),
                eb.fn.countAll<number>().as('count'),
                eb.fn.min<number>('value').as('min'),
                eb.fn.max<number>('value').as('max'),
              ])
              .where('series_id', 'in', seriesIds)
              .where('ts', '>=', from)
              .where('ts', '<', to)
              .groupBy(['series_id', 'bucket'])
              .orderBy('bucket')
              .execute()
          : await db
              .selectFrom('metric_minute')
              .select((eb) => [
                'series_id',
                eb('ts', '-', eb('ts', '%', bucket)).as('bucket'),
                eb.fn.sum<number>('sum').as('sum'),
                eb.fn.sum<number>('count').as('count'),
                eb.fn.min<number>('min').as('min'),
                eb.fn.max<number>('max').as('max'),
              ])
              .where('series_id', 'in', seriesIds)
              .where('ts', '>=', from)
              .where('ts', '<', to)
              .groupBy(['series_id', 'bucket'])
              .orderBy('bucket')
              .execute();
      return rows.map((r) => ({
        series_id: Number(r.series_id),
        bucket: Number(r.bucket),
        sum: Number(r.sum),
        count: Number(r.count),
        min: Number(r.min),
        max: Number(r.max),
      }));
    },

    /** The highest value each series reached over [from, to); series without a point there are absent. */
    async peaks(
      db: Executor,
      table: 'raw' | 'minute',
      seriesIds: readonly number[],
      from: number,
      to: number,
    ): Promise<Map<number, number>> {
      if (seriesIds.length === 0) return new Map();
      const rows =
        table === 'raw'
          ? await db
              .selectFrom('metric_raw')
              .select((eb) => ['series_id', eb.fn.max<number>('value').as('peak')])
              .where('series_id', 'in', seriesIds)
              .where('ts', '>=', from)
              .where('ts', '<', to)
              .groupBy('series_id')
              .execute()
          : await db
              .selectFrom('metric_minute')
              .select((eb) => ['series_id', eb.fn.max<number>('max').as('peak')])
              .where('series_id', 'in', seriesIds)
              .where('ts', '>=', from)
              .where('ts', '<', to)
              .groupBy('series_id')
              .execute();
      return new Map(rows.map((r) => [Number(r.series_id), Number(r.peak)]));
    },

    /** Deletes points older than the cut-offs, series by series (each delete is a primary-key range). */
    async prune(db: Executor, rawBefore: number, minuteBefore: number): Promise<{ raw: number; minute: number }> {
      const series = (await db.selectFrom('metric_series').select('id').execute()).map((r) => Number(r.id));
      let raw = 0;
      let minute = 0;
      for (const part of chunks(series, 200)) {
        raw += Number(
          (
            await db
              .deleteFrom('metric_raw')
              .where('series_id', 'in', part)
              .where('ts', '<', rawBefore)
              .executeTakeFirst()
          ).numDeletedRows,
        );
        minute += Number(
          (
            await db
              .deleteFrom('metric_minute')
              .where('series_id', 'in', part)
              .where('ts', '<', minuteBefore)
              .executeTakeFirst()
          ).numDeletedRows,
        );
      }
      return { raw, minute };
    },
  };
}

export type MetricsStore = ReturnType<typeof createMetricsStore>;
