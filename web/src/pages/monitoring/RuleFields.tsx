import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { CHARTS, metricLabel } from './queries';
import type { Rule, ServerOption } from './model';

/** The fields of a rule, empty for a new one or filled from `rule`; the kind decides which are shown. */
export function RuleFields({
  rule,
  type,
  onType,
  servers,
}: {
  rule?: Rule;
  type: Rule['type'];
  onType: (type: Rule['type']) => void;
  servers: readonly ServerOption[];
}) {
  return (
    <>
      <SelectField
        label="Kind"
        name="type"
        value={type}
        onChange={(event) => onType(event.target.value === 'unreachable' ? 'unreachable' : 'threshold')}
      >
        <option value="threshold">A figure crosses a threshold</option>
        <option value="unreachable">The server does not answer</option>
      </SelectField>
      <TextField label="Name" name="name" required maxLength={120} defaultValue={rule?.name} />
      {type === 'threshold' && (
        <div className="inline-form">
          <SelectField label="Figure" name="metric" defaultValue={rule?.metric ?? 'cpu.busy_pct'}>
            {CHARTS.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
            {rule?.metric && !(CHARTS as readonly string[]).includes(rule.metric) && (
              <option value={rule.metric}>{rule.metric}</option>
            )}
          </SelectField>
          <SelectField label="When it is" name="comparison" defaultValue={rule?.comparison ?? 'above'}>
            <option value="above">Above</option>
            <option value="below">Below</option>
          </SelectField>
          <TextField
            label="Threshold"
            name="threshold"
            type="number"
            step="any"
            required
            className="narrow-input"
            defaultValue={rule?.threshold ?? undefined}
          />
        </div>
      )}
      <div className="inline-form">
        <TextField
          label="For (minutes)"
          name="minutes"
          type="number"
          min={0}
          max={1440}
          step="any"
          defaultValue={rule ? rule.durationSeconds / 60 : 5}
          required
          className="narrow-input"
        />
        <SelectField label="Servers" name="server" defaultValue={rule?.serverId ?? ''}>
          <option value="">All servers</option>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Severity" name="severity" defaultValue={rule?.severity ?? 'warning'}>
          <option value="info">Info</option>
          <option value="warning">Warning</option>
          <option value="critical">Critical</option>
        </SelectField>
      </div>
    </>
  );
}
