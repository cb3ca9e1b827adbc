import type { CredentialKind } from '../../api/types';

export const KIND_LABELS: Record<CredentialKind, string> = {
  password: 'Password',
  ssh_private_key: 'SSH private key',
  api_key: 'API key',
  database_password: 'Database password',
  other: 'Other secret',
};

export const KINDS = Object.keys(KIND_LABELS) as CredentialKind[];
