import { readFileSync } from 'node:fs';
import { SuccessEngineError } from '../../core';

/** One customer row of the IBM Telco churn sample, typed. Read at run time; the data never lives in the repo. */
export interface TelcoRow {
  customerId: string;
  gender: string;
  seniorCitizen: boolean;
  partner: boolean;
  dependents: boolean;
  tenureMonths: number;
  phoneService: boolean;
  multipleLines: boolean;
  internetService: 'DSL' | 'Fiber optic' | 'No';
  onlineSecurity: boolean;
  onlineBackup: boolean;
  deviceProtection: boolean;
  techSupport: boolean;
  streamingTv: boolean;
  streamingMovies: boolean;
  contract: 'Month-to-month' | 'One year' | 'Two year';
  paperlessBilling: boolean;
  paymentMethod: string;
  monthlyCharges: number;
  /** Blank in the source for brand-new customers. */
  totalCharges: number | null;
  churn: boolean;
}

const HEADER =
  'customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,InternetService,OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,StreamingMovies,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges,Churn';

export function readTelcoCsv(path: string): TelcoRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SuccessEngineError('SANDBOX.SEED_FILE_MISSING', `cannot read the Telco churn CSV at ${path}`, { path }, { cause: error });
  }
  return parseTelcoCsv(text, path);
}

export function parseTelcoCsv(text: string, source = 'telco csv'): TelcoRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER)
    throw new SuccessEngineError('SANDBOX.SEED_FILE_INVALID', `${source}: header is not the Telco churn header`, { source });
  const rows: TelcoRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const c = line.split(',');
    if (c.length !== 21)
      throw new SuccessEngineError('SANDBOX.SEED_FILE_INVALID', `${source} line ${i + 1}: expected 21 columns, got ${c.length}`, {
        line: i + 1,
      });
    const col = (k: number): string => (c[k] as string).trim();
    const yes = (k: number): boolean => col(k) === 'Yes';
    const num = (k: number, name: string): number => {
      const n = Number(col(k));
      if (col(k) === '' || !Number.isFinite(n))
        throw new SuccessEngineError('SANDBOX.SEED_FILE_INVALID', `${source} line ${i + 1}: column ${name} is not a number ("${col(k)}")`, {
          line: i + 1,
          column: name,
        });
      return n;
    };
    const internet = col(8);
    const contract = col(15);
    if (internet !== 'DSL' && internet !== 'Fiber optic' && internet !== 'No')
      throw new SuccessEngineError('SANDBOX.SEED_FILE_INVALID', `${source} line ${i + 1}: column InternetService has "${internet}"`, {
        line: i + 1,
        column: 'InternetService',
      });
    if (contract !== 'Month-to-month' && contract !== 'One year' && contract !== 'Two year')
      throw new SuccessEngineError('SANDBOX.SEED_FILE_INVALID', `${source} line ${i + 1}: column Contract has "${contract}"`, {
        line: i + 1,
        column: 'Contract',
      });
    rows.push({
      customerId: col(0),
      gender: col(1),
      seniorCitizen: col(2) === '1',
      partner: yes(3),
      dependents: yes(4),
      tenureMonths: num(5, 'tenure'),
      phoneService: yes(6),
      multipleLines: yes(7),
      internetService: internet,
      onlineSecurity: yes(9),
      onlineBackup: yes(10),
      deviceProtection: yes(11),
      techSupport: yes(12),
      streamingTv: yes(13),
      streamingMovies: yes(14),
      contract,
      paperlessBilling: yes(16),
      paymentMethod: col(17),
      monthlyCharges: num(18, 'MonthlyCharges'),
      totalCharges: col(19) === '' ? null : num(19, 'TotalCharges'),
      churn: yes(20),
    });
  }
  if (rows.length === 0) throw new SuccessEngineError('SANDBOX.SEED_FILE_INVALID', `${source}: no data rows`, { source });
  return rows;
}
