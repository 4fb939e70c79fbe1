/** An error the user caused and can fix (bad flag, scenario, path): one line, exit code 2. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
