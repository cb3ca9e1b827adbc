import { useEffect, useState } from 'react';

export type Theme = 'light' | 'dark';

// Only the colour-theme choice is kept in local storage: it is not personal and not a secret.
const KEY = 'steward.theme';
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function storedChoice(): Theme | null {
  const value = window.localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : null;
}

/**
 * Applies the stored choice before the first render. Without one, the page follows the system setting:
 * the style sheet's `color-scheme: light dark` does that with no script at all.
 */
export function applyStoredTheme(): void {
  const choice = storedChoice();
  if (choice) document.documentElement.dataset.theme = choice;
}

/** The theme in effect and a way to pick the other one (which is then remembered). */
export function useTheme(): [Theme, (next: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => storedChoice() ?? (darkQuery().matches ? 'dark' : 'light'));
  useEffect(() => {
    if (storedChoice()) return;
    const query = darkQuery();
    const follow = () => setTheme(query.matches ? 'dark' : 'light');
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, []);
  const choose = (next: Theme) => {
    window.localStorage.setItem(KEY, next);
    document.documentElement.dataset.theme = next;
    setTheme(next);
  };
  return [theme, choose];
}
