import { type Command } from 'commander';
import type { CommandModule } from '../command';
import { registerEvaluateChurn } from './evaluate-churn.command';
import { registerEvaluateClv } from './evaluate-clv.command';
import { registerEvaluateSentiment } from './evaluate-sentiment.command';

/**
 * `success-engine evaluate <subcommand>`: this file only creates the parent command. Each
 * subcommand lives in its own `evaluate-<name>.command.ts` and exports a
 * `register…(evaluate: Command)` function that attaches itself to the parent; to add one, import
 * its registrar and append it to `subcommands` below.
 */
const subcommands: readonly ((evaluate: Command) => void)[] = [registerEvaluateChurn, registerEvaluateClv, registerEvaluateSentiment];

export const evaluateCommand: CommandModule = {
  register(program: Command) {
    const evaluate = program.command('evaluate').description('Measure a model out of sample on your own file / 用您自己的文件离线评估模型');
    for (const register of subcommands) register(evaluate);
  },
};
