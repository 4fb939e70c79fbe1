/** A run stopped on request (Ctrl-C, the dashboard's cancel): not a failure of the run. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** An error the user caused and can fix (bad flag, scenario, path): one line, exit code 2. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
