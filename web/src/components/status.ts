import type { InstanceState, LaunchStage, ServerStatus, TaskRun } from '../api/types';
import type { Tone } from './Badge';

interface Look {
  readonly label: string;
  readonly tone: Tone;
  /** Still changing by itself: pages poll while something shows this. */
  readonly moving?: boolean;
}

export const SERVER_STATUS: Record<ServerStatus, Look & { readonly help: string }> = {
  enrolling: {
    label: 'Enrolling',
    tone: 'info',
    moving: true,
    help: 'Steward is logging in for the first time and installing its own key.',
  },
  ready: { label: 'Ready', tone: 'ok', help: 'Steward can log in with the organisation’s key.' },
  blocked: {
    label: 'Blocked',
    tone: 'danger',
    help: 'The SSH host key changed. Steward stopped using the server until an owner checks the new key.',
  },
  unreachable: { label: 'Unreachable', tone: 'warn', help: 'Steward could not reach SSH on the server.' },
  enrol_failed: {
    label: 'Enrolment failed',
    tone: 'danger',
    help: 'The first login did not work; the reason is shown on the server’s page.',
  },
  removing: { label: 'Removing', tone: 'info', moving: true, help: 'Steward is taking its key off the server.' },
  remove_failed: {
    label: 'Removal failed',
    tone: 'danger',
    help: 'Steward could not take its key off the server. Remove it with force to forget it anyway.',
  },
};

export const SERVER_STATUSES = Object.keys(SERVER_STATUS) as ServerStatus[];

export const INSTANCE_STATE: Record<InstanceState, Look> = {
  pending: { label: 'Starting', tone: 'info', moving: true },
  running: { label: 'Running', tone: 'ok' },
  stopping: { label: 'Stopping', tone: 'info', moving: true },
  stopped: { label: 'Stopped', tone: 'neutral' },
  terminated: { label: 'Terminated', tone: 'neutral' },
  unknown: { label: 'Unknown', tone: 'warn' },
};

export const RUN_STATUS: Record<TaskRun['status'], Look> = {
  running: { label: 'Running', tone: 'info', moving: true },
  succeeded: { label: 'Succeeded', tone: 'ok' },
  failed: { label: 'Failed', tone: 'danger' },
  partial: { label: 'Partly failed', tone: 'warn' },
};

/** Per-server outcomes of a run (the engine's words, with a tone). */
export const HOST_STATUS: Record<string, Look> = {
  queued: { label: 'Queued', tone: 'neutral', moving: true },
  running: { label: 'Running', tone: 'info', moving: true },
  unchanged: { label: 'Unchanged', tone: 'ok' },
  changed: { label: 'Changed', tone: 'ok' },
  succeeded: { label: 'Succeeded', tone: 'ok' },
  failed: { label: 'Failed', tone: 'danger' },
  skipped: { label: 'Skipped', tone: 'neutral' },
};

export const hostLook = (status: string): Look => HOST_STATUS[status] ?? { label: status, tone: 'neutral' };

export const LAUNCH_STAGE: Record<LaunchStage, Look & { readonly hint: string }> = {
  queued: { label: 'Queued', tone: 'info', moving: true, hint: 'Waiting for a worker to pick the launch up.' },
  creating: {
    label: 'Creating the instance',
    tone: 'info',
    moving: true,
    hint: 'Asking the provider for the instance, with your organisation’s SSH key.',
  },
  waiting: {
    label: 'Waiting for it to run',
    tone: 'info',
    moving: true,
    hint: 'The provider is starting the instance and giving it an address.',
  },
  adopted: {
    label: 'Added to your servers',
    tone: 'info',
    moving: true,
    hint: 'The instance joined the servers inventory.',
  },
  enrolling: {
    label: 'Logging in',
    tone: 'info',
    moving: true,
    hint: 'Steward logs in with the organisation’s key and pins the host key.',
  },
  ready: { label: 'Ready', tone: 'ok', hint: 'Steward can manage the server; discovery starts right away.' },
  failed: { label: 'Failed', tone: 'danger', hint: 'The launch stopped; the reason is below.' },
};

export const ALERT_TONE: Record<string, Tone> = {
  critical: 'danger',
  high: 'danger',
  warning: 'warn',
  medium: 'warn',
  info: 'info',
  low: 'neutral',
};
export const alertTone = (severity: string): Tone => ALERT_TONE[severity] ?? 'neutral';
