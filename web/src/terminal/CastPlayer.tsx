import { useEffect, useRef, useState } from 'react';
import { Button } from '../components/Button';
import { SelectField } from '../components/SelectField';
import type { Cast } from './castPlayer';
import { openTerminal, type OpenedTerminal } from './xterm';

const SPEEDS = [1, 2, 4, 8] as const;
/** Long pauses are shortened on playback, as people expect from a recording. */
const MAX_IDLE = 2;

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

/**
 * Plays an asciicast recording in a read-only terminal: play, pause, speed, and "show all" to jump to the end.
 * The recording is what Steward wrote as the session happened; nothing here can change it.
 */
export function CastPlayer({ cast, label }: { cast: Cast; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const terminal = useRef<OpenedTerminal | null>(null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(2);
  const [index, setIndex] = useState(0);
  const [position, setPosition] = useState(0);

  useEffect(() => {
    if (!box.current) return;
    const opened = openTerminal(box.current, {
      cols: cast.width,
      rows: cast.height,
      disableStdin: true,
      cursorBlink: false,
    });
    opened.term.resize(cast.width, cast.height);
    terminal.current = opened;
    return () => {
      opened.dispose();
      terminal.current = null;
    };
  }, [cast]);

  const apply = (i: number) => {
    const e = cast.events[i];
    const term = terminal.current?.term;
    if (!e || !term) return;
    if (e.code === 'o') term.write(e.data);
    else {
      const [cols, rows] = e.data.split('x').map(Number);
      if (cols && rows) term.resize(cols, rows);
    }
  };

  useEffect(() => {
    if (!playing || index >= cast.events.length) return;
    const previous = index === 0 ? 0 : cast.events[index - 1]!.at;
    const wait = Math.min(MAX_IDLE, Math.max(0, cast.events[index]!.at - previous)) / speed;
    const timer = window.setTimeout(() => {
      apply(index);
      setPosition(cast.events[index]!.at);
      setIndex(index + 1);
      if (index + 1 >= cast.events.length) setPlaying(false);
    }, wait * 1000);
    return () => window.clearTimeout(timer);
    // apply reads the terminal through a ref; the effect follows the playback position.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [playing, index, speed, cast]);

  const restart = () => {
    terminal.current?.term.reset();
    setIndex(0);
    setPosition(0);
    setPlaying(true);
  };
  const showAll = () => {
    setPlaying(false);
    for (let i = index; i < cast.events.length; i++) apply(i);
    setIndex(cast.events.length);
    setPosition(cast.duration);
  };
  const done = index >= cast.events.length;
  return (
    <section className="terminal-panel" aria-label={label}>
      <div className="terminal-bar">
        <div className="row">
          {done ? (
            <Button onClick={restart}>Play again</Button>
          ) : (
            <Button variant="primary" onClick={() => setPlaying(!playing)}>
              {playing ? 'Pause' : index === 0 ? 'Play' : 'Resume'}
            </Button>
          )}
          <Button onClick={showAll} disabled={done}>
            Show all
          </Button>
        </div>
        <SelectField
          label="Speed"
          value={String(speed)}
          onChange={(event) => setSpeed(Number(event.target.value) as (typeof SPEEDS)[number])}
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </SelectField>
        <p role="status" className="terminal-state">
          {clock(position)} of {clock(cast.duration)}
          {done ? ' — played to the end' : playing ? ' — playing' : ''}
        </p>
      </div>
      <div ref={box} className="terminal-box" />
    </section>
  );
}
