import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { CredentialUse } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/SelectField';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useMembers } from '../org/queries';
import { useAccounts } from '../providers/queries';
import { useLedger, useServers } from '../servers/queries';

const PAGE = 100;
const CREDENTIAL: Record<string, string> = {
  org_ssh_key: 'Organisation SSH key',
  server_bootstrap: 'First-login password or key',
  provider_account: 'Cloud account credentials',
  credential: 'Stored credential',
};
const OUTCOME_TONE: Record<string, 'ok' | 'warn' | 'danger'> = {
  ok: 'ok',
  blocked: 'danger',
  failed: 'warn',
  denied: 'danger',
};

/** The operation in words: ssh.login:discovery → "SSH login (discovery)"; ec2.RunInstances stays as the API call it is. */
const operation = (op: string) =>
  op.startsWith('ssh.login:') ? `SSH login (${op.slice('ssh.login:'.length).replace(/[._]/g, ' ')})` : op;

/**
 * "Used exclusively per your instructions", made checkable: every SSH login and provider call Steward made
 * with this organisation's credentials, with the instruction behind it (a person, a schedule, a staff grant).
 */
export function CredentialUses() {
  const org = useOrg();
  const [params, setParams] = useSearchParams();
  const target = params.get('target') ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors.at(-1);
  const ledger = useLedger(org.id, {
    limit: PAGE,
    ...(target ? { targetId: target } : {}),
    ...(before ? { before } : {}),
  });
  const servers = useServers(org.id);
  const accounts = useAccounts(org.id);
  const members = useMembers(org.id);
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of servers.data ?? []) m.set(s.id, s.name);
    for (const a of accounts.data ?? []) m.set(a.id, a.name);
    for (const p of members.data ?? []) m.set(p.userId, p.name);
    return m;
  }, [servers.data, accounts.data, members.data]);

  const scheduleName = (id: string | null) => {
    const name = id ? names.get(id) : undefined;
    if (id?.startsWith('acct_')) return `Status sync of ${name ?? 'a cloud account'}`;
    if (id?.startsWith('srv_')) return `Scheduled discovery of ${name ?? 'a server'}`;
    return 'A schedule';
  };
  const why = (u: CredentialUse) => {
    const who = u.instruction.actorId
      ? (names.get(u.instruction.actorId) ?? 'a person no longer in the organisation')
      : null;
    switch (u.instruction.type) {
      case 'user_action':
        return <>Asked by {who}</>;
      case 'schedule':
        return (
          <>
            {scheduleName(u.instruction.id)}
            {who ? <>, set by {who}</> : null}
          </>
        );
      case 'staff_grant':
        return (
          <>
            Staff grant <span className="mono small">{u.instruction.id}</span>
          </>
        );
      default:
        return <>Steward’s own upkeep</>;
    }
  };
  const uses = ledger.data ?? [];
  const targetLink = (u: CredentialUse) => {
    const name = names.get(u.target.id);
    if (u.target.type === 'server')
      return name ? (
        <Link to={`/orgs/${org.id}/servers/${u.target.id}`}>{name}</Link>
      ) : (
        <span className="muted">removed server</span>
      );
    if (u.target.type === 'provider_account') return name ?? <span className="muted">removed account</span>;
    return `${u.target.type} ${u.target.id}`;
  };
  const columns: Column<CredentialUse>[] = [
    { header: 'When', className: 'nowrap', cell: (u) => <Time iso={u.at} /> },
    { header: 'Operation', rowHeader: true, className: 'mono small', cell: (u) => operation(u.operation) },
    { header: 'Credential', className: 'small', cell: (u) => CREDENTIAL[u.credential] ?? u.credential },
    { header: 'Used on', cell: targetLink },
    { header: 'Why', className: 'small', cell: why },
    { header: 'Outcome', cell: (u) => <Badge tone={OUTCOME_TONE[u.outcome] ?? 'neutral'}>{u.outcome}</Badge> },
  ];
  return (
    <>
      <PageHeader
        title="Credential use"
        description="Every SSH login and cloud provider call Steward made with your organisation’s credentials, and the instruction behind each: a person’s request, a schedule you set, or a staff grant you can see."
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter the ledger"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="Used on"
          value={target}
          onChange={(event) => {
            setCursors([]);
            setParams(event.target.value ? { target: event.target.value } : {}, { replace: true });
          }}
        >
          <option value="">Everything</option>
          <optgroup label="Servers">
            {servers.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </optgroup>
          <optgroup label="Cloud accounts">
            {accounts.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </optgroup>
        </SelectField>
      </form>
      <div aria-live="polite" aria-busy={ledger.isFetching}>
        <QueryState query={ledger} loading="Loading the ledger" failed="The ledger could not be loaded" />
        {ledger.isSuccess && uses.length === 0 && (
          <EmptyState title="No use recorded">
            Steward has not used {target ? 'a credential on this' : 'any of your credentials'} yet.
          </EmptyState>
        )}
      </div>
      <SimpleTable caption="Credential-use ledger" columns={columns} rows={uses} rowKey={(u) => u.id} empty={null} />
      {(uses.length > 0 || cursors.length > 0) && (
        <nav className="pager" aria-label="Pages">
          <Button
            onClick={() => setCursors((c) => c.slice(0, -1))}
            disabled={cursors.length === 0 || ledger.isFetching}
          >
            ← Newer
          </Button>
          <span aria-live="polite">Page {cursors.length + 1}</span>
          <Button
            onClick={() => setCursors((c) => [...c, uses.at(-1)!.at])}
            disabled={uses.length < PAGE || ledger.isFetching}
          >
            Older →
          </Button>
        </nav>
      )}
    </>
  );
}
