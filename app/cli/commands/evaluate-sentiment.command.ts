import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Command } from 'commander';
import { SuccessEngineError } from '../../../core';
import { loadConfig } from '../../config/config';
import {
  evaluateSentimentAsConfigured,
  evaluateSentimentCrossValidated,
  openTextModel,
  PiiMasker,
  type SentimentEvaluation,
} from '../../../engine/text';
import { action, positiveInt } from '../command';
import { parseCsvInput } from '../csv-input';
import { UsageError } from '../exit-codes';
import { bilingual } from '../i18n';

interface SentimentOptions {
  input: string;
  textCol: string;
  labelCol: string;
  cv?: number;
}

/** Rows of a CSV or TSV file (by extension), with a header line. */
export function readLabelledText(file: string, textCol: string, labelCol: string): { texts: string[]; labels: string[] } {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.tsv') throw new UsageError(`--input must end in .csv or .tsv, got "${file}"`);
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    throw new UsageError(`--input: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  // TSV exports (GLUE, spreadsheets) rarely quote; a stray " must stay text.
  const rows = parseCsvInput<Record<string, string | undefined>>(file, content, {
    columns: true,
    bom: true,
    delimiter: ext === '.tsv' ? '\t' : ',',
    quote: ext === '.tsv' ? false : '"',
    skip_empty_lines: true,
    relax_column_count: true,
  });
  const header = rows.length > 0 ? Object.keys(rows[0] as object) : [];
  for (const [flag, col] of [
    ['--text-col', textCol],
    ['--label-col', labelCol],
  ] as const) {
    if (!header.includes(col))
      throw new UsageError(`${flag} "${col}" is not a column of ${file} (columns: ${header.join(', ') || 'none'})`);
  }
  const texts: string[] = [];
  const labels: string[] = [];
  rows.forEach((row, i) => {
    const label = row[labelCol]?.trim();
    if (!label) throw new UsageError(`${file}: data row ${i + 1} has an empty "${labelCol}"`);
    texts.push(row[textCol] ?? '');
    labels.push(label);
  });
  if (texts.length === 0) throw new UsageError(`${file} has no data rows`);
  assertSeveralClasses(file, labelCol, new Set(labels));
  return { texts, labels };
}

/** Adds `sentiment` under the `evaluate` parent command (wired by the integrator). */
export function registerEvaluateSentiment(evaluate: Command): void {
  evaluate
    .command('sentiment')
    .description('Accuracy and macro-F1 of sentiment on a labelled CSV/TSV (labels 0/1, pos/neg or 1–5 stars)')
    .requiredOption('--input <file>', 'CSV or TSV file with a header line')
    .requiredOption('--text-col <name>', 'column holding the text')
    .requiredOption(
      '--label-col <name>',
      'column holding the label: 0/1, neg/pos(/neutral), or stars 1–5 (1–2 negative, 3 neutral, 4–5 positive)',
    )
    .option('--cv <folds>', 'train the built-in classifier on the file with k-fold cross-validation', positiveInt('--cv'))
    .option('--json', 'print one JSON object on stdout')
    .action(
      action(async (out, options: SentimentOptions) => {
        if (options.cv !== undefined && options.cv < 2) throw new UsageError(`--cv must be at least 2, got ${options.cv}`);
        const { texts: raw, labels } = readLabelledText(options.input, options.textCol, options.labelCol);
        // Text is masked before any model sees it, in both modes.
        const texts = new PiiMasker().maskAll(raw);
        let result: SentimentEvaluation;
        if (options.cv !== undefined) {
          const folds = options.cv;
          out.note(`training the built-in classifier, ${folds}-fold cross-validation on ${texts.length} rows`);
          result = evaluateSentimentCrossValidated(texts, labels, folds, options.labelCol, {}, (k) =>
            out.note(`fold ${k + 1}/${folds} done`),
          );
        } else {
          const config = loadConfig();
          const model = await openTextModel({
            modelsDir: config.modelsDir,
            defaultModelsDir: path.join(config.dataDir, 'models'),
            allowRemoteModels: config.allowRemoteModels,
            onNote: (m) => out.note(m),
          });
          try {
            result = await evaluateSentimentAsConfigured(texts, labels, model, options.labelCol);
          } finally {
            await model.close();
          }
        }
        assertSeveralClasses(
          options.input,
          options.labelCol,
          new Set(
            Object.entries(result.perClass)
              .filter(([, m]) => m.support > 0)
              .map(([label]) => label),
          ),
        );
        out.line(bilingual('Sentiment evaluation', '情感评估'));
        out.line(
          `  ${bilingual('model', '模型')}: ${result.model} (${result.mode === 'cross-validated' ? `${result.folds}-fold cv` : bilingual('as configured', '按当前配置')})`,
        );
        out.line(`  ${bilingual('rows', '行数')}: ${result.n}  ${bilingual('labels', '标签')}: ${result.labelScheme}`);
        out.line(`  ${bilingual('accuracy', '准确率')}: ${result.accuracy.toFixed(3)}`);
        out.line(`  ${bilingual('macro-F1', '宏平均F1')}: ${result.macroF1.toFixed(3)}`);
        for (const [label, m] of Object.entries(result.perClass))
          out.line(`    ${label.padEnd(9)} P ${m.precision.toFixed(3)}  R ${m.recall.toFixed(3)}  F1 ${m.f1.toFixed(3)}  n ${m.support}`);
        out.result({
          accuracy: result.accuracy,
          macroF1: result.macroF1,
          n: result.n,
          model: result.model,
          mode: result.mode,
          labelScheme: result.labelScheme,
          folds: result.folds ?? null,
          perClass: result.perClass,
        });
      }),
    );
}

/** Accuracy and macro-F1 over a single class say nothing about a model: refuse such a file. */
function assertSeveralClasses(file: string, labelCol: string, classes: ReadonlySet<string>): void {
  if (classes.size >= 2) return;
  throw new SuccessEngineError(
    'CLI.BAD_INPUT',
    `${file}: every row of column "${labelCol}" is in one class (${[...classes].join(', ') || 'none'}); scores on one class are meaningless: add rows of the other class(es)`,
    { column: labelCol },
  );
}
