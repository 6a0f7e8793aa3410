#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { commands } from './commands';
import { reportFailure } from './command';
import { ExitCode } from './exit-codes';
import { createOutput } from './output';

export function buildProgram(): Command {
  const program = new Command('success-engine')
    .description(
      'Churn probability with reasons, lifetime value with intervals and next best actions, inside your CRM.\n客户成功引擎：流失概率及原因、客户终身价值区间、下一步最佳行动。',
    )
    .version(readVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run `success-engine --help` for the commands and their flags)');
  for (const command of commands) command.register(program);
  applyUsageExitCode(program);
  return program;
}

/** Usage errors (unknown command, bad flag, missing option) exit 2 in every subcommand. */
function applyUsageExitCode(command: Command): void {
  command.exitOverride((error: CommanderError) => {
    const benign = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    throw new CommanderError(benign ? ExitCode.ok : ExitCode.usage, error.code, error.message);
  });
  for (const sub of command.commands) applyUsageExitCode(sub);
}

function readVersion(): string {
  // app/cli/main.ts sits two levels below package.json, dist/app/cli/main.js three.
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, candidate), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next layout */
    }
  }
  return '0.0.0';
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp();
    return ExitCode.usage;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Under --json a usage error is still the one JSON object on stdout (commander printed the text).
      if (error.exitCode === ExitCode.usage && argv.includes('--json'))
        createOutput(true).result({ error: { code: 'CLI.USAGE', message: error.message.replace(/^error: /, '') } });
      return error.exitCode;
    }
    return reportFailure(createOutput(argv.includes('--json')), error);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportFailure(createOutput(process.argv.includes('--json')), error);
    },
  );
}
