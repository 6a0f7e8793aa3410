import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { SuccessEngineError } from '../../../core';
import { evaluateChurn } from '../../../engine/churn/churn-evaluation';
import { fairnessByGroup, fairnessWarning, type FairnessReport } from '../../../engine/metrics/fairness.metrics';
import { buildLabelledTable, parseCsvText, type CsvText } from '../../../engine/tabular/csv-table';
import { action, positiveInt } from '../command';
import { explainCsvError } from '../csv-input';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

interface EvaluateChurnFlags {
  input: string;
  label: string;
  positive: string;
  negative?: string;
  id?: string;
  ignore?: string;
  folds: number;
  seed: number;
  fairnessBy?: string;
  threshold: number;
  json?: boolean;
}

function probability(flag: string): (value: string) => number {
  return (value) => {
    const v = Number(value);
    if (!(v > 0 && v < 1)) throw new UsageError(`${flag} must be a probability between 0 and 1 (exclusive), got "${value}"`);
    return v;
  };
}

const fixed = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

/** `success-engine evaluate churn`: out-of-fold churn metrics on any labelled CSV. */
export function registerEvaluateChurn(evaluate: Command): void {
  evaluate
    .command('churn')
    .description(
      'Train and score churn out of fold on a labelled CSV; prints ROC-AUC, PR-AUC, Brier, ECE and a calibration table / 在带标签的 CSV 上交叉验证流失模型',
    )
    .requiredOption('--input <file>', 'CSV file with a header row (types are inferred; blank cells are missing)')
    .requiredOption('--label <column>', 'column holding the outcome')
    .requiredOption('--positive <value>', 'label value that means churned')
    .option(
      '--negative <values>',
      'comma-separated label values that mean stayed (needed when the label has more than two values; others are refused)',
    )
    .option('--id <column>', 'identifier column (not used as a feature)')
    .option('--ignore <columns>', 'comma-separated columns to leave out')
    .option('--folds <n>', 'cross-validation folds (within each class, the k-th row goes to fold k mod n)', positiveInt('--folds'), 5)
    .option('--seed <n>', 'seed for tree subsampling', positiveInt('--seed'), 1)
    .option(
      '--fairness-by <column>',
      'attribute column (region, segment, plan, language…) to compare groups on: selection rate at --threshold, four-fifths ratio, calibration per group',
    )
    .option('--threshold <p>', 'alert threshold for --fairness-by (an account at or above it is flagged)', probability('--threshold'), 0.6)
    .option('--json', 'print one JSON object on stdout')
    .action(
      action((out, flags: EvaluateChurnFlags) => {
        if (flags.folds < 2) throw new UsageError(`--folds must be at least 2, got ${flags.folds}`);
        let text: string;
        try {
          text = readFileSync(flags.input, 'utf8');
        } catch (error) {
          throw new UsageError(`--input: cannot read ${flags.input} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        }
        const started = process.hrtime.bigint();
        const ignore =
          flags.ignore
            ?.split(',')
            .map((c) => c.trim())
            .filter((c) => c !== '') ?? [];
        let csv;
        try {
          csv = parseCsvText(text);
        } catch (error) {
          throw explainCsvError(flags.input, error) ?? error;
        }
        assertLabelValuesKnown(csv, flags);
        assertNumericColumnsClean(csv, flags, ignore);
        let labelled;
        try {
          labelled = buildLabelledTable(csv, {
            label: flags.label,
            positive: flags.positive,
            ignore,
            ...(flags.id === undefined ? {} : { id: flags.id }),
          });
        } catch (error) {
          // A column named on the command line but absent from the file is a usage error.
          if (error instanceof SuccessEngineError && typeof error.details.column === 'string') throw new UsageError(error.message);
          throw error;
        }
        const { table, labels, droppedColumns, skippedRows } = labelled;
        const fairnessColumn = flags.fairnessBy === undefined ? -1 : csv.header.indexOf(flags.fairnessBy);
        if (flags.fairnessBy !== undefined && fairnessColumn < 0)
          throw new UsageError(`--fairness-by: column "${flags.fairnessBy}" is not in the CSV header (${csv.header.join(', ')})`);
        out.note(
          `${table.rowCount} rows, ${table.columns.length} feature columns (${table.columns.filter((c) => c.kind === 'numeric').length} numeric)`,
        );
        for (const dropped of droppedColumns) out.note(`column "${dropped.name}" left out: ${dropped.reason}`);
        if (skippedRows.length > 0) out.note(`${skippedRows.length} rows skipped: blank ${flags.label}`);
        const evaluation = evaluateChurn(table, labels, flags.folds, { seed: flags.seed }, (fold) =>
          out.note(`fold ${fold.fold + 1}/${flags.folds}: ${fold.model}, ${fold.trees} trees, λ=${fold.lambda}`),
        );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const r = evaluation.report;
        out.line(bilingual('Churn model, out-of-fold evaluation', '流失模型交叉验证评估'));
        out.line(
          `${bilingual('Rows', '行数')}: ${r.n}   ${bilingual('churned', '已流失')}: ${r.positives}   ${bilingual('folds', '折数')}: ${flags.folds}`,
        );
        out.line(`${bilingual('Model', '模型')}: ${evaluation.model}`);
        out.line(`ROC-AUC  ${fixed(r.rocAuc)}`);
        out.line(`PR-AUC   ${fixed(r.prAuc)}`);
        out.line(`Brier    ${fixed(r.brier)}`);
        out.line(`ECE(10)  ${fixed(r.ece)}`);
        out.line();
        out.line(bilingual('Calibration (predicted vs observed churn rate)', '校准表（预测与实际流失率）'));
        out.line(`  ${'bin'.padEnd(11)} ${'rows'.padStart(6)} ${'predicted'.padStart(10)} ${'observed'.padStart(10)}`);
        for (const bin of r.calibration) {
          out.line(
            `  ${`${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}`.padEnd(11)} ${String(bin.count).padStart(6)} ${fixed(bin.meanPredicted).padStart(10)} ${fixed(bin.observedRate).padStart(10)}`,
          );
        }
        let fairness: FairnessReport | null = null;
        if (flags.fairnessBy !== undefined) {
          const groups = Array.from(labelled.sourceRows, (r) => csv.rows[r]?.[fairnessColumn] ?? null);
          fairness = fairnessByGroup(flags.fairnessBy, evaluation.probabilities, labels, groups, flags.threshold);
          printFairness(out, fairness);
        }
        const example = evaluation.example;
        if (example) {
          out.line();
          out.line(
            `${bilingual('Reasons for the riskiest held-out account', '风险最高的测试客户的原因')} (${labelled.ids[example.row] ?? example.row}, ${(example.probability * 100).toFixed(0)}%):`,
          );
          for (const driver of example.drivers) out.line(`  ${driver.text.en} / ${driver.text.zh}`);
        }
        out.line();
        out.line(`${bilingual('Time', '耗时')}: ${seconds.toFixed(1)} s`);
        out.result({
          rocAuc: r.rocAuc,
          prAuc: r.prAuc,
          brier: r.brier,
          ece: r.ece,
          n: r.n,
          positives: r.positives,
          model: evaluation.model,
          logLoss: r.logLoss,
          folds: evaluation.folds,
          calibration: r.calibration,
          droppedColumns,
          skippedRows: skippedRows.length,
          fairness: fairness ? { ...fairness, warning: fairnessWarning(fairness) } : null,
          example: example ? { id: labelled.ids[example.row], probability: example.probability, drivers: example.drivers } : null,
          seconds: Number(seconds.toFixed(2)),
        });
      }),
    );
}

function printFairness(out: { line(text?: string): void }, report: FairnessReport): void {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  out.line();
  out.line(
    `${bilingual(`Fairness by ${report.attribute} at alert threshold ${report.threshold}`, `按 ${report.attribute} 分组的公平性（预警阈值 ${report.threshold}）`)}`,
  );
  out.line(
    `  ${'group'.padEnd(16)} ${'rows'.padStart(6)} ${'flagged'.padStart(8)} ${'ratio'.padStart(6)} ${'predicted'.padStart(10)} ${'observed'.padStart(10)}`,
  );
  for (const g of report.groups) {
    const mark = g.belowFourFifths ? '  < 0.8' : g.small ? `  (${bilingual('few rows', '样本少')})` : '';
    out.line(
      `  ${g.group.slice(0, 16).padEnd(16)} ${String(g.accounts).padStart(6)} ${pct(g.selectionRate).padStart(8)} ${(g.impactRatio === null ? 'n/a' : g.impactRatio.toFixed(2)).padStart(6)} ${pct(g.meanPredicted).padStart(10)} ${pct(g.observedRate).padStart(10)}${mark}`,
    );
  }
  out.line(
    `${bilingual('Four-fifths ratio (lowest / highest selection rate)', '五分之四比率（最低/最高标记率）')}: ${report.fourFifthsRatio === null ? 'n/a' : report.fourFifthsRatio.toFixed(2)}`,
  );
  const warning = fairnessWarning(report);
  if (warning) {
    out.line(`${bilingual('Warning', '警告')}: ${warning.en}`);
    out.line(`  ${warning.zh}`);
  }
}

/**
 * Every label value must be the positive one or a known negative: an unexpected value ("Maybe",
 * a typo) silently counted as "stayed" would bend every figure.
 */
function assertLabelValuesKnown(csv: CsvText, flags: Pick<EvaluateChurnFlags, 'input' | 'label' | 'positive' | 'negative'>): void {
  const labelIndex = csv.header.indexOf(flags.label);
  if (labelIndex < 0) return; // buildLabelledTable names the missing column
  const negatives = flags.negative
    ?.split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const seen = new Map<string, number>();
  csv.rows.forEach((row, r) => {
    const value = (row[labelIndex] ?? '').trim();
    if (value !== '' && !seen.has(value)) seen.set(value, r);
  });
  if (negatives) {
    for (const [value, r] of seen) {
      if (value !== flags.positive && !negatives.includes(value)) {
        throw new SuccessEngineError(
          'CLI.BAD_INPUT',
          `${flags.input}: data row ${r + 1}, column "${flags.label}": "${value}" is neither --positive "${flags.positive}" nor one of --negative ${negatives.join(', ')}; fix the row or add the value to --positive/--negative`,
          { row: r + 1, column: flags.label },
        );
      }
    }
    return;
  }
  const others = [...seen.keys()].filter((v) => v !== flags.positive);
  if (others.length > 1) {
    throw new SuccessEngineError(
      'CLI.BAD_INPUT',
      `${flags.input}: column "${flags.label}" holds ${others.length + 1} values (${[...seen.keys()].slice(0, 10).join(', ')}); say which mean "stayed" with --negative (comma-separated), so no unknown value is counted as a negative`,
      { column: flags.label },
    );
  }
}

/**
 * A column whose cells are numbers except a few stray texts ("n/a", "12,5") would be read as a
 * category and lose its meaning: refuse it, naming the first bad cell.
 */
function assertNumericColumnsClean(
  csv: CsvText,
  flags: Pick<EvaluateChurnFlags, 'input' | 'label' | 'id'>,
  ignore: readonly string[],
): void {
  csv.header.forEach((name, c) => {
    if (name === flags.label || name === flags.id || ignore.includes(name)) return;
    let numbers = 0;
    let firstText: { row: number; value: string } | undefined;
    let texts = 0;
    csv.rows.forEach((row, r) => {
      const cell = (row[c] ?? '').trim();
      if (cell === '') return;
      if (Number.isFinite(Number(cell))) numbers++;
      else {
        texts++;
        firstText ??= { row: r, value: cell };
      }
    });
    if (firstText && numbers >= 0.9 * (numbers + texts)) {
      throw new SuccessEngineError(
        'CLI.BAD_INPUT',
        `${flags.input}: column "${name}" is numeric but data row ${firstText.row + 1} holds "${firstText.value}" (${texts} such cell${texts === 1 ? '' : 's'}); fix or blank those cells (blank is missing), or leave the column out with --ignore ${name}`,
        { row: firstText.row + 1, column: name },
      );
    }
  });
}
