import { fork } from 'node:child_process';
import { startHubSpotSandbox } from '../sandbox/hubspot/hubspot-sandbox.server';
import { generateBook, generateBundles } from '../sandbox/seed/book.generator';
import type { AccountBundle, Book } from '../sandbox/seed/book.types';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';

/** What the sandbox saw: requests its rate limiter accepted and refused (429), and its own CPU. */
export interface SandboxStats {
  accepted: number;
  refused: number;
  cpuSeconds: number;
}

export interface HubSpotSandboxProcess {
  url: string;
  stats(): Promise<SandboxStats>;
  close(): Promise<void>;
}

const CHILD_FLAG = '--bench-hubspot-sandbox';

/** Companies only (seed 42): benchmarks measure account sync, scoring and write-back, not the generator. */
export function companiesOnlyBook(accounts: number, csv: string): Book {
  const rows = readTelcoCsv(csv);
  const bundles: AccountBundle[] = [];
  for (const b of generateBundles({ seed: 42, accounts, rows })) bundles.push({ account: b.account, contacts: [], deals: [], tickets: [], activities: [], transactions: [] });
  return { ...generateBook({ seed: 42, accounts: 0, rows }), bundles };
}

/**
 * A HubSpot sandbox (public-app tier: 100 requests per rolling 10 s) in a child process, as HubSpot
 * is another machine: its CPU (serialising pages, applying writes) must not take turns with ours.
 */
export function hubspotSandboxProcess(options: { accounts: number; csv: string; token: string }): Promise<HubSpotSandboxProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [CHILD_FLAG, String(options.accounts), options.csv, options.token], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`HubSpot sandbox process exited with ${code}`)));
    child.once('message', (m) => {
      resolve({
        url: (m as { url: string }).url,
        stats: () =>
          new Promise<SandboxStats>((done) => {
            child.once('message', (reply) => done(reply as SandboxStats));
            child.send('stats');
          }),
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.disconnect();
          }),
      });
    });
  });
}

async function runChild(accounts: number, csv: string, token: string): Promise<void> {
  const sandbox = await startHubSpotSandbox({ book: companiesOnlyBook(accounts, csv), tier: 'free', privateAppTokens: [token] });
  let accepted = 0;
  let refused = 0;
  const take = sandbox.state.limiter.take.bind(sandbox.state.limiter);
  sandbox.state.limiter.take = (o) => {
    const verdict = take(o);
    if (verdict.ok) accepted++;
    else refused++;
    return verdict;
  };
  const cpu0 = process.cpuUsage();
  process.send?.({ url: sandbox.url });
  process.on('message', () => {
    const cpu = process.cpuUsage(cpu0);
    process.send?.({ accepted, refused, cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) } satisfies SandboxStats);
  });
  process.once('disconnect', () => void sandbox.close().then(() => process.exit(0)));
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  const [accounts, csv, token] = process.argv.slice(3) as [string, string, string];
  runChild(Number(accounts), csv, token).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
