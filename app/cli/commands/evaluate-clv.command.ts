import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { SuccessEngineError } from '../../../core';
import { dayNumber, type Purchase } from '../../../engine/clv/customer-summary';
import { evaluateClv } from '../../../engine/clv/clv-evaluation';
import { action } from '../command';
import { parseCsvInput } from '../csv-input';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

interface EvaluateClvFlags {
  input: string;
  format: 'csv' | 'cdnow';
  customerCol?: string;
  dateCol?: string;
  amountCol?: string;
  calibrationEnd: string;
  holdoutEnd: string;
  json?: boolean;
}

/**
 * `success-engine evaluate clv`: fit BG/NBD + Gamma-Gamma on the calibration period and report
 * holdout accuracy. Exported as a registrar so the `evaluate` parent (owned by the churn command)
 * can attach it.
 */
export function registerEvaluateClv(evaluate: Command): void {
  evaluate
    .command('clv')
    .description(
      'Fit BG/NBD and Gamma-Gamma on a calibration period and check the holdout / 在校准期拟合 BG/NBD 与 Gamma-Gamma 模型并检验保留期',
    )
    .requiredOption('--input <file>', 'transactions file (CSV with a header, or CDNOW text)')
    .addOption(new Option('--format <format>', 'input format').choices(['csv', 'cdnow']).default('csv'))
    .option('--customer-col <name>', 'CSV column with the customer id')
    .option('--date-col <name>', 'CSV column with the purchase date (YYYY-MM-DD, YYYYMMDD or ISO date-time)')
    .option('--amount-col <name>', 'CSV column with the purchase amount')
    .requiredOption('--calibration-end <YYYY-MM-DD>', 'last day of the calibration period')
    .requiredOption('--holdout-end <YYYY-MM-DD>', 'last day of the holdout period')
    .option('--json', 'print one JSON object on stdout')
    .action(
      action((out, flags: EvaluateClvFlags) => {
        const calibrationEnd = dateFlag('--calibration-end', flags.calibrationEnd);
        const holdoutEnd = dateFlag('--holdout-end', flags.holdoutEnd);
        if (holdoutEnd <= calibrationEnd) throw new UsageError('--holdout-end must be after --calibration-end');
        let text: string;
        try {
          text = readFileSync(flags.input, 'utf8');
        } catch (error) {
          throw new SuccessEngineError(
            'CLI.INPUT_UNREADABLE',
            `cannot read --input ${flags.input}: ${error instanceof Error ? error.message : String(error)}`,
            {},
            { cause: error },
          );
        }
        const purchases = flags.format === 'cdnow' ? parseCdnow(text) : parseCsv(text, flags, flags.input);
        assertPeriodsHoldData(purchases, calibrationEnd, holdoutEnd, flags);
        out.note(`${purchases.length} purchases read from ${flags.input}`);
        const ev = evaluateClv(purchases, { calibrationEnd, holdoutEnd });
        const { r, alpha, a, b, logLik } = ev.bgnbd;
        const { p, q, gamma } = ev.gammaGamma;
        out.line(bilingual('CLV model evaluation (time in weeks)', '客户终身价值模型评估（时间单位：周）'));
        out.line(`${bilingual('Customers', '客户数')}: ${ev.customers} (${bilingual('repeat', '复购')}: ${ev.repeatCustomers})`);
        out.line(
          `BG/NBD: r=${r.toFixed(4)} alpha=${alpha.toFixed(4)} a=${a.toFixed(4)} b=${b.toFixed(4)} ${bilingual('log-likelihood', '对数似然')}=${logLik.toFixed(2)}`,
        );
        out.line(`Gamma-Gamma: p=${p.toFixed(4)} q=${q.toFixed(4)} gamma=${gamma.toFixed(4)}`);
        out.line(`${bilingual('Holdout', '保留期')}: ${ev.holdoutWeeks.toFixed(1)} ${bilingual('weeks', '周')}`);
        out.line(`${bilingual('Per-customer MAE', '每客户平均绝对误差')}: ${ev.holdoutMae.toFixed(4)}`);
        out.line(
          `${bilingual('Aggregate error', '总量误差')}: ${ev.aggregateErrorPct.toFixed(2)}% (${bilingual('predicted', '预测')} ${ev.predictedHoldoutTransactions.toFixed(1)}, ${bilingual('actual', '实际')} ${ev.actualHoldoutTransactions})`,
        );
        out.result({
          bgnbd: { r, alpha, a, b, logLik },
          gammaGamma: { p, q, gamma },
          holdoutMae: ev.holdoutMae,
          aggregateErrorPct: ev.aggregateErrorPct,
          customers: ev.customers,
          repeatCustomers: ev.repeatCustomers,
          holdoutWeeks: ev.holdoutWeeks,
          predictedHoldoutTransactions: ev.predictedHoldoutTransactions,
          actualHoldoutTransactions: ev.actualHoldoutTransactions,
          converged: ev.fits.bgnbd.converged && ev.fits.gammaGamma.converged,
        });
      }),
    );
}

