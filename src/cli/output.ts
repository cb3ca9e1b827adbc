/** The CLI's one way to print results (stdout); diagnostics go to stderr. */
export const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
