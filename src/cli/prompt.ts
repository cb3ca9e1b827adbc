import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AppError } from '../kernel/errors.js';
import { Secret } from '../kernel/secret.js';

/** Reads all of standard input (for --password-stdin and piped tokens), without the trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks a question on the terminal; with `hidden`, what is typed is not echoed. Secrets never come from argv. */
export async function ask(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY)
    throw new AppError(
      'STEWARD_INVALID_INPUT',
      `${question.replace(/:\s*$/, '')} is needed: run in a terminal, or pipe it with the --*-stdin option.`,
    );
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => {
        if (hidden) process.stderr.write('\n');
        resolve(answer);
      });
      muted = hidden;
    });
  } finally {
    rl.close();
  }
}

export async function askSecret(question: string, fromStdin: boolean): Promise<Secret<string>> {
  return new Secret(fromStdin ? await readStdin() : await ask(question, true));
}
