import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from '../components/Loading';

// xterm.js is most of the console's weight and only terminal pages need it: it loads with the first of them.
const WebTerminal = lazy(() => import('./WebTerminal').then((m) => ({ default: m.WebTerminal })));

/** The web terminal, its code loaded the first time one is shown. */
export function LazyWebTerminal(props: ComponentProps<typeof WebTerminal>) {
  return (
    <Suspense fallback={<Loading label="Loading the terminal" />}>
      <WebTerminal {...props} />
    </Suspense>
  );
}
