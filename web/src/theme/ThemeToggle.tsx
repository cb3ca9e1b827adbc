import { useTheme } from './theme';

/** One button: it says which theme it switches to, and is pressed while the dark theme is on. */
export function ThemeToggle() {
  const [theme, choose] = useTheme();
  const dark = theme === 'dark';
  return (
    <button
      type="button"
      className="btn btn-ghost icon-btn"
      aria-pressed={dark}
      onClick={() => choose(dark ? 'light' : 'dark')}
      title={dark ? 'Switch to the light theme' : 'Switch to the dark theme'}
    >
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span>
      <span className="visually-hidden">Dark theme</span>
    </button>
  );
}
