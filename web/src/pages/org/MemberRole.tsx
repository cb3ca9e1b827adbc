import { useId } from 'react';
import type { Member, OrgRole } from '../../api/types';

interface Props {
  member: Member;
  canManage: boolean;
  busy: boolean;
  onRoleChange: (member: Member, role: OrgRole) => void;
}

/** A member's role: a labelled choice for owners, the word for everyone else. */
export function MemberRole({ member, canManage, busy, onRoleChange }: Props) {
  const roleId = useId();
  if (!canManage) return member.role === 'owner' ? 'Owner' : 'Member';
  return (
    <>
      <label htmlFor={roleId} className="visually-hidden">
        Role of {member.name}
      </label>
      <select
        id={roleId}
        value={member.role}
        disabled={busy}
        aria-busy={busy || undefined}
        onChange={(event) => onRoleChange(member, event.target.value === 'owner' ? 'owner' : 'member')}
      >
        <option value="owner">Owner</option>
        <option value="member">Member</option>
      </select>
    </>
  );
}
