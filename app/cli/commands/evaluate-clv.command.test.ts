import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerEvaluateClv, parseCdnow, parseCsv } from './evaluate-clv.command';

async function run(args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command('success-engine').exitOverride();
  registerEvaluateClv(program.command('evaluate'));
  let stdout = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'se', 'evaluate', 'clv', ...args]);
  } finally {
    write.mockRestore();
    err.mockRestore();
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  process.exitCode = undefined;
  return { stdout, exitCode };
}

describe('evaluate clv command', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-clv-'));

  // A small book: 40 customers buying at varied rates, some stopping early.
  function syntheticCsv(): string {
    const lines = ['cust,when,value'];
    for (let c = 0; c < 40; c++) {
      const gap = 3 + (c % 7) * 4;
      const stop = c % 3 === 0 ? 120 : 500;
      for (let d = c % 20; d < 500 && d < stop; d += gap) {
        const date = new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        lines.push(`C${c},${date},${(10 + (c % 5) * 3 + (d % 4)).toFixed(2)}`);
      }
    }
    return lines.join('\n');
  }

  it('prints the JSON keys the issue names, with finite values', async () => {
    const file = path.join(dir, 'tx.csv');
    writeFileSync(file, syntheticCsv());
    const { stdout, exitCode } = await run([
      '--input',
      file,
      '--customer-col',
      'cust',
      '--date-col',
      'when',
      '--amount-col',
      'value',
      '--calibration-end',
      '2024-09-30',
      '--holdout-end',
      '2025-05-15',
      '--json',
    ]);
    expect(exitCode ?? 0).toBe(0);
    const result = JSON.parse(stdout) as Record<string, Record<string, number> | number>;
    expect(Object.keys(result.bgnbd as object).sort()).toEqual(['a', 'alpha', 'b', 'logLik', 'r']);
    expect(Object.keys(result.gammaGamma as object).sort()).toEqual(['gamma', 'p', 'q']);
    expect(result.customers).toBe(40);
    expect(Number.isFinite(result.holdoutMae)).toBe(true);
    expect(Number.isFinite(result.aggregateErrorPct)).toBe(true);
  });

  it('exits 2 naming the flag when a CSV column does not exist', async () => {
    const file = path.join(dir, 'tx2.csv');
    writeFileSync(file, syntheticCsv());
    const { stdout, exitCode } = await run([
      '--input',
      file,
      '--customer-col',
      'nope',
      '--date-col',
      'when',
      '--amount-col',
      'value',
      '--calibration-end',
      '2024-09-30',
      '--holdout-end',
      '2025-05-15',
      '--json',
    ]);
    expect(exitCode).toBe(2);
    expect(stdout).toContain('--customer-col');
  });

  it('exits 2 when the holdout ends before calibration', async () => {
    const file = path.join(dir, 'tx3.csv');
    writeFileSync(file, syntheticCsv());
    const { exitCode } = await run([
      '--input',
      file,
      '--customer-col',
      'cust',
      '--date-col',
      'when',
      '--amount-col',
      'value',
      '--calibration-end',
      '2024-09-30',
      '--holdout-end',
      '2024-01-15',
    ]);
    expect(exitCode).toBe(2);
  });
});

describe('CDNOW acceptance (Fader, Hardie & Lee 2005)', () => {
  // The 1/10th CDNOW sample shipped with the workspace; the figures are the paper's.
  const cdnow = path.resolve(__dirname, '../../../../shared/data/CDNOW_sample.txt');

  it('reproduces the published BG/NBD and Gamma-Gamma estimates and holdout accuracy', async () => {
    const { stdout, exitCode } = await run([
      '--input',
      cdnow,
      '--format',
      'cdnow',
      '--calibration-end',
      '1997-09-30',
      '--holdout-end',
      '1998-06-30',
      '--json',
    ]);
    expect(exitCode ?? 0).toBe(0);
    const result = JSON.parse(stdout) as {
      bgnbd: Record<string, number>;
      gammaGamma: Record<string, number>;
      holdoutMae: number;
      customers: number;
    };
    const within = (value: number | undefined, target: number, tolerance: number) =>
      expect(Math.abs((value ?? NaN) / target - 1)).toBeLessThan(tolerance);
    expect(result.customers).toBe(2357);
    within(result.bgnbd.r, 0.2426, 0.005);
    within(result.bgnbd.alpha, 4.4136, 0.005);
    within(result.bgnbd.a, 0.7929, 0.005);
    within(result.bgnbd.b, 2.4259, 0.005);
    expect(result.bgnbd.logLik).toBeCloseTo(-9582.43, 1);
    within(result.gammaGamma.p, 6.25, 0.01);
    within(result.gammaGamma.q, 3.74, 0.01);
    within(result.gammaGamma.gamma, 15.44, 0.01);
    expect(result.holdoutMae).toBeLessThanOrEqual(0.786);
  });
});

describe('input parsers', () => {
  it('reads CDNOW lines with and without the sample-id column, keyed by the first column', () => {
    const five = parseCdnow(' 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n');
    const four = parseCdnow('00004 19970101 2 29.33\n');
    expect(five.map((p) => p.customerId)).toEqual(['00004', '00004']);
    expect(five[1]?.day).toBe((five[0]?.day ?? 0) + 17);
    expect(four[0]).toEqual(five[0]);
  });

  it('names the line of a malformed CDNOW row', () => {
    expect(() => parseCdnow('1 2 19970101 1 10\n1 2 1997xx01 1 10\n')).toThrow(/line 2/);
  });

  it('names the row and column of a bad CSV amount', () => {
    expect(() => parseCsv('c,d,a\nx,2024-01-01,12\nx,2024-01-02,abc\n', { customerCol: 'c', dateCol: 'd', amountCol: 'a' })).toThrow(
      /row 3: column "a"/,
    );
  });
});
