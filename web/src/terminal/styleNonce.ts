/**
 * The terminal (xterm.js) draws with style elements it generates at run time. The console's policy refuses
 * inline styles, except style elements carrying the nonce Steward put in this page's meta tag for exactly this.
 * `withStyleNonce` runs a function (opening a terminal) with every style element it creates given that nonce.
 */
const nonce = (): string | undefined =>
  document.querySelector<HTMLMetaElement>('meta[name="steward-style-nonce"]')?.content || undefined;

export function withStyleNonce<T>(fn: () => T): T {
  const value = nonce();
  if (!value) return fn();
  const original = document.createElement;
  const patched = function (this: Document, tagName: string, options?: ElementCreationOptions) {
    const element = original.call(this, tagName, options);
    if (tagName.toLowerCase() === 'style') (element as HTMLStyleElement).nonce = value;
    return element;
  } as typeof document.createElement;
  document.createElement = patched;
  try {
    return fn();
  } finally {
    document.createElement = original;
  }
}
