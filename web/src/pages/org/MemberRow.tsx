import { useId } from 'react';
import type { Member, OrgRole } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Time } from '../../components/Time';

interface Props {
  member: Member;
  isMe: boolean;
  canManage: boolean;
  busy: boolean;
  onRoleChange: (member: Member, role: OrgRole) => void;
  onRemove: () => void;
}

export function MemberRow({ member, isMe, canManage, busy, onRoleChange, onRemove }: Props) {
  const roleId = useId();
  return (
    <tr>
      <th scope="row">
        {member.name} {isMe && <Badge>You</Badge>}
      </th>
      <td>{member.email}</td>
      <td>
        {canManage ? (
          <>
            <label htmlFor={roleId} className="visually-hidden">
              Role of {member.name}
            </label>
            <select
              id={roleId}
              value={member.role}
              disabled={busy}
              aria-busy={busy || undefined}
              onChange={(event) => onRoleChange(member, event.target.value as OrgRole)}
            >
              <option value="owner">Owner</option>
              <option value="member">Member</option>
            </select>
          </>
        ) : member.role === 'owner' ? (
          'Owner'
        ) : (
          'Member'
        )}
      </td>
      <td>
        <Time iso={member.joinedAt} />
      </td>
      <td className="actions">
        {(canManage || isMe) && (
          <Button variant="danger" onClick={onRemove}>
            {isMe ? 'Leave' : 'Remove'}
            <span className="visually-hidden">{isMe ? ' this organisation' : ` ${member.name}`}</span>
          </Button>
        )}
      </td>
    </tr>
  );
}
