import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { AuthLayout } from '../auth/AuthLayout';
import { TermsText } from './TermsText';
import { QueryState } from '../../components/QueryState';

/** The terms of service in force, for anyone (the sign-up page and the notice mails link here). */
export function Terms() {
  const terms = useQuery({ queryKey: ['terms'], queryFn: () => call(api.GET('/api/terms')) });
  const current = terms.data?.terms;
  return (
    <AuthLayout title={current?.title ?? 'Terms of service'} footer={<Link to="/">Back to Steward</Link>}>
      <QueryState query={terms} loading="Loading the terms" failed="The terms could not be loaded" />
      {terms.data && !current && <p>No terms of service are published yet.</p>}
      {current && <TermsText terms={current} />}
    </AuthLayout>
  );
}
