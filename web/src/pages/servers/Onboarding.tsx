import type { Server } from '../../api/types';
import { Stages } from '../../components/Stages';
import { SERVER_STATUS } from '../../components/status';

const ONBOARD_STAGES = [
  { id: 'added', label: 'Added' },
  {
    id: 'login',
    label: 'First login',
    hint: 'Steward logs in, checks the host key and installs the organisation’s key.',
  },
  {
    id: 'discover',
    label: 'Discovery',
    hint: 'One login collects the system, packages, services, ports, users, keys and logs.',
  },
  { id: 'done', label: 'Ready' },
];

/** Where a new server has got to: first login, then its first discovery. */
export function Onboarding({ server, discovered }: { server: Server; discovered: boolean }) {
  const failed = ['enrol_failed', 'unreachable'].includes(server.status);
  const current = server.status === 'enrolling' || failed ? 'login' : discovered ? 'done' : 'discover';
  return (
    <section className="section card" aria-labelledby="onboarding-title">
      <h2 id="onboarding-title">Getting to know {server.name}</h2>
      <Stages
        label="Progress of adding the server"
        stages={ONBOARD_STAGES}
        current={current}
        failed={failed}
        complete={discovered && server.status === 'ready'}
      />
      {failed && (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">{SERVER_STATUS[server.status].label}</p>
          <p>{server.statusReason ?? SERVER_STATUS[server.status].help}</p>
          <p>Check the address, port and first-login credential, then remove this server and add it again.</p>
        </div>
      )}
    </section>
  );
}
