/** Real third-party clients written in Python (Debian's packages), run against the sandbox clouds. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's interpreter: the packages live in its dist-packages, not in any other Python on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * Fails with how to install it when a Python module from a Debian package is missing (the test command's
 * prerequisite step installs them; see scripts/testhosts-prereqs.sh).
 */
export async function assertPythonModule(module: string, debianPackage: string): Promise<void> {
  const missing = `${debianPackage} is not installed. Run \`bash scripts/testhosts-prereqs.sh\` as root (or \`apt-get install -y ${debianPackage}\`).`;
  if (!existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} is missing. ${missing}`);
  try {
    await run(SYSTEM_PYTHON, ['-c', `import ${module}`], { env: { PATH: '/usr/bin:/bin' } });
  } catch {
    throw new Error(missing);
  }
}

/**
 * Runs a Python script (given on stdin, never in argv) with only `env` and a plain PATH; the script prints one JSON
 * document on stdout, which is returned. Secrets travel in `env`, never in arguments.
 */
export async function runPythonJson<T>(script: string, env: Record<string, string>, timeoutMs = 120_000): Promise<T> {
  const child = execFile(SYSTEM_PYTHON, ['-'], {
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', PYTHONDONTWRITEBYTECODE: '1', ...env },
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'buffer',
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => err.push(d));
  child.stdin?.end(script);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const stdout = Buffer.concat(out).toString('utf8');
  if (code !== 0) throw new Error(`python exited ${code}: ${Buffer.concat(err).toString('utf8').slice(-4000)}`);
  return JSON.parse(stdout) as T;
}
