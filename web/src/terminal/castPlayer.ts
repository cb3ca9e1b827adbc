/** An asciicast v2 recording: a header line, then one `[seconds, code, data]` event per line. */
export interface Cast {
  readonly width: number;
  readonly height: number;
  readonly title: string | null;
  /** Output and resize events in time order. */
  readonly events: readonly { readonly at: number; readonly code: 'o' | 'r'; readonly data: string }[];
  readonly duration: number;
}

export function parseCast(text: string): Cast {
  const lines = text.split('\n').filter((l) => l.trim());
  const header = JSON.parse(lines[0] ?? '{}') as { width?: number; height?: number; title?: string };
  const events: { at: number; code: 'o' | 'r'; data: string }[] = [];
  for (const line of lines.slice(1)) {
    try {
      const [at, code, data] = JSON.parse(line) as [number, string, string];
      if ((code === 'o' || code === 'r') && typeof at === 'number' && typeof data === 'string')
        events.push({ at, code, data });
    } catch {
      // A line cut off at the end of an incomplete recording: the rest still plays.
    }
  }
  return {
    width: header.width ?? 80,
    height: header.height ?? 24,
    title: header.title ?? null,
    events,
    duration: events.at(-1)?.at ?? 0,
  };
}
