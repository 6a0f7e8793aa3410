import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerEvaluateChurn } from './evaluate-churn.command';

async function run(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const program = new Command('success-engine').exitOverride();
  registerEvaluateChurn(program.command('evaluate'));
  let stdout = '';
  let stderr = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'se', 'evaluate', 'churn', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  process.exitCode = undefined;
  return { stdout, stderr, exitCode };
}

describe('evaluate churn command', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-churn-'));
  const file = path.join(dir, 'accounts.csv');
  // 300 accounts: short tenure, monthly contracts and many tickets churn more; some blanks.
  const lines = ['account,tenure,contract,tickets,notes,churned'];
  for (let i = 0; i < 300; i++) {
    const tenure = (i * 7) % 60;
    const contract = ['monthly', 'annual', 'two-year'][i % 3] as string;
    const tickets = i % 11 === 0 ? '' : String((i * 3) % 7);
    const risk = (tenure < 12 ? 2 : 0) + (contract === 'monthly' ? 2 : 0) + (Number(tickets || 3) > 4 ? 1 : 0);
    lines.push(`A${i},${tenure},${contract},${tickets},note ${i},${risk + ((i * 13) % 5) >= 5 ? 'Yes' : 'No'}`);
  }
  writeFileSync(file, lines.join('\n'));

  it('prints one JSON object with the documented keys', async () => {
    const { stdout, stderr, exitCode } = await run([
      '--input',
      file,
      '--label',
      'churned',
      '--positive',
      'Yes',
      '--id',
      'account',
      '--ignore',
      'notes',
      '--folds',
      '3',
      '--json',
    ]);
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of ['rocAuc', 'prAuc', 'brier', 'ece', 'n', 'positives', 'model']) expect(result).toHaveProperty(key);
    expect(result.n).toBe(300);
    expect(result.positives).toBe(lines.slice(1).filter((l) => l.endsWith(',Yes')).length);
    expect(result.rocAuc).toBeGreaterThan(0.7);
    expect(stderr).toContain('fold 3/3');
    const example = result.example as { drivers: { feature: string; text: { en: string; zh: string } }[] };
    expect(example.drivers.length).toBeGreaterThan(0);
    for (const d of example.drivers) expect(['tenure', 'contract', 'tickets']).toContain(d.feature);
  });

  it('prints the metrics and a calibration table for people', async () => {
    const { stdout, exitCode } = await run(['--input', file, '--label', 'churned', '--positive', 'Yes', '--id', 'account', '--folds', '2']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/ROC-AUC\s+0\.\d{3}/);
    expect(stdout).toContain('校准表');
    expect(stdout.split('\n').filter((l) => /^\s+0\.\d–/.test(l))).toHaveLength(10);
  });

  it('exits 2 naming the flag when a column or file is wrong', async () => {
    const missing = await run(['--input', file, '--label', 'nope', '--positive', 'Yes', '--json']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stdout).toContain('--label column \\"nope\\"');
    const noFile = await run(['--input', path.join(dir, 'absent.csv'), '--label', 'churned', '--positive', 'Yes']);
    expect(noFile.exitCode).toBe(2);
    const oneFold = await run(['--input', file, '--label', 'churned', '--positive', 'Yes', '--folds', '1']);
    expect(oneFold.exitCode).toBe(2);
  });

  it('--fairness-by: selection rate, four-fifths ratio and calibration per group, with a bilingual warning below 0.8', async () => {
    // Region follows the contract: monthly accounts (the risky ones) are all in "north".
    const regional = path.join(dir, 'regional.csv');
    writeFileSync(
      regional,
      lines.map((l, i) => (i === 0 ? `${l},region` : `${l},${l.includes(',monthly,') ? 'north' : 'south'}`)).join('\n'),
    );
    const json = await run([
      '--input',
      regional,
      '--label',
      'churned',
      '--positive',
      'Yes',
      '--id',
      'account',
      '--ignore',
      'notes,region',
      '--folds',
      '3',
      '--fairness-by',
      'region',
      '--threshold',
      '0.5',
      '--json',
    ]);
    expect(json.exitCode).toBe(0);
    const fairness = (
      JSON.parse(json.stdout) as {
        fairness: {
          groups: { group: string; accounts: number; selectionRate: number; observedRate: number }[];
          fourFifthsRatio: number;
          flagged: string[];
          warning: { en: string; zh: string };
        };
      }
    ).fairness;
    expect(fairness.groups.map((g) => [g.group, g.accounts])).toEqual([
      ['south', 200],
      ['north', 100],
    ]);
    const [south, north] = fairness.groups;
    expect(north?.selectionRate).toBeGreaterThan(south?.selectionRate ?? 1);
    expect(north?.observedRate).toBeCloseTo(lines.slice(1).filter((l) => l.includes(',monthly,') && l.endsWith(',Yes')).length / 100, 12);
    expect(fairness.fourFifthsRatio).toBeLessThan(0.8);
    expect(fairness.flagged).toEqual(['south']);
    expect(fairness.warning.en).toContain('south');
    const text = await run([
      '--input',
      regional,
      '--label',
      'churned',
      '--positive',
      'Yes',
      '--id',
      'account',
      '--ignore',
      'notes,region',
      '--folds',
      '2',
      '--fairness-by',
      'region',
    ]);
    expect(text.stdout).toContain('Fairness by region');
    expect(text.stdout).toContain('五分之四');
    expect(text.stdout).toMatch(/south .*< 0\.8/);
    const wrong = await run(['--input', regional, '--label', 'churned', '--positive', 'Yes', '--fairness-by', 'nope']);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stdout + wrong.stderr).toContain('--fairness-by');
  });
});
