import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewAlertRule } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { alertTone } from '../../components/status';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useServers } from '../servers/queries';
import { useAlertRules } from './queries';
import type { Rule } from './model';
import { describeRule, readRule } from './model';
import { RuleFields } from './RuleFields';
import { EditRuleDialog } from './EditRuleDialog';

export function Rules() {
  const org = useOrg();
  const queryClient = useQueryClient();
  const rules = useAlertRules(org.id);
  const servers = useServers(org.id);
  const names = new Map((servers.data ?? []).map((s) => [s.id, s.name]));
  const [doomed, setDoomed] = useState<Rule | null>(null);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [type, setType] = useState<Rule['type']>('threshold');
  const [said, setSaid] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring', 'rules') });
  const add = useMutation({
    mutationFn: (body: NewAlertRule) =>
      call(api.POST('/api/orgs/{orgId}/alert-rules', { params: { path: { orgId: org.id } }, body })),
    onSuccess: async (r) => {
      setSaid(`Rule “${r.name}” added.`);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (rule: Rule) =>
      call(
        api.DELETE('/api/orgs/{orgId}/alert-rules/{ruleId}', { params: { path: { orgId: org.id, ruleId: rule.id } } }),
      ),
    onSuccess: async (_, rule) => {
      setDoomed(null);
      setSaid(`Rule “${rule.name}” deleted.`);
      await refresh();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    add.mutate(readRule(new FormData(formEl), type), { onSuccess: () => formEl.reset() });
  };
  const saved = async (r: Rule) => {
    setEditing(null);
    setSaid(`Rule “${r.name}” saved${r.enabled ? '' : '; it is switched off'}.`);
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring') });
  };
  const owner = org.role === 'owner';
  const columns: Column<Rule>[] = [
    {
      header: 'Rule',
      rowHeader: true,
      cell: (r) => (
        <>
          {r.name}
          {!r.enabled && (
            <>
              {' '}
              <Badge>Off</Badge>
            </>
          )}
        </>
      ),
    },
    { header: 'Condition', cell: describeRule },
    { header: 'Servers', cell: (r) => (r.serverId ? (names.get(r.serverId) ?? 'One server') : 'All') },
    { header: 'Severity', cell: (r) => <Badge tone={alertTone(r.severity)}>{r.severity}</Badge> },
    ...(owner
      ? [
          {
            header: 'Actions',
            cell: (r: Rule) => (
              <div className="row">
                <Button variant="ghost" onClick={() => setEditing(r)} aria-label={`Change rule ${r.name}`}>
                  Change
                </Button>
                <Button
                  variant="ghost"
                  onClick={() => {
                    remove.reset();
                    setDoomed(r);
                  }}
                  aria-label={`Delete rule ${r.name}`}
                >
                  Delete
                </Button>
              </div>
            ),
          },
        ]
      : []),
  ];
  return (
    <section className="section" aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      <QueryTable
        query={rules}
        loading="Loading the alert rules"
        failed="The alert rules could not be loaded"
        caption="Alert rules"
        columns={columns}
        rowKey={(r) => r.id}
        empty="No alert rules. Saving the settings once adds the defaults."
      />
      <LiveStatus message={said} />
      {owner && (
        <form method="post" onSubmit={submit} className="card section stack" aria-labelledby="add-rule-title">
          <h3 id="add-rule-title">Add a rule</h3>
          <RuleFields type={type} onType={setType} servers={servers.data ?? []} />
          <div>
            <Button type="submit" variant="primary" busy={add.isPending} busyLabel="Adding">
              Add rule
            </Button>
          </div>
          <ErrorNotice error={add.error} title="The rule was not added" />
        </form>
      )}
      <EditRuleDialog
        key={editing?.id ?? 'none'}
        rule={editing}
        servers={servers.data ?? []}
        onClose={() => setEditing(null)}
        onSaved={(r) => void saved(r)}
      />
      <ConfirmDialog
        open={doomed !== null}
        title="Delete this alert rule?"
        confirmText={doomed?.name ?? ''}
        confirmLabel="Delete rule"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => doomed && remove.mutate(doomed)}
        onClose={() => setDoomed(null)}
      >
        <p>Rule “{doomed?.name}” stops being judged, and the alerts it raised that are still open resolve.</p>
      </ConfirmDialog>
    </section>
  );
}
