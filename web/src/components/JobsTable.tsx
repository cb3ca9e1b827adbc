import type { Job } from '../api/types';
import { Badge, type Tone } from './Badge';
import { Time } from './Time';

const TONE: Record<Job['status'], Tone> = { queued: 'neutral', running: 'info', done: 'ok', failed: 'danger' };

/** Background jobs with their state, attempts and last error (the API keeps errors free of secrets). */
export function JobsTable({ jobs, showOrg = false }: { jobs: Job[]; showOrg?: boolean }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Job</th>
            {showOrg && <th scope="col">Organisation</th>}
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Created</th>
            <th scope="col">Finished</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id}>
              <th scope="row">
                {job.queue} <span className="muted mono small">{job.id}</span>
              </th>
              {showOrg && <td className="mono small">{job.orgId ?? '—'}</td>}
              <td>
                <Badge tone={TONE[job.status]}>{job.status}</Badge>
                {job.status === 'running' && <span className="spinner inline" aria-hidden="true" />}
              </td>
              <td className="num">
                {job.attempts} / {job.maxAttempts}
              </td>
              <td>
                <Time iso={job.createdAt} />
              </td>
              <td>
                <Time iso={job.finishedAt} />
              </td>
              <td className="error-text">{job.lastError ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
