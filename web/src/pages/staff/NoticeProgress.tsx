import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, call } from '../../api/client';

/** How far a transfer's notices got, refreshed every few seconds while they go out. */
export function NoticeProgress({ id }: { id: string }): ReactNode {
  const detail = useQuery({
    queryKey: ['staff', 'disclosures', id],
    refetchInterval: (q) =>
      q.state.data?.notices && q.state.data.notices.delivered >= q.state.data.notices.affected ? false : 3000,
    queryFn: () => call(api.GET('/api/staff/disclosures/{disclosureId}', { params: { path: { disclosureId: id } } })),
  });
  const n = detail.data?.notices;
  if (!n) return null;
  return (
    <span className="small muted party-id">
      {n.delivered} of {n.affected} notices delivered
    </span>
  );
}
