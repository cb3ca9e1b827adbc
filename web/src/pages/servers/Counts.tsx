import { Link } from 'react-router';
import type { Facts } from '../../api/facts';

/** What discovery found, counted; each figure leads to its facts. */
export function Counts({ facts, base, secrets }: { facts: Facts; base: string; secrets: number }) {
  const running = facts.services.filter((s) => s.state === 'running').length;
  const items: [string, string, string][] = [
    ['Packages', String(facts.packages.length), 'packages'],
    ['Services running', String(running), 'services'],
    ['Listening ports', String(facts.ports.length), 'ports'],
    ['Administrators', String(facts.admins.effective.length), 'users'],
    ['Keys and certificates', String(facts.sshKeys.authorized.length + facts.certificates.length), 'keys'],
    ['Found credentials', String(secrets), '../found-credentials'],
  ];
  return (
    <ul className="count-grid" aria-label="What discovery found">
      {items.map(([label, value, to]) => (
        <li key={label}>
          <Link className="count card" to={to.startsWith('..') ? `${base}/found-credentials` : `${base}/facts/${to}`}>
            <span className="stat-value">{value}</span>
            <span className="stat-label">{label}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
