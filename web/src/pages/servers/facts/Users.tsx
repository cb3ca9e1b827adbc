import { type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { KeyValues } from '../../../components/KeyValues';
import { SimpleTable } from '../../../components/SimpleTable';
import { Filtered } from './Filtered';

export function Users({ f }: { f: Facts }) {
  const people = [...f.users].sort((a, b) => Number(b.loginShell) - Number(a.loginShell) || a.uid - b.uid);
  return (
    <div className="stack">
      <div className="card">
        <h3>Who can act as root</h3>
        <KeyValues
          items={[
            ['Effective administrators', f.admins.effective.length ? f.admins.effective.join(', ') : 'none found'],
            ['Accounts with uid 0', f.admins.uid0.join(', ') || '—'],
            [
              'Administrator groups',
              f.admins.adminGroups.map((g) => `${g.group}: ${g.members.join(', ') || 'no members'}`).join('; ') || '—',
            ],
          ]}
        />
      </div>
      <SimpleTable
        caption="Sudo and doas rules"
        rows={f.admins.grants}
        rowKey={(g, i) => `${g.source}/${i}`}
        empty="No sudo or doas rules found."
        columns={[
          { header: 'Who', rowHeader: true, cell: (g) => `${g.principalType === 'group' ? '%' : ''}${g.principal}` },
          { header: 'As', cell: (g) => g.runAs ?? 'root' },
          { header: 'Commands', cell: (g) => <span className="mono small">{g.commands}</span> },
          { header: 'Password', cell: (g) => (g.noPassword ? <Badge tone="warn">not asked</Badge> : 'asked') },
          { header: 'From', cell: (g) => <span className="mono small">{g.source}</span> },
        ]}
      />
      <h3>Accounts</h3>
      <Filtered label="accounts" rows={people} text={(u) => `${u.name} ${u.home} ${u.shell}`}>
        {(rows) => (
          <SimpleTable
            caption="Accounts"
            rows={rows}
            rowKey={(u) => u.name}
            empty="No account matches."
            columns={[
              { header: 'Account', rowHeader: true, cell: (u) => u.name },
              { header: 'Uid', cell: (u) => u.uid },
              { header: 'Can log in', cell: (u) => (u.loginShell ? 'yes' : 'no') },
              {
                header: 'Password',
                cell: (u) => (u.password === 'empty' ? <Badge tone="danger">empty</Badge> : u.password),
              },
              { header: 'Home', cell: (u) => <span className="mono small">{u.home}</span> },
            ]}
          />
        )}
      </Filtered>
    </div>
  );
}
