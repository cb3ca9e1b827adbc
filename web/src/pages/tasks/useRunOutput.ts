import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, call } from '../../api/client';
import type { OutputEntry, TaskRun } from '../../api/types';
import { orgKey } from '../org/queries';

export interface RunOutput {
  readonly entries: readonly OutputEntry[];
  readonly progress: TaskRun['progress'] | null;
  /** The run's final status once the stream said it ended. */
  readonly ended: TaskRun['status'] | null;
  /** How output arrives: server-sent events, or polling when the browser could not keep the stream open. */
  readonly mode: 'live' | 'polling' | 'connecting';
}

/** The address of a run's event stream (the generated client does not cover text/event-stream answers). */
export const runEventsUrl = (orgId: string, runId: string) =>
  `/api/orgs/${encodeURIComponent(orgId)}/task-runs/${encodeURIComponent(runId)}/events`;

/**
 * A run's output and progress as they happen: server-sent events first (output, progress, end); if the stream
 * breaks before the end, polling the output endpoint with its cursor takes over. Entries are kept once each
 * (by server and sequence), so a reconnect that replays output does not double it.
 */
export function useRunOutput(orgId: string, runId: string): RunOutput {
  const queryClient = useQueryClient();
  const [state, setState] = useState<RunOutput>({ entries: [], progress: null, ended: null, mode: 'connecting' });
  useEffect(() => {
    let stopped = false;
    const seen = new Set<string>();
    let entries: OutputEntry[] = [];
    let flush: number | undefined;
    const publish = (patch: Partial<RunOutput> = {}) => setState((s) => ({ ...s, ...patch, entries }));
    const add = (batch: readonly OutputEntry[]) => {
      let added = false;
      for (const e of batch) {
        const key = `${e.serverId}/${e.seq}`;
        if (seen.has(key)) continue;
        seen.add(key);
        entries = [...entries, e];
        added = true;
      }
      // Output can arrive in bursts of many events; the page redraws at most ten times a second.
      if (added && flush === undefined)
        flush = window.setTimeout(() => {
          flush = undefined;
          if (!stopped) publish();
        }, 100);
    };
    const finish = (status: TaskRun['status']) => {
      publish({ ended: status });
      void queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'task-runs') });
      void queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'servers') });
    };

    const poll = async () => {
      publish({ mode: 'polling' });
      let cursor: string | undefined;
      while (!stopped) {
        try {
          const out = await call(
            api.GET('/api/orgs/{orgId}/task-runs/{runId}/output', {
              params: { path: { orgId, runId }, query: cursor ? { after: cursor } : {} },
            }),
          );
          cursor = out.cursor;
          add(out.entries);
          publish({ progress: out.run.progress });
          if (out.finished && out.entries.length === 0) return finish(out.run.status);
        } catch {
          // A failed poll is tried again; the page keeps what it has.
        }
        await new Promise((resolve) => window.setTimeout(resolve, 1000));
      }
    };

    const source = new EventSource(runEventsUrl(orgId, runId));
    source.addEventListener('open', () => publish({ mode: 'live' }));
    source.addEventListener('output', (event) =>
      add([JSON.parse((event as MessageEvent<string>).data) as OutputEntry]),
    );
    source.addEventListener('progress', (event) =>
      publish({ progress: JSON.parse((event as MessageEvent<string>).data) as TaskRun['progress'] }),
    );
    source.addEventListener('end', (event) => {
      source.close();
      if (flush !== undefined) window.clearTimeout(flush);
      flush = undefined;
      finish((JSON.parse((event as MessageEvent<string>).data) as { status: TaskRun['status'] }).status);
    });
    // EventSource would reconnect by itself and replay from the start; polling with a cursor is gentler.
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED && stopped) return;
      source.close();
      if (!stopped) void poll();
    });
    return () => {
      stopped = true;
      source.close();
      if (flush !== undefined) window.clearTimeout(flush);
    };
  }, [orgId, runId, queryClient]);
  return state;
}
