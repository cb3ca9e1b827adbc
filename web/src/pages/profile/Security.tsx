import { Badge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';
import { PasswordForm } from './PasswordForm';
import { TotpEnrol } from './TotpEnrol';

export function Security() {
  const { user } = useSignedIn();
  return (
    <>
      <PageHeader title="Password and second factor" />
      <PasswordForm />
      <section className="section card" aria-labelledby="totp-heading">
        <h2 id="totp-heading">
          Second factor {user.totpEnabled ? <Badge tone="ok">On</Badge> : <Badge tone="warn">Off</Badge>}
        </h2>
        {user.totpEnabled ? (
          <p>Signing in asks for a one-time code from your authenticator app as well as your password.</p>
        ) : (
          <>
            <p>With a second factor, someone who learns your password still cannot sign in as you.</p>
            <TotpEnrol />
          </>
        )}
      </section>
    </>
  );
}