/**
 * Both periods must hold purchases: a calibration before the first purchase has nothing to fit,
 * and an empty holdout has nothing to check against (its error would be NaN%).
 */
function assertPeriodsHoldData(
  purchases: readonly Purchase[],
  calibrationEnd: number,
  holdoutEnd: number,
  flags: Pick<EvaluateClvFlags, 'input' | 'calibrationEnd' | 'holdoutEnd'>,
): void {
  if (purchases.length === 0) throw new SuccessEngineError('CLI.BAD_INPUT', `${flags.input} holds no purchases`);
  let first = Infinity;
  let last = -Infinity;
  let inHoldout = 0;
  for (const p of purchases) {
    first = Math.min(first, p.day);
    last = Math.max(last, p.day);
    if (p.day > calibrationEnd && p.day <= holdoutEnd) inHoldout++;
  }
  const span = `the purchases in ${flags.input} run from ${dayText(first)} to ${dayText(last)}`;
  if (calibrationEnd < first)
    throw new SuccessEngineError(
      'CLI.BAD_INPUT',
      `--calibration-end ${flags.calibrationEnd} is before the first purchase: ${span}; choose a date inside that range`,
    );
  if (inHoldout === 0)
    throw new SuccessEngineError(
      'CLI.BAD_INPUT',
      `no purchases between --calibration-end ${flags.calibrationEnd} and --holdout-end ${flags.holdoutEnd}, so the holdout has nothing to check: ${span}; choose dates inside that range`,
    );
}

const dayText = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

function dateFlag(flag: string, value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`${flag} must be YYYY-MM-DD, got "${value}"`);
  try {
    return dayNumber(value);
  } catch {
    throw new UsageError(`${flag} is not a calendar date: "${value}"`);
  }
}

/**
 * CDNOW text: whitespace-separated `customer [sample-id] YYYYMMDD units amount`. The first column
 * is the customer; the optional second is the 1–2357 sample index, which is just another label.
 */
export function parseCdnow(text: string): Purchase[] {
  const out: Purchase[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    if (f.length !== 4 && f.length !== 5)
      throw new SuccessEngineError(
        'CLI.BAD_INPUT',
        `line ${i + 1}: expected 4 or 5 fields (customer [sample] date units amount), got ${f.length}`,
        { line: i + 1 },
      );
    const date = f[f.length - 3] as string;
    const amount = Number(f[f.length - 1]);
    if (!Number.isFinite(amount))
      throw new SuccessEngineError('CLI.BAD_INPUT', `line ${i + 1}: amount "${f[f.length - 1]}" is not a number`, { line: i + 1 });
    out.push({ customerId: f[0] as string, day: lineDay(date, i + 1), amount });
  });
  return out;
}

export function parseCsv(
  text: string,
  flags: Pick<EvaluateClvFlags, 'customerCol' | 'dateCol' | 'amountCol'>,
  file = '--input',
): Purchase[] {
  const customerCol = flags.customerCol;
  const dateCol = flags.dateCol;
  const amountCol = flags.amountCol;
  if (!customerCol || !dateCol || !amountCol)
    throw new UsageError('--customer-col, --date-col and --amount-col are required with --format csv');
  const rows = parseCsvInput<Record<string, string>>(file, text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  const header = rows[0] ? Object.keys(rows[0]) : [];
  for (const [flag, col] of [
    ['--customer-col', customerCol],
    ['--date-col', dateCol],
    ['--amount-col', amountCol],
  ] as const) {
    if (rows.length > 0 && !header.includes(col))
      throw new UsageError(`${flag} "${col}" is not a column of the input (columns: ${header.join(', ')})`);
  }
  return rows.map((row, i) => {
    const line = i + 2;
    const customerId = row[customerCol] ?? '';
    if (customerId === '') throw new SuccessEngineError('CLI.BAD_INPUT', `row ${line}: column "${customerCol}" is empty`, { line });
    const amountText = (row[amountCol] ?? '').replace(/[$,\s]/g, '');
    const amount = amountText === '' ? 0 : Number(amountText);
    if (!Number.isFinite(amount))
      throw new SuccessEngineError('CLI.BAD_INPUT', `row ${line}: column "${amountCol}" is not a number: "${row[amountCol]}"`, { line });
    return { customerId, day: lineDay(row[dateCol] ?? '', line, dateCol), amount };
  });
}

function lineDay(text: string, line: number, column?: string): number {
  try {
    return dayNumber(text);
  } catch {
    const where = column ? `row ${line}: column "${column}"` : `line ${line}`;
    throw new SuccessEngineError('CLI.BAD_INPUT', `${where}: not a date: "${text}"`, { line });
  }
}
