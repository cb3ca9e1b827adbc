import { useMatch } from 'react-router';
import { useSignedIn } from '../session/session';

type SessionOrg = ReturnType<typeof useSignedIn>['orgs'][number];

/**
 * The organisation the person is working in: the one in the address, or else their first, so the sidebar keeps
 * its place on pages that belong to no organisation (profile, staff area).
 */
export function useActiveOrg(): { org: SessionOrg | undefined; inAddress: boolean } {
  const session = useSignedIn();
  const deep = useMatch('/orgs/:orgId/*');
  const top = useMatch('/orgs/:orgId');
  const id = deep?.params.orgId ?? top?.params.orgId;
  const org = id ? session.orgs.find((o) => o.id === id) : session.orgs[0];
  return { org, inAddress: Boolean(id) };
}
