import { generateBook, generateBundle, generateBundles, hashBundles } from './book.generator';
import { readTelcoCsv, type TelcoRow } from './telco.reader';

const CSV = '/work/shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';
const rows = readTelcoCsv(CSV);
const asOf = Date.parse('2026-10-01T00:00:00.000Z');

describe('seeded book generator', () => {
  it('reads every Telco row with typed columns', () => {
    expect(rows).toHaveLength(7043);
    expect(rows.filter((r) => r.churn)).toHaveLength(1869);
    expect(rows.filter((r) => r.totalCharges === null).length).toBe(11);
  });

  it('gives byte-identical data for the same seed and different data for another seed', () => {
    const a = hashBundles(generateBundles({ seed: 42, accounts: 2500, rows }));
    const b = hashBundles(generateBundles({ seed: 42, accounts: 2500, rows }));
    const c = hashBundles(generateBundles({ seed: 43, accounts: 2500, rows }));
    expect(a.sha256).toBe(b.sha256);
    expect(a.records).toBe(b.records);
    expect(c.sha256).not.toBe(a.sha256);
    expect(a.accounts).toBe(2500);
  });

  it('keeps real rows first, then resamples beyond the file with jittered revenue', () => {
    const book = generateBook({ seed: 7, accounts: 7100, rows });
    expect(book.bundles[0]?.account.key).toBe(rows[0]?.customerId);
    const extra = book.bundles[7050]?.account;
    expect(extra?.key).toMatch(/-R7050$/);
    const source = rows.find((r) => r.customerId === extra?.sourceCustomerId) as TelcoRow;
    expect(Math.abs((extra?.monthlyRevenue ?? 0) / source.monthlyCharges - 1)).toBeLessThanOrEqual(0.0501);
    expect(new Set(book.bundles.map((b) => b.account.key)).size).toBe(7100);
  });

  it('turns churned customers into lost renewals dated inside the 30-day churn window', () => {
    const book = generateBook({ seed: 1, accounts: 400, rows });
    for (const { account, deals } of book.bundles) {
      const last = deals.at(-1);
      if (account.status === 'churned') {
        expect(last?.stage).toBe('closedlost');
        expect(account.churnedAt! > book.cutoff && account.churnedAt! <= book.asOf).toBe(true);
        expect(last?.closeDate).toBe(account.churnedAt?.slice(0, 10));
      } else {
        expect(last?.isClosed).toBe(false);
        expect(account.churnedAt).toBeUndefined();
      }
    }
  });

  it('never derives structural records from the churn label; only the wording of texts may follow it', () => {
    const structure = (b: ReturnType<typeof generateBundle>): string =>
      JSON.stringify([
        b.tickets.map(({ subject: _s, description: _d, ...rest }) => rest),
        b.activities.map(({ subject: _s, body: _b, ...rest }) => rest),
        b.contacts,
        b.transactions,
      ]);
    let textChanged = 0;
    for (let i = 0; i < 300; i++) {
      const row = rows[i] as TelcoRow;
      const flipped = rows.map((r, k) => (k === i ? { ...r, churn: !r.churn } : r));
      const a = generateBundle(5, i, rows, asOf);
      const b = generateBundle(5, i, flipped, asOf);
      // Counts, dates, topics, priorities, statuses, contacts: identical either way.
      expect(structure(b)).toBe(structure(a));
      if (JSON.stringify(b.tickets) !== JSON.stringify(a.tickets) || JSON.stringify(b.activities) !== JSON.stringify(a.activities))
        textChanged++;
      expect(b.account.status).toBe(row.churn ? 'active' : 'churned');
      // Every account field but the outcome itself (renewal date included) is the same either way.
      const { status: _s1, churnedAt: _c1, ...fieldsA } = a.account;
      const { status: _s2, churnedAt: _c2, ...fieldsB } = b.account;
      expect(fieldsB).toEqual(fieldsA);
    }
    // The label does reach the wording (that is the point of the voice stream).
    expect(textChanged).toBeGreaterThan(100);
  });

  it('makes customers about to leave write more negative texts (stated effect size)', () => {
    const book = generateBook({ seed: 11, accounts: 4000, rows });
    const neg = { churned: { texts: 0, negative: 0 }, active: { texts: 0, negative: 0 } };
    const negative =
      /nobody|not fixed|cancel|too high|unusable|failed|rejected|dropped|delayed|waiting|hold|outage this month|not worth|competitor|other vendors|better deal|end our contract|not renewing|phishing|far below|没人回复|取消|太贵|无法|又坏|拒绝|断了|推迟|还在等|等待|不值|别家|供应商|解约|不续约|联系不上|远低于|第三次|多了/;
    for (const { account, tickets, activities } of book.bundles) {
      const bucket = account.status === 'churned' ? neg.churned : neg.active;
      for (const text of [...tickets.map((t) => t.description), ...activities.map((a) => a.body)]) {
        bucket.texts++;
        if (negative.test(text)) bucket.negative++;
      }
    }
    const churnedShare = neg.churned.negative / neg.churned.texts;
    const activeShare = neg.active.negative / neg.active.texts;
    // docs/sandbox.md: P(negative) ≈ 0.36–0.46 churned vs 0.26 active; the regex is a proxy, so bounds are loose.
    expect(churnedShare).toBeGreaterThan(activeShare + 0.1);
    expect(churnedShare).toBeLessThan(0.6);
    expect(activeShare).toBeGreaterThan(0.1);
  });

  it('keeps all history before the cutoff and writes text in both languages', () => {
    const book = generateBook({ seed: 3, accounts: 2000, rows });
    const langs = new Set<string>();
    for (const b of book.bundles) {
      for (const t of b.tickets) {
        expect(t.createdAt <= book.cutoff).toBe(true);
        expect(t.subject).not.toMatch(/\{\w+\}/);
        langs.add(t.lang);
      }
      for (const a of b.activities) expect(a.occurredAt <= book.cutoff).toBe(true);
      for (const t of b.transactions) expect(t.occurredAt <= book.cutoff).toBe(true);
    }
    expect(langs).toEqual(new Set(['en', 'zh']));
    expect(book.bundles.some((b) => b.tickets.some((t) => /[\u4e00-\u9fff]/.test(t.description)))).toBe(true);
  });

  it('rejects a bad account count with a coded error', () => {
    let caught: unknown;
    try {
      generateBook({ seed: 1, accounts: -1, rows });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'SANDBOX.BAD_INPUT' });
  });
});
