/**
 * PHP configuration files that hold database credentials: WordPress `wp-config.php`
 * (`define( 'DB_PASSWORD', '...' );`, `$table_prefix = 'wp_';`), Drupal `settings.php`
 * (`'password' => '...'` inside `$databases`, `$settings['hash_salt'] = '...'`), Joomla `configuration.php`
 * (`public $password = '...';`) and Nextcloud `config/config.php` (`'dbpassword' => '...'`). Only literal
 * strings are read; a value computed by PHP code (getenv(), a constant) is not a value we can know.
 */
import { splitLines } from './util.js';

export interface PhpSetting {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/** A PHP string literal: single quotes know only \' and \\; double quotes also \n, \t, \$ and friends. */
const STR = String.raw`'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"`;

function phpString(single: string | undefined, double: string | undefined): string {
  if (single !== undefined) return single.replace(/\\(['\\])/g, '$1');
  return (double ?? '').replace(/\\([nrtv"\\$]|x[0-9a-fA-F]{1,2})/g, (_, c: string) => {
    if (c.startsWith('x')) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[c] ?? c;
  });
}

const PATTERNS: RegExp[] = [
  // define( 'NAME', 'value' );
  new RegExp(String.raw`\bdefine\s*\(\s*(?:${STR})\s*,\s*(?:${STR})\s*(?:,\s*\w+\s*)?\)`, 'g'),
  // 'name' => 'value'
  new RegExp(String.raw`(?:${STR})\s*=>\s*(?:${STR})`, 'g'),
  // $name = 'value';  public $name = 'value';  $settings['name'] = 'value';
  new RegExp(String.raw`\$(\w+)(?:\s*\[\s*(?:${STR})\s*\])?\s*=\s*(?:${STR})\s*;`, 'g'),
];

/**
 * The text with PHP comments (`//`, `#`, block comments) blanked out, keeping line breaks and leaving string
 * literals alone, so a commented-out credential is not reported and a `/*` inside a password is not a comment.
 */
export function blankPhpComments(text: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out.push(text.slice(i, stop).replace(/[^\n]/g, ' '));
      i = stop;
    } else if ((c === '/' && next === '/') || c === '#') {
      let j = i;
      // A line comment ends at the end of the line or at a closing `?>`.
      while (j < text.length && text[j] !== '\n' && !(text[j] === '?' && text[j + 1] === '>')) j++;
      out.push(' '.repeat(j - i));
      i = j;
    } else {
      out.push(c);
      i++;
    }
  }
  return out.join('');
}

export function parsePhpConfig(content: string | null): PhpSetting[] {
  const out: PhpSetting[] = [];
  const text = blankPhpComments(splitLines(content).join('\n'));
  const lineOf = (index: number): number => text.slice(0, index).split('\n').length;
  for (const [pi, re] of PATTERNS.entries()) {
    for (const m of text.matchAll(re)) {
      let key: string;
      let value: string;
      if (pi === 2) {
        key = m[2] !== undefined || m[3] !== undefined ? phpString(m[2], m[3]) : (m[1] ?? '');
        value = phpString(m[4], m[5]);
      } else {
        key = phpString(m[1], m[2]);
        value = phpString(m[3], m[4]);
      }
      if (key) out.push({ key, value, line: lineOf(m.index) });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
