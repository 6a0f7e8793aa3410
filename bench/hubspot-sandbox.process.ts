import { startHubSpotSandbox } from '../sandbox/hubspot/hubspot-sandbox.server';
import { generateBook, generateBundles } from '../sandbox/seed/book.generator';
import type { AccountBundle, Book } from '../sandbox/seed/book.types';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';
import { forkSandbox, serveSandboxFromChild, type SandboxChild } from './sandbox-child';

/** What the HubSpot sandbox saw: requests its rate limiter accepted and refused (429). */
export interface HubSpotSandboxStats {
  accepted: number;
  refused: number;
}

const CHILD_FLAG = '--bench-hubspot-sandbox';

/** Companies only (seed 42): benchmarks measure account sync, scoring and write-back, not the generator. */
export function companiesOnlyBook(accounts: number, csv: string): Book {
  const rows = readTelcoCsv(csv);
  const bundles: AccountBundle[] = [];
  for (const b of generateBundles({ seed: 42, accounts, rows }))
    bundles.push({ account: b.account, contacts: [], deals: [], tickets: [], activities: [], transactions: [] });
  return { ...generateBook({ seed: 42, accounts: 0, rows }), bundles };
}

/** A HubSpot sandbox on the public-app tier (100 requests per rolling 10 s) in a child process. */
export function hubspotSandboxProcess(options: {
  accounts: number;
  csv: string;
  token: string;
}): Promise<SandboxChild<HubSpotSandboxStats>> {
  return forkSandbox<HubSpotSandboxStats>(__filename, [CHILD_FLAG, String(options.accounts), options.csv, options.token]);
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  const [accounts, csv, token] = process.argv.slice(3) as [string, string, string];
  serveSandboxFromChild(async () => {
    const sandbox = await startHubSpotSandbox({ book: companiesOnlyBook(Number(accounts), csv), tier: 'free', privateAppTokens: [token] });
    const seen: HubSpotSandboxStats = { accepted: 0, refused: 0 };
    const take = sandbox.state.limiter.take.bind(sandbox.state.limiter);
    sandbox.state.limiter.take = (o) => {
      const verdict = take(o);
      if (verdict.ok) seen.accepted++;
      else seen.refused++;
      return verdict;
    };
    return { url: sandbox.url, close: () => sandbox.close(), stats: () => ({ ...seen }) };
  });
}
