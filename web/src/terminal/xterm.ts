import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITerminalInitOnlyOptions, type ITerminalOptions } from '@xterm/xterm';
import { withStyleNonce } from './styleNonce';

/** One look for every terminal in the console: dark, like a terminal, whichever theme the page is in. */
const THEME = {
  background: '#11151b',
  foreground: '#e4e8ee',
  cursor: '#8fb0ff',
  selectionBackground: '#3563e980',
  black: '#1e232c',
  brightBlack: '#6b7585',
  red: '#ff8f80',
  brightRed: '#ffb4a8',
  green: '#7fe09a',
  brightGreen: '#a8f0bb',
  yellow: '#f2c65a',
  brightYellow: '#ffe08f',
  blue: '#8fb0ff',
  brightBlue: '#b8ccff',
  magenta: '#d7a6ff',
  brightMagenta: '#e8c8ff',
  cyan: '#7fd8e0',
  brightCyan: '#a8ecf0',
  white: '#d5d9e0',
  brightWhite: '#ffffff',
};

export interface OpenedTerminal {
  readonly term: Terminal;
  /** Fits the terminal to its box; returns the new size. */
  fit(): { cols: number; rows: number };
  dispose(): void;
}

/** An xterm.js terminal in `element`, sized to it, with its generated styles allowed by the page's nonce. */
export function openTerminal(
  element: HTMLElement,
  options: ITerminalOptions & ITerminalInitOnlyOptions = {},
): OpenedTerminal {
  const term = new Terminal({
    theme: THEME,
    fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace",
    fontSize: 14,
    scrollback: 5000,
    screenReaderMode: false,
    ...options,
  });
  const fitter = new FitAddon();
  term.loadAddon(fitter);
  withStyleNonce(() => term.open(element));
  const fit = () => {
    try {
      fitter.fit();
    } catch {
      // Not laid out yet (hidden); the next resize fits it.
    }
    return { cols: term.cols, rows: term.rows };
  };
  fit();
  return { term, fit, dispose: () => term.dispose() };
}
