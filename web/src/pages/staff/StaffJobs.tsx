import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { JobStatus } from '../../api/types';
import { EmptyState } from '../../components/EmptyState';
import { JobsTable } from '../../components/JobsTable';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { StatusFilter } from '../../components/StatusFilter';

/** Every organisation's background jobs (admins). */
export function StaffJobs() {
  const [status, setStatus] = useState<JobStatus | undefined>();
  const jobs = useQuery({
    queryKey: ['staff', 'jobs', status ?? 'all'],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (await call(api.GET('/api/staff/jobs', { params: { query: { limit: 200, ...(status ? { status } : {}) } } })))
        .jobs,
    refetchInterval: (query) =>
      query.state.data?.some((j) => j.status === 'queued' || j.status === 'running') ? 3000 : false,
  });
  return (
    <>
      <PageHeader
        title="All jobs"
        description="Background jobs across organisations. Failed jobs show their last error."
      />
      <StatusFilter value={status} onChange={setStatus} />
      <QueryState query={jobs} loading="Loading jobs" failed="Jobs could not be loaded" />
      {jobs.data?.length === 0 && <EmptyState title={status ? `No ${status} jobs` : 'No jobs'} />}
      {jobs.data && jobs.data.length > 0 && <JobsTable jobs={jobs.data} showOrg />}
    </>
  );
}
