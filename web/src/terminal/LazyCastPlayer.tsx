import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from '../components/Loading';

// The player is built on xterm.js, most of the console's weight: it loads with the first recording played.
const CastPlayer = lazy(() => import('./CastPlayer').then((m) => ({ default: m.CastPlayer })));

/** The recording player, its code loaded the first time one is shown. */
export function LazyCastPlayer(props: ComponentProps<typeof CastPlayer>) {
  return (
    <Suspense fallback={<Loading label="Loading the player" />}>
      <CastPlayer {...props} />
    </Suspense>
  );
}
