/** Credentials a customer keeps in Steward (sealed; each use recorded). */
import { createCredentialsService, type CredentialsDeps } from './credentials.service.js';

export function registerCredentials(deps: CredentialsDeps) {
  return createCredentialsService(deps);
}

export { CREDENTIALS_SEALED } from './credentials.store.js';
