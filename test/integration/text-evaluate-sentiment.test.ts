/**
 * @jest-environment ./test/helpers/tiny-bert/onnx-test.environment.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliWithEnv } from '../helpers/run-cli';

/** The real CLI, in-process, with this run's environment. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const { code, stdout, stderr } = await runCliWithEnv(env, 'evaluate', 'sentiment', ...args);
  return { stdout, stderr, exitCode: code };
}

describe('success-engine evaluate sentiment', () => {
  // Generous: the CI machine is shared; nothing here asserts on time.
  jest.setTimeout(60_000);

  let dir: string;
  const positive = [
    'Great support, thank you so much',
    'Love the new dashboard, works great',
    '送餐很快，味道不错',
    '服务热情，非常满意',
    'Excellent onboarding, very helpful team',
  ];
  const negative = [
    'Terrible, the export is broken again',
    'Slow and rude support, I want a refund',
    '太慢了，饭都凉了，很失望',
    '难吃，再也不点了',
    'Awful billing mistakes every month',
  ];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'se-eval-sentiment-'));
    const rows: string[] = ['label,comment'];
    const tsv: string[] = ['text\tstars'];
    for (let r = 0; r < 4; r++) {
      positive.forEach((t) => {
        rows.push(`1,"${t} (${r}) mail me at user${r}@example.com"`);
        tsv.push(`${t} ${r}\t5`);
      });
      negative.forEach((t) => {
        rows.push(`0,"${t} (${r}) call 138 0013 800${r}"`);
        tsv.push(`${t} ${r}\t1`);
      });
    }
    writeFileSync(path.join(dir, 'comments.csv'), `${rows.join('\n')}\n`);
    writeFileSync(path.join(dir, 'reviews.tsv'), `${tsv.join('\n')}\n`);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cross-validates the built-in classifier and prints one JSON object', async () => {
    const r = await run([
      '--input',
      path.join(dir, 'comments.csv'),
      '--text-col',
      'comment',
      '--label-col',
      'label',
      '--cv',
      '5',
      '--json',
    ]);
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      n: 40,
      model: expect.stringMatching(/^builtin\/ngram-logreg@/) as unknown,
      labelScheme: 'binary',
      folds: 5,
    });
    expect(result.accuracy).toBeGreaterThan(0.8);
    expect(typeof result.macroF1).toBe('number');
  });

  it('runs the configured model as it is (the shipped model when no Hub model is installed), stars in TSV', async () => {
    const r = await run(['--input', path.join(dir, 'reviews.tsv'), '--text-col', 'text', '--label-col', 'stars', '--json'], {
      MODELS_DIR: path.join(dir, 'no-models'),
      SE_ALLOW_REMOTE_MODELS: 'false',
      SE_DATA_DIR: dir,
    });
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      n: 40,
      model: expect.stringMatching(/^sentiment-bilingual@[0-9a-f]{12}$/) as unknown,
      labelScheme: 'stars',
      mode: 'as-configured',
    });
    expect(result.accuracy).toBeGreaterThan(0.8);
    expect(r.stderr).toMatch(/using the shipped model sentiment-bilingual/);
  });

  it('prints a bilingual summary without --json', async () => {
    const r = await run(['--input', path.join(dir, 'comments.csv'), '--text-col', 'comment', '--label-col', 'label', '--cv', '2']);
    expect(r.stdout).toMatch(/accuracy \/ 准确率: \d\.\d{3}/);
    expect(r.stdout).toMatch(/macro-F1/);
  });

  it('names a missing column and exits 2', async () => {
    const r = await run(['--input', path.join(dir, 'comments.csv'), '--text-col', 'review', '--label-col', 'label', '--json']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--text-col "review" is not a column .*columns: label, comment/);
  });
});
