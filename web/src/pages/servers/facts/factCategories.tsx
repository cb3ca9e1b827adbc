import { type ReactNode } from 'react';
import { type Facts } from '../../../api/facts';
import { System } from './System';
import { Packages } from './Packages';
import { Services } from './Services';
import { Ports } from './Ports';
import { Users } from './Users';
import { Keys } from './Keys';
import { Databases } from './Databases';
import { Logs } from './Logs';
import { Locations } from './Locations';

export interface FactCategory {
  readonly id: string;
  readonly label: string;
  readonly about: string;
  readonly count?: (facts: Facts) => number;
  readonly render: (facts: Facts) => ReactNode;
}

/** The categories a server's facts are shown in, in the order people look for them. */
export const FACT_CATEGORIES: readonly FactCategory[] = [
  {
    id: 'system',
    label: 'System',
    about: 'Names, addresses, operating system, performance and disks.',
    render: (f) => <System f={f} />,
  },
  {
    id: 'packages',
    label: 'Packages and apps',
    about: 'Installed packages and the applications Steward recognised among them.',
    count: (f) => f.packages.length,
    render: (f) => <Packages f={f} />,
  },
  {
    id: 'services',
    label: 'Services',
    about: 'Services, running programs and containers.',
    count: (f) => f.services.length,
    render: (f) => <Services f={f} />,
  },
  {
    id: 'ports',
    label: 'Ports',
    about: 'What listens for connections, and on which addresses.',
    count: (f) => f.ports.length,
    render: (f) => <Ports f={f} />,
  },
  {
    id: 'users',
    label: 'Users and admins',
    about: 'Accounts, and everyone who can act as root.',
    count: (f) => f.admins.effective.length,
    render: (f) => <Users f={f} />,
  },
  {
    id: 'keys',
    label: 'Keys and certificates',
    about: 'Authorized keys, host keys, private key files (locations only) and TLS certificates.',
    count: (f) => f.sshKeys.authorized.length + f.certificates.length,
    render: (f) => <Keys f={f} />,
  },
  {
    id: 'databases',
    label: 'Databases',
    about: 'Database servers, their databases and administrators.',
    count: (f) => f.dbAdmins.length,
    render: (f) => <Databases f={f} />,
  },
  {
    id: 'logs',
    label: 'Logs',
    about: 'Operational logs: where they are, how big, and their last lines.',
    count: (f) => f.logs.length,
    render: (f) => <Logs f={f} />,
  },
  {
    id: 'locations',
    label: 'Locations',
    about: 'Web roots, application trees, data directories and configuration files.',
    render: (f) => <Locations f={f} />,
  },
];
