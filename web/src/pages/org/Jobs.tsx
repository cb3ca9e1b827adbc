import { useState } from 'react';
import type { JobStatus } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { JobsTable } from '../../components/JobsTable';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { StatusFilter } from '../../components/StatusFilter';
import { useOrg } from './OrgScope';
import { useOrgJobs } from './queries';

/** Work Steward does in the background for this organisation; the list refreshes itself while work runs. */
export function Jobs() {
  const org = useOrg();
  const [status, setStatus] = useState<JobStatus | undefined>();
  const jobs = useOrgJobs(org.id, status);
  const active = jobs.data?.filter((j) => j.status === 'queued' || j.status === 'running').length ?? 0;
  return (
    <>
      <PageHeader
        title="Jobs"
        description="Background work for this organisation: launches, tasks and discovery runs will appear here as they arrive."
      />
      <StatusFilter value={status} onChange={setStatus} />
      <p role="status" className="muted">
        {active > 0 ? `${active} job${active === 1 ? '' : 's'} in progress; this list updates every few seconds.` : ''}
      </p>
      <QueryState query={jobs} loading="Loading jobs" failed="Jobs could not be loaded" />
      {jobs.data?.length === 0 && (
        <EmptyState title={status ? `No ${status} jobs` : 'No jobs yet'}>
          Jobs appear here when Steward works for this organisation in the background.
        </EmptyState>
      )}
      {jobs.data && jobs.data.length > 0 && <JobsTable jobs={jobs.data} />}
    </>
  );
}
