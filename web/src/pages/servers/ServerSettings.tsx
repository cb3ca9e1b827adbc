import { Remove } from './Remove';
import { Schedule } from './Schedule';

/** How often Steward looks at the server, and removing it. */
export function ServerSettings() {
  return (
    <>
      <Schedule />
      <Remove />
    </>
  );
}
