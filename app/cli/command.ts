import { InvalidArgumentError, type Command } from 'commander';
import { SuccessEngineError } from '../../core';
import { debugStacksEnabled } from '../config/config';
import { ExitCode, UsageError } from './exit-codes';
import { explainFailure } from './failure-explainer';
import { createOutput, type Output } from './output';

/** Each command file exports one of these; `commands/index.ts` lists them in help order. */
export interface CommandModule {
  register(program: Command): void;
}

/**
 * Wraps a command's action: builds its Output from `--json`, maps errors to exit codes
 * (UsageError → 2, anything else → 1) and, with --json, reports the failure as the one JSON object.
 */
export function action<A extends unknown[]>(run: (out: Output, ...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const json = Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
    const out = createOutput(json);
    try {
      await run(out, ...args);
      process.exitCode ??= ExitCode.ok;
    } catch (error) {
      process.exitCode = reportFailure(out, error);
    }
  };
}

export function reportFailure(out: Output, raw: unknown): number {
  const error = explainFailure(raw);
  const exitCode = error instanceof UsageError ? ExitCode.usage : ExitCode.failure;
  const code = error instanceof SuccessEngineError ? error.code : error instanceof UsageError ? 'CLI.USAGE' : 'CLI.FAILED';
  const message = error instanceof Error ? error.message : String(error);
  if (out.json) out.result({ error: { code, message } });
  out.note(`error [${code}]: ${message}`);
  // One message for the operator; the stack (ours and the cause's) only when asked for.
  if (debugStacksEnabled()) {
    if (error instanceof Error && error.stack) out.note(error.stack);
    if (error instanceof Error && error.cause instanceof Error && error.cause.stack) out.note(`cause: ${error.cause.stack}`);
  } else if (code === 'CLI.FAILED') {
    out.note('(set LOG_LEVEL=debug for the stack trace)');
  }
  return exitCode;
}

/**
 * Parse a positive integer flag. Commander turns InvalidArgumentError into a usage error
 * (exit 2) naming the flag, like any other bad flag.
 */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
    return n;
  };
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parse an ISO 8601 date or date-time flag strictly (Date.parse accepts "March 7" and "2024-02-31"),
 * returning the instant as ISO UTC. A bad date is bad input (exit 1, `CLI.BAD_INPUT`) naming the flag:
 * the command line was well formed, the value is not a day that exists.
 */
export function isoInstant(flag: string) {
  return (value: string): string => {
    const m = ISO_INSTANT.exec(value.trim());
    const ms = m ? Date.parse(value.trim()) : Number.NaN;
    const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    const calendar = new Date(Date.UTC(y, mo - 1, d));
    const real =
      m !== null &&
      !Number.isNaN(ms) &&
      calendar.getUTCFullYear() === y &&
      calendar.getUTCMonth() === mo - 1 &&
      calendar.getUTCDate() === d &&
      Number(m[4] ?? 0) < 24 &&
      Number(m[5] ?? 0) < 60 &&
      Number(m[6] ?? 0) < 60;
    if (!real)
      throw new SuccessEngineError(
        'CLI.BAD_INPUT',
        `${flag} must be an ISO 8601 date or date-time such as 2026-03-31 or 2026-03-31T12:00:00Z, got "${value}"`,
      );
    return new Date(ms).toISOString();
  };
}
