import { z } from 'zod';
import { defineRecipe } from '../recipe.js';
import { authorizedKeyStep, sudoStep, userStep } from './admin-user.js';
import { autoUpgradesConfigStep, autoUpgradesPackageStep, autoUpgradesScheduleStep } from './auto-upgrades.js';
import { fail2banActiveStep, fail2banAtBootStep, fail2banJailStep, fail2banPackageStep } from './fail2ban.js';
import {
  firewallAllowsSshStep,
  firewallDefaultDenyStep,
  firewallEnabledStep,
  firewallPackageStep,
} from './firewall.js';
import { packageStep } from './packages.js';
import { publicKeyLine, unixUser } from './params.js';
import { sshdHardeningStep } from './sshd-hardening.js';
import { staffCaSteps } from './staff-ca.js';

export const initialSetupParams = z.object({
  /** The administrator account people use instead of root. */
  adminUser: unixUser.default('steward-admin'),
  /** The OpenSSH public key that may log in as the administrator (the task engine passes the organisation's). */
  authorizedKey: publicKeyLine,
  /**
   * The organisation's staff CA (GET /api/orgs/{orgId}/staff-ca). Optional: with it, sshd trusts short-lived
   * staff certificates from that CA, each valid only for the principal Steward lists for one grant.
   */
  staffCaKey: publicKeyLine.optional(),
});

export type InitialSetupParams = z.infer<typeof initialSetupParams>;

/**
 * Initial setup of a fresh server: an administrator with passwordless sudo and the organisation's key, sshd
 * hardened (keys only, root by key only, no X11, four tries) and reloaded without dropping this session, a ufw
 * firewall denying everything but SSH, daily unattended security upgrades, and fail2ban guarding sshd.
 *
 * The order matters: the administrator can log in before sshd stops taking passwords, and SSH is allowed before
 * the firewall is switched on.
 */
export default defineRecipe<InitialSetupParams>({
  id: 'initial-setup',
  title: 'Initial setup',
  description:
    'Administrator account, sshd hardening, firewall, automatic security updates and brute-force protection.',
  kind: 'state',
  params: initialSetupParams,
  steps: ({ adminUser, authorizedKey, staffCaKey }) => [
    packageStep('sudo-installed', 'sudo', { apt: ['sudo'], dnf: ['sudo'], apk: ['sudo'] }),
    userStep(adminUser),
    sudoStep(adminUser),
    authorizedKeyStep(adminUser, authorizedKey),
    sshdHardeningStep,
    ...(staffCaKey ? staffCaSteps(staffCaKey) : []),
    firewallPackageStep,
    firewallAllowsSshStep,
    firewallDefaultDenyStep,
    firewallEnabledStep,
    autoUpgradesPackageStep,
    autoUpgradesConfigStep,
    autoUpgradesScheduleStep,
    fail2banPackageStep,
    fail2banJailStep,
    fail2banAtBootStep,
    fail2banActiveStep,
  ],
});
