import type { HostRow, RunRow } from './tasks.store.js';

export interface HostRunView {
  readonly serverId: string;
  readonly status: HostRow['status'];
  readonly steps: { id: string; description: string; status: string; durationMs: number; error?: string }[];
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface RunView {
  readonly id: string;
  readonly kind: RunRow['kind'];
  readonly recipe: string | null;
  readonly command: string[] | null;
  readonly params: Record<string, unknown>;
  readonly status: RunRow['status'];
  readonly requestedBy: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly progress: {
    readonly total: number;
    readonly queued: number;
    readonly running: number;
    readonly done: number;
    readonly failed: number;
    readonly changed: number;
  };
  readonly hosts: HostRunView[];
}

export function runView(run: RunRow, hosts: HostRow[]): RunView {
  const count = (pred: (h: HostRow) => boolean) => hosts.filter(pred).length;
  return {
    id: run.id,
    kind: run.kind,
    recipe: run.recipe,
    command: run.command ? (JSON.parse(run.command) as string[]) : null,
    params: JSON.parse(run.params) as Record<string, unknown>,
    status: run.status,
    requestedBy: run.requested_by,
    createdAt: run.created_at,
    finishedAt: run.finished_at,
    progress: {
      total: run.total,
      queued: count((h) => h.status === 'queued'),
      running: count((h) => h.status === 'running'),
      done: count((h) => ['unchanged', 'changed', 'succeeded'].includes(h.status)),
      failed: count((h) => h.status === 'failed'),
      changed: count((h) => h.status === 'changed'),
    },
    hosts: hosts.map((h) => ({
      serverId: h.server_id,
      status: h.status,
      steps: JSON.parse(h.steps) as HostRunView['steps'],
      exitCode: h.exit_code,
      error: h.error,
      startedAt: h.started_at,
      finishedAt: h.finished_at,
    })),
  };
}
