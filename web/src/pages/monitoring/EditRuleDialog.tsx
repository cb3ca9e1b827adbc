import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { AlertRuleChange } from '../../api/types';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useOrg } from '../org/OrgScope';
import type { Rule, ServerOption } from './model';
import { readRule } from './model';
import { RuleFields } from './RuleFields';

/** Changing a rule: the same fields, filled in, and whether it is judged at all. */
export function EditRuleDialog({
  rule,
  servers,
  onClose,
  onSaved,
}: {
  rule: Rule | null;
  servers: readonly ServerOption[];
  onClose: () => void;
  onSaved: (rule: Rule) => void;
}) {
  const org = useOrg();
  const [type, setType] = useState<Rule['type']>(rule?.type ?? 'threshold');
  const save = useMutation({
    mutationFn: (body: AlertRuleChange) =>
      call(
        api.PATCH('/api/orgs/{orgId}/alert-rules/{ruleId}', {
          params: { path: { orgId: org.id, ruleId: rule!.id } },
          body,
        }),
      ),
    onSuccess: onSaved,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ ...readRule(form, type), enabled: form.get('enabled') === 'on' });
  };
  return (
    <Dialog open={rule !== null} title={`Change rule “${rule?.name ?? ''}”`} onClose={onClose}>
      {rule && (
        <form method="post" onSubmit={submit} className="stack">
          <div className="dialog-body stack">
            <RuleFields rule={rule} type={type} onType={setType} servers={servers} />
            <label className="choice">
              <input type="checkbox" name="enabled" defaultChecked={rule.enabled} /> Judge this rule (switched off, it
              raises nothing and what it raised resolves)
            </label>
          </div>
          <ErrorNotice error={save.error} title="The rule was not changed" />
          <div className="dialog-actions">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={save.isPending} busyLabel="Saving">
              Save rule
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
