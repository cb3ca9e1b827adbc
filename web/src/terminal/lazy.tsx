import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from '../components/Loading';

// xterm.js is most of the console's weight and only terminal pages need it: it loads with the first of them.
const LazyWebTerminal = lazy(() => import('./WebTerminal').then((m) => ({ default: m.WebTerminal })));
const LazyCastPlayer = lazy(() => import('./CastPlayer').then((m) => ({ default: m.CastPlayer })));

export function WebTerminal(props: ComponentProps<typeof LazyWebTerminal>) {
  return (
    <Suspense fallback={<Loading label="Loading the terminal" />}>
      <LazyWebTerminal {...props} />
    </Suspense>
  );
}

export function CastPlayer(props: ComponentProps<typeof LazyCastPlayer>) {
  return (
    <Suspense fallback={<Loading label="Loading the player" />}>
      <LazyCastPlayer {...props} />
    </Suspense>
  );
}
