import type { NewProviderAccount } from '../../api/types';

/**
 * Reads the `export NAME='value'` lines that `npm start -- --sandbox` (and `steward sandbox`) print, as pasted
 * into a one-line password field (which drops line breaks). Returns the account bodies they describe.
 */
export function sandboxAccounts(text: string): NewProviderAccount[] {
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/([A-Z][A-Z0-9_]*)=('(?:[^']|'\\'')*'|"[^"]*"|[^\s'"]+)/g)) {
    const raw = m[2]!;
    const value = raw.startsWith("'")
      ? raw.slice(1, -1).replace(/'\\''/g, "'")
      : raw.startsWith('"')
        ? raw.slice(1, -1)
        : raw;
    vars.set(m[1]!, value);
  }
  const out: NewProviderAccount[] = [];
  const ec2 = vars.get('AWS_ENDPOINT_URL_EC2');
  const keyId = vars.get('AWS_ACCESS_KEY_ID');
  const secret = vars.get('AWS_SECRET_ACCESS_KEY');
  if (ec2 && keyId && secret)
    out.push({
      provider: 'ec2',
      name: 'Sandbox EC2',
      region: vars.get('AWS_DEFAULT_REGION') ?? 'us-east-1',
      endpoint: ec2,
      accessKeyId: keyId,
      secretAccessKey: secret,
    });
  const elastic = vars.get('ELASTICHOSTS_URL');
  const user = vars.get('ELASTICHOSTS_USER');
  const key = vars.get('ELASTICHOSTS_KEY');
  if (elastic && user && key)
    out.push({ provider: 'elastichosts', name: 'Sandbox ElasticStack', baseUrl: elastic, user, secretKey: key });
  return out;
}
