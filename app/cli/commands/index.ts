import type { CommandModule } from '../command';
import { backtestCommand } from './backtest.command';
import { connectCommand } from './connect.command';
import { demoCommand } from './demo.command';
import { modelsCommand } from './models.command';
import { evaluateCommand } from './evaluate.command';
import { sandboxCommand } from './sandbox.command';
import { workerCommand } from './worker.command';
import { syncCommand } from './sync.command';
import { scoreCommand } from './score.command';
import { serveCommand } from './serve.command';

/** Every CLI command, in the order `--help` lists them. Add new commands here. */
export const commands: readonly CommandModule[] = [
  demoCommand,
  sandboxCommand,
  evaluateCommand,
  backtestCommand,
  modelsCommand,
  serveCommand,
  workerCommand,
  connectCommand,
  syncCommand,
  scoreCommand,
];
