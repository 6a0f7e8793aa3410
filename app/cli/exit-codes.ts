/** CLI exit codes, the same for every command. */
export const ExitCode = {
  ok: 0,
  /** The work failed (bad data, a CRM refused, a model could not be trained). */
  failure: 1,
  /** The command line was wrong (unknown command, bad flag, missing option). */
  usage: 2,
} as const;

/** Throw to stop a command with a usage error (exit 2) and a message naming the flag at fault. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
