import { type Writable } from 'node:stream';

/**
 * Where a command writes. Progress and logs go to stderr; with `--json`, stdout holds exactly one
 * JSON object and nothing else. Commands take an Output so tests can capture both streams.
 */
export interface Output {
  readonly json: boolean;
  /** Human-readable result lines (stdout), suppressed with --json. */
  line(text?: string): void;
  /** The one JSON object for --json (stdout); ignored without --json. */
  result(value: unknown): void;
  /** Progress and notes (stderr), shown in both modes. */
  note(text: string): void;
  readonly stderr: Writable;
}

export function createOutput(json: boolean, stdout: Writable = process.stdout, stderr: Writable = process.stderr): Output {
  let resultWritten = false;
  return {
    json,
    stderr,
    line(text = '') {
      if (!json) stdout.write(`${text}\n`);
    },
    result(value) {
      if (!json) return;
      if (resultWritten) throw new Error('a command may print only one JSON object');
      resultWritten = true;
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
  };
}
