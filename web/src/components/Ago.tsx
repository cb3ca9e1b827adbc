import { useEffect, useState } from 'react';

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS: [number, Intl.RelativeTimeFormatUnit][] = [
  [60, 'second'],
  [60, 'minute'],
  [24, 'hour'],
  [30, 'day'],
  [12, 'month'],
  [Infinity, 'year'],
];

export function relative(iso: string, now: number): string {
  let amount = (new Date(iso).getTime() - now) / 1000;
  for (const [size, unit] of STEPS) {
    if (Math.abs(amount) < size) return rtf.format(Math.round(amount), unit);
    amount /= size;
  }
  return iso;
}

/** "3 minutes ago", kept current while the page is open; the exact time is in the title and datetime. */
export function Ago({ iso, empty = 'never' }: { iso: string | null | undefined; empty?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  if (!iso || Number.isNaN(new Date(iso).getTime())) return <>{empty}</>;
  return (
    <time dateTime={iso} title={iso}>
      {relative(iso, now)}
    </time>
  );
}
