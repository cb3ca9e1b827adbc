/** An EC2 error answer: the code and message go into `<Response><Errors><Error>`. */
export class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const notFoundIds = (code: string, noun: string, ids: readonly string[]): Ec2Fault =>
  new Ec2Fault(
    code,
    ids.length === 1 ? `The ${noun} ID '${ids[0]}' does not exist` : `The ${noun} IDs '${ids.join(', ')}' do not exist`,
  );
