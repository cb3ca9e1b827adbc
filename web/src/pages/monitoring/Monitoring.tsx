import { PageHeader } from '../../components/PageHeader';
import { Settings } from './Settings';
import { Fleet } from './Fleet';
import { FleetCharts } from './FleetCharts';
import { Rules } from './Rules';
import { Events } from './Events';

/** Monitoring across the organisation: settings, every server's latest figures, alert rules and what they raised. */
export function Monitoring() {
  return (
    <>
      <PageHeader
        title="Monitoring"
        description="Steward samples each monitored server over its login at every interval: CPU, memory, disk, load, followed logs and security state. Rules turn figures into alerts by e-mail."
      />
      <Fleet />
      <FleetCharts />
      <Rules />
      <Events />
      <Settings />
    </>
  );
}
