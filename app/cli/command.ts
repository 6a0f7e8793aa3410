import { InvalidArgumentError, type Command } from 'commander';
import { SuccessEngineError } from '../../core';
import { ExitCode, UsageError } from './exit-codes';
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

export function reportFailure(out: Output, error: unknown): number {
  const exitCode = error instanceof UsageError ? ExitCode.usage : ExitCode.failure;
  const code = error instanceof SuccessEngineError ? error.code : error instanceof UsageError ? 'CLI.USAGE' : 'CLI.FAILED';
  const message = error instanceof Error ? error.message : String(error);
  if (out.json) out.result({ error: { code, message } });
  out.note(`error [${code}]: ${message}`);
  if (exitCode === ExitCode.failure && !(error instanceof SuccessEngineError) && error instanceof Error && error.stack) {
    out.note(error.stack);
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
