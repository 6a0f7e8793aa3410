import { createHash } from 'node:crypto';
import { SuccessEngineError } from '../../core';
import type {
  AccountBundle,
  Book,
  BookAccount,
  BookActivity,
  BookContact,
  BookDeal,
  BookOwner,
  BookTicket,
  BookTransaction,
} from './book.types';
import { deriveSeed, mulberry32, type Rng } from './prng';
import type { TelcoRow } from './telco.reader';
import { writeText, type Escalation, type Lang, type TextContext, type Tone, type Topic } from './text.generator';

export interface BookOptions {
  seed: number;
  accounts: number;
  rows: readonly TelcoRow[];
  /** "Now" for the book; defaults to 2026-10-01. Churn dates fall in the 30 days before it. */
  asOf?: string;
}

const DAY = 86_400_000;
const DEFAULT_AS_OF = '2026-10-01T00:00:00.000Z';
const CHURN_WINDOW_DAYS = 30;

// Independent random streams per record kind: flipping one account's churn label must not shift any
// other draw (tested), so structural signals cannot carry the label by accident. The `voice` stream
// alone (what customers write: tone and wording) reads the label, through a noisy latent.
const STREAM = { profile: 0, contacts: 1, deals: 2, tickets: 3, activities: 4, transactions: 5, churn: 6, resample: 7, voice: 8 } as const;

/**
 * Customers about to leave write angrier tickets, more so as the day approaches. Latent
 * dissatisfaction per account and text: d = σ(−1.2 + 1.4·churn·w + 0.3·fiber + 0.3·noTechSupport +
 * 0.3·monthToMonth + 0.9·N(0,1)), the normal drawn once per account from its own voice stream, w = 1
 * for texts in the 90 days before the cutoff and 0.4 before that. A text is negative with
 * P = 0.05 + 0.6·d, positive with P = 0.45·(1 − d); a negative text escalates (pricing, competitor,
 * cancellation) with P = d / 2. The effect size is stated in docs/sandbox.md and measured by a test.
 */
export interface Voice {
  rng: Rng;
  /** z without the churn term. */
  base: number;
  churn: boolean;
  /** Texts after this instant carry the full churn effect. */
  recentFrom: number;
  dissatisfaction: number;
}

export function makeVoice(row: TelcoRow, rng: Rng, cutoff = Number.POSITIVE_INFINITY): Voice {
  const base =
    -1.2 +
    0.3 * (row.internetService === 'Fiber optic' ? 1 : 0) +
    0.3 * (row.techSupport ? 0 : 1) +
    0.3 * (row.contract === 'Month-to-month' ? 1 : 0) +
    0.9 * rng.normal();
  return { rng, base, churn: row.churn, recentFrom: cutoff - 90 * DAY, dissatisfaction: sigmoid(base + 1.4 * (row.churn ? 1 : 0)) };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Dissatisfaction in a text written at `at`. */
function atTime(voice: Voice, at: number): Voice {
  return { ...voice, dissatisfaction: sigmoid(voice.base + (voice.churn ? 1.4 * (at >= voice.recentFrom ? 1 : 0.4) : 0)) };
}

function voiceTone(voice: Voice): Tone {
  const d = voice.dissatisfaction;
  const r = voice.rng.next();
  return r < 0.05 + 0.6 * d ? 'negative' : r < 0.05 + 0.6 * d + 0.45 * (1 - d) ? 'positive' : 'neutral';
}

const ESCALATION_ORDER: readonly Escalation[] = ['pricing', 'competitor', 'cancellation'];

function voiceEscalation(voice: Voice, tone: Tone): Escalation | undefined {
  if (tone !== 'negative') return undefined;
  // Always two draws so the stream's position never depends on the outcome of the first.
  const escalate = voice.rng.next() < voice.dissatisfaction / 2;
  const which = voice.rng.pick(ESCALATION_ORDER);
  return escalate ? which : undefined;
}

const OWNERS: readonly [string, string][] = [
  ['Alice', 'Nguyen'],
  ['Wei', 'Zhang'],
  ['Marcus', 'Reed'],
  ['Li', 'Na'],
  ['Priya', 'Shah'],
  ['Hao', 'Chen'],
  ['Sofia', 'Martins'],
  ['Jun', 'Wang'],
];
const EN_FIRST = [
  'James',
  'Mary',
  'Robert',
  'Linda',
  'Michael',
  'Sarah',
  'David',
  'Emma',
  'Daniel',
  'Olivia',
  'Thomas',
  'Grace',
  'Kevin',
  'Chloe',
  'Ryan',
  'Hannah',
];
const EN_LAST = [
  'Smith',
  'Johnson',
  'Brown',
  'Taylor',
  'Miller',
  'Wilson',
  'Moore',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'King',
  'Scott',
  'Green',
  'Baker',
  'Hill',
];
// [hanzi, pinyin] so e-mail addresses stay ASCII.
const ZH_FIRST: readonly [string, string][] = [
  ['伟', 'wei'],
  ['芳', 'fang'],
  ['娜', 'na'],
  ['敏', 'min'],
  ['静', 'jing'],
  ['磊', 'lei'],
  ['洋', 'yang'],
  ['艳', 'yan'],
  ['勇', 'yong'],
  ['杰', 'jie'],
  ['婷', 'ting'],
  ['浩', 'hao'],
];
const ZH_LAST: readonly [string, string][] = [
  ['王', 'wang'],
  ['李', 'li'],
  ['张', 'zhang'],
  ['刘', 'liu'],
  ['陈', 'chen'],
  ['杨', 'yang'],
  ['赵', 'zhao'],
  ['黄', 'huang'],
  ['周', 'zhou'],
  ['吴', 'wu'],
];
const EN_WORDS = [
  'Northwind',
  'Bluebird',
  'Summit',
  'Harbor',
  'Evergreen',
  'Cedar',
  'Pioneer',
  'Silverline',
  'Redwood',
  'Lakeside',
  'Granite',
  'Beacon',
  'Maple',
  'Orchard',
  'Atlas',
  'Meridian',
];
const EN_KINDS = [
  'Logistics',
  'Dental',
  'Bakery',
  'Consulting',
  'Motors',
  'Clinic',
  'Foods',
  'Studio',
  'Hardware',
  'Realty',
  'Fitness',
  'Printing',
];
const ZH_WORDS: readonly [string, string][] = [
  ['华信', 'huaxin'],
  ['东方', 'dongfang'],
  ['金桥', 'jinqiao'],
  ['长城', 'changcheng'],
  ['新元', 'xinyuan'],
  ['宏达', 'hongda'],
  ['瑞丰', 'ruifeng'],
  ['天成', 'tiancheng'],
  ['安泰', 'antai'],
  ['海川', 'haichuan'],
];
const ZH_KINDS: readonly [string, string][] = [
  ['物流', 'wuliu'],
  ['牙科', 'yake'],
  ['餐饮', 'canyin'],
  ['咨询', 'zixun'],
  ['汽修', 'qixiu'],
  ['诊所', 'zhensuo'],
  ['食品', 'shipin'],
  ['设计', 'sheji'],
  ['五金', 'wujin'],
  ['地产', 'dichan'],
];
const INDUSTRIES = [
  'Retail',
  'Healthcare',
  'Professional Services',
  'Hospitality',
  'Manufacturing',
  'Real Estate',
  'Education',
  'Transportation',
];
const TITLES = ['Owner', 'Office Manager', 'IT Lead', 'Finance Manager', 'Operations Director', 'Store Manager'];

export function makeOwners(): BookOwner[] {
  return OWNERS.map(([firstName, lastName], index) => ({
    index,
    firstName,
    lastName,
    email: `${firstName}.${lastName}@sandbox-owner.example.com`.toLowerCase(),
  }));
}

/** Whole book in memory: for servers and tests (≲100k accounts). Use `generateBundles` to stream more. */
export function generateBook(options: BookOptions): Book {
  const bundles: AccountBundle[] = [];
  for (const bundle of generateBundles(options)) bundles.push(bundle);
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  return { seed: options.seed, asOf, cutoff: iso(Date.parse(asOf) - CHURN_WINDOW_DAYS * DAY), owners: makeOwners(), bundles };
}

export function* generateBundles(options: BookOptions): Generator<AccountBundle> {
  if (!Number.isInteger(options.accounts) || options.accounts < 0)
    throw new SuccessEngineError('SANDBOX.BAD_INPUT', `accounts must be a non-negative integer, got ${options.accounts}`, {
      field: 'accounts',
    });
  if (options.rows.length === 0) throw new SuccessEngineError('SANDBOX.BAD_INPUT', 'rows must not be empty', { field: 'rows' });
  const asOf = Date.parse(options.asOf ?? DEFAULT_AS_OF);
  if (!Number.isFinite(asOf)) throw new SuccessEngineError('SANDBOX.BAD_INPUT', `asOf is not a date: ${options.asOf}`, { field: 'asOf' });
  for (let i = 0; i < options.accounts; i++) yield generateBundle(options.seed, i, options.rows, asOf);
}

/** A SHA-256 over the generated JSON, streaming: proves same seed → byte-identical data. */
export function hashBundles(bundles: Iterable<AccountBundle>): { sha256: string; accounts: number; records: number } {
  const hash = createHash('sha256');
  let accounts = 0;
  let records = 0;
  for (const b of bundles) {
    hash.update(JSON.stringify(b));
    hash.update('\n');
    accounts++;
    records += 1 + b.contacts.length + b.deals.length + b.tickets.length + b.activities.length + b.transactions.length;
  }
  return { sha256: hash.digest('hex'), accounts, records };
}

export function generateBundle(seed: number, index: number, rows: readonly TelcoRow[], asOf: number): AccountBundle {
  const rng = (stream: number): Rng => mulberry32(deriveSeed(seed, index, stream));
  const { row, key, monthlyRevenue } = pickRow(rows, index, rng(STREAM.resample));
  const account = makeAccount(row, key, monthlyRevenue, index, rng(STREAM.profile), rng(STREAM.churn), asOf);
  const cutoff = asOf - CHURN_WINDOW_DAYS * DAY;
  const contacts = makeContacts(account, row, rng(STREAM.contacts));
  const deals = makeDeals(account, rng(STREAM.deals), cutoff);
  const voice = makeVoice(row, rng(STREAM.voice), cutoff);
  const tickets = makeTickets(account, row, contacts, rng(STREAM.tickets), cutoff, voice);
  const activities = makeActivities(account, row, contacts, rng(STREAM.activities), cutoff, voice);
  const transactions = makeTransactions(account, row, rng(STREAM.transactions), cutoff);
  return { account, contacts, deals, tickets, activities, transactions };
}

function pickRow(rows: readonly TelcoRow[], index: number, rng: Rng): { row: TelcoRow; key: string; monthlyRevenue: number } {
  if (index < rows.length) {
    const row = rows[index] as TelcoRow;
    return { row, key: row.customerId, monthlyRevenue: row.monthlyCharges };
  }
  // Beyond the file: resample a real row and jitter its revenue by up to ±5 %, keeping every other column.
  const row = rows[Math.floor(rng.next() * rows.length)] as TelcoRow;
  const monthlyRevenue = round2(row.monthlyCharges * (0.95 + 0.1 * rng.next()));
  return { row, key: `${row.customerId}-R${index}`, monthlyRevenue };
}

function makeAccount(
  row: TelcoRow,
  key: string,
  monthlyRevenue: number,
  index: number,
  rng: Rng,
  churnRng: Rng,
  asOf: number,
): BookAccount {
  const cutoff = asOf - CHURN_WINDOW_DAYS * DAY;
  const lang: Lang = rng.chance(0.35) ? 'zh' : 'en';
  let name: string;
  let slug: string;
  if (lang === 'en') {
    const w = rng.pick(EN_WORDS);
    const k = rng.pick(EN_KINDS);
    name = `${w} ${k}`;
    slug = `${w}-${k}`.toLowerCase();
  } else {
    const [w, wp] = rng.pick(ZH_WORDS);
    const [k, kp] = rng.pick(ZH_KINDS);
    name = `${w}${k}有限公司`;
    slug = `${wp}-${kp}`;
  }
  const country = lang === 'zh' ? rng.pick(['CN', 'CN', 'CN', 'SG', 'TW']) : rng.pick(['US', 'US', 'GB', 'CA', 'AU']);
  // Tenure counts whole months before the cutoff; the day within the month is noise.
  const customerSince = addMonths(cutoff, -row.tenureMonths) - rng.int(0, 27) * DAY;
  const termMonths = row.contract === 'Two year' ? 24 : row.contract === 'One year' ? 12 : 1;
  let renewal = customerSince;
  while (renewal <= cutoff) renewal = addMonths(renewal, termMonths);
  const services = [
    ...(row.phoneService ? ['Phone'] : []),
    ...(row.multipleLines ? ['Multiple lines'] : []),
    ...(row.internetService !== 'No' ? [row.internetService] : []),
    ...(row.onlineSecurity ? ['Online security'] : []),
    ...(row.onlineBackup ? ['Online backup'] : []),
    ...(row.deviceProtection ? ['Device protection'] : []),
    ...(row.techSupport ? ['Tech support'] : []),
    ...(row.streamingTv ? ['Streaming TV'] : []),
    ...(row.streamingMovies ? ['Streaming movies'] : []),
  ];
  const account: BookAccount = {
    key,
    sourceCustomerId: row.customerId,
    name,
    domain: `${slug}-${index}.example.com`,
    industry: rng.pick(INDUSTRIES),
    country,
    lang,
    ownerIndex: rng.int(0, OWNERS.length - 1),
    contract: row.contract,
    tenureMonths: row.tenureMonths,
    monthlyRevenue,
    totalRevenue: round2(row.totalCharges ?? 0),
    internetService: row.internetService,
    services,
    paymentMethod: row.paymentMethod,
    paperlessBilling: row.paperlessBilling,
    seniorCitizen: row.seniorCitizen,
    partner: row.partner,
    dependents: row.dependents,
    customerSince: iso(customerSince),
    renewalDate: isoDate(renewal),
    status: 'active',
  };
  // The one place the label is read: churned customers left in the 30 days after the cutoff. Their
  // renewal date keeps following the contract like everyone else's: setting it to the churn date
  // leaked the outcome into "days to renewal" (the model's top driver was "Renewal in: 0 days").
  const churnDay = churnRng.int(1, CHURN_WINDOW_DAYS);
  if (row.churn) {
    const churnedAt = cutoff + churnDay * DAY - churnRng.int(0, 23) * 3_600_000;
    account.status = 'churned';
    account.churnedAt = iso(churnedAt);
  }
  return account;
}

function makeContacts(account: BookAccount, row: TelcoRow, rng: Rng): BookContact[] {
  const n = 1 + Math.min(5, rng.poisson(0.6 + (row.partner ? 0.5 : 0) + (row.dependents ? 0.4 : 0)));
  const contacts: BookContact[] = [];
  const since = Date.parse(account.customerSince);
  for (let j = 0; j < n; j++) {
    const lang: Lang = rng.chance(0.9) ? account.lang : account.lang === 'en' ? 'zh' : 'en';
    let firstName: string;
    let lastName: string;
    let local: string;
    if (lang === 'en') {
      firstName = rng.pick(EN_FIRST);
      lastName = rng.pick(EN_LAST);
      local = `${firstName}.${lastName}`.toLowerCase();
    } else {
      const [f, fp] = rng.pick(ZH_FIRST);
      const [l, lp] = rng.pick(ZH_LAST);
      firstName = f;
      lastName = l;
      local = `${lp}.${fp}`;
    }
    contacts.push({
      key: `${account.key}-C${j}`,
      accountKey: account.key,
      firstName,
      lastName,
      email: `${local}${j}@${account.domain}`,
      phone: `+1-555-${String(rng.int(0, 9999)).padStart(4, '0')}`,
      title: j === 0 ? rng.pick(TITLES.slice(0, 2)) : rng.pick(TITLES),
      isPrimary: j === 0,
      lang,
      createdAt: iso(since + j * rng.int(1, 90) * DAY),
    });
  }
  return contacts;
}

function makeDeals(account: BookAccount, rng: Rng, cutoff: number): BookDeal[] {
  const since = Date.parse(account.customerSince);
  const termMonths = account.contract === 'Two year' ? 24 : account.contract === 'One year' ? 12 : 1;
  const termValue = round2(account.monthlyRevenue * Math.max(termMonths, 12));
  const label = account.lang === 'zh' ? { new: '新签', renewal: '续约' } : { new: 'New business', renewal: 'Renewal' };
  const deals: BookDeal[] = [
    {
      key: `${account.key}-D0`,
      accountKey: account.key,
      name: `${account.name} · ${label.new}`,
      kind: 'new',
      stage: 'closedwon',
      amount: termValue,
      closeDate: isoDate(since),
      isClosed: true,
      isWon: true,
      createdAt: iso(since - rng.int(7, 60) * DAY),
      ownerIndex: account.ownerIndex,
    },
  ];
  // Past renewals of term contracts (at most the last three), each won.
  if (termMonths > 1) {
    const past: number[] = [];
    for (let t = addMonths(since, termMonths); t <= cutoff; t = addMonths(t, termMonths)) past.push(t);
    for (const t of past.slice(-3)) {
      deals.push({
        key: `${account.key}-D${deals.length}`,
        accountKey: account.key,
        name: `${account.name} · ${label.renewal} ${isoDate(t).slice(0, 4)}`,
        kind: 'renewal',
        stage: 'closedwon',
        amount: termValue,
        closeDate: isoDate(t),
        isClosed: true,
        isWon: true,
        createdAt: iso(t - rng.int(20, 60) * DAY),
        ownerIndex: account.ownerIndex,
      });
    }
  }
  const renewal = Date.parse(`${account.renewalDate}T00:00:00.000Z`);
  const openedAt = iso(Math.min(cutoff, renewal) - rng.int(10, 45) * DAY);
  const upcoming = `${account.name} · ${label.renewal} ${account.renewalDate.slice(0, 7)}`;
  if (account.status === 'churned') {
    // Lost when the customer left, whatever the contract's renewal date said.
    const lostOn = isoDate(Date.parse(account.churnedAt as string));
    deals.push({
      key: `${account.key}-D${deals.length}`,
      accountKey: account.key,
      name: upcoming,
      kind: 'renewal',
      stage: 'closedlost',
      amount: termValue,
      closeDate: lostOn,
      isClosed: true,
      isWon: false,
      createdAt: openedAt,
      ownerIndex: account.ownerIndex,
    });
  } else {
    deals.push({
      key: `${account.key}-D${deals.length}`,
      accountKey: account.key,
      name: upcoming,
      kind: 'renewal',
      stage: rng.chance(0.5) ? 'contractsent' : 'qualifiedtobuy',
      amount: termValue,
      closeDate: account.renewalDate,
      isClosed: false,
      isWon: false,
      createdAt: openedAt,
      ownerIndex: account.ownerIndex,
    });
  }
  return deals;
}

/** Topic weights from the real service columns only. */
function topicFor(row: TelcoRow, rng: Rng): Topic {
  const weights: [Topic, number][] = [
    ['outage', row.internetService === 'Fiber optic' ? 3 : row.internetService === 'DSL' ? 1.5 : 0.3],
    ['speed', row.internetService === 'No' ? 0.1 : 2],
    ['billing', row.paymentMethod === 'Electronic check' ? 3 : 1.2],
    ['streaming', row.streamingTv || row.streamingMovies ? 1.5 : 0.1],
    ['device', row.deviceProtection ? 1.5 : 0.7],
    ['security', row.onlineSecurity ? 0.8 : 0.5],
    ['onboarding', row.tenureMonths < 6 ? 2 : 0.2],
    ['contract', 0.8],
    ['support', row.techSupport ? 0.6 : 1.2],
    ['praise', row.techSupport ? 1 : 0.4],
  ];
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [topic, w] of weights) {
    r -= w;
    if (r <= 0) return topic;
  }
  return 'contract';
}

/** Label-free severity from the real columns: sets a ticket's priority (structural, never the label). */
function severityFor(row: TelcoRow, rng: Rng): Tone {
  const negative =
    0.15 +
    (row.internetService === 'Fiber optic' ? 0.1 : 0) +
    (row.techSupport ? 0 : 0.08) +
    (row.contract === 'Month-to-month' ? 0.05 : 0);
  const r = rng.next();
  return r < negative ? 'negative' : r < negative + 0.3 ? 'positive' : 'neutral';
}

function textContext(account: BookAccount, contact: BookContact, lang: Lang, at: number): TextContext {
  const service =
    account.internetService !== 'No' ? account.internetService : account.services.includes('Streaming TV') ? 'streaming' : 'phone';
  const contactName =
    lang === 'zh' && contact.lang === 'zh' ? `${contact.lastName}${contact.firstName}` : `${contact.firstName} ${contact.lastName}`;
  return { lang, contactName, service, contract: account.contract, payment: account.paymentMethod, monthIndex: new Date(at).getUTCMonth() };
}

function makeTickets(account: BookAccount, row: TelcoRow, contacts: BookContact[], rng: Rng, cutoff: number, voice: Voice): BookTicket[] {
  // Monthly rate from real columns plus a per-account lognormal factor (noise), never from Churn.
  const rate =
    (0.05 +
      (row.internetService === 'Fiber optic' ? 0.06 : 0) +
      (row.techSupport ? 0 : 0.04) +
      (row.onlineSecurity ? 0 : 0.02) +
      row.monthlyCharges / 3000) *
    Math.exp(0.5 * rng.normal() - 0.125);
  const months = Math.max(1, Math.min(12, row.tenureMonths));
  const n = rng.poisson(rate * months);
  const since = Math.max(Date.parse(account.customerSince), cutoff - months * 30 * DAY);
  const out: BookTicket[] = [];
  for (let j = 0; j < n; j++) {
    const at = since + Math.floor(rng.next() * Math.max(DAY, cutoff - since));
    const contact = rng.pick(contacts);
    const topic = topicFor(row, rng);
    const severity = severityFor(row, rng);
    const now = atTime(voice, at);
    const tone = voiceTone(now);
    const { subject, body } = writeText(
      topic,
      tone,
      textContext(account, contact, contact.lang, at),
      voice.rng,
      voiceEscalation(now, tone),
    );
    const ageDays = (cutoff - at) / DAY;
    const status = ageDays > 14 || rng.chance(0.4) ? 'closed' : rng.chance(0.5) ? 'open' : 'pending';
    const priority =
      severity === 'negative' ? rng.pick(['high', 'urgent', 'medium'] as const) : rng.pick(['low', 'medium', 'medium'] as const);
    const ticket: BookTicket = {
      key: `${account.key}-T${j}`,
      accountKey: account.key,
      contactKey: contact.key,
      subject,
      description: body,
      topic,
      lang: contact.lang,
      status,
      priority,
      createdAt: iso(at),
    };
    if (status === 'closed') ticket.closedAt = iso(Math.min(cutoff, at + rng.int(1, 240) * 3_600_000));
    out.push(ticket);
  }
  return out
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .map((t, j) => ({ ...t, key: `${account.key}-T${j}` }));
}

const ACTIVITY_TYPES = ['email', 'call', 'meeting', 'note', 'task'] as const;

function makeActivities(
  account: BookAccount,
  row: TelcoRow,
  contacts: BookContact[],
  rng: Rng,
  cutoff: number,
  voice: Voice,
): BookActivity[] {
  const rate =
    (0.6 + (row.contract === 'Two year' ? 0.4 : row.contract === 'One year' ? 0.2 : 0) + account.services.length * 0.08) *
    Math.exp(0.5 * rng.normal() - 0.125);
  const months = Math.max(1, Math.min(6, row.tenureMonths));
  const n = rng.poisson(rate * months);
  const since = Math.max(Date.parse(account.customerSince), cutoff - months * 30 * DAY);
  const times: number[] = [];
  for (let j = 0; j < n; j++) times.push(since + Math.floor(rng.next() * Math.max(DAY, cutoff - since)));
  times.sort((a, b) => a - b);
  return times.map((at, j) => {
    const contact = rng.pick(contacts);
    const type = rng.pick(ACTIVITY_TYPES);
    const topic = rng.chance(0.5) ? 'contract' : topicFor(row, rng);
    severityFor(row, rng); // keeps the structural stream's draws where they were
    const now = atTime(voice, at);
    const tone = voiceTone(now);
    const { subject, body } = writeText(
      topic,
      tone,
      textContext(account, contact, contact.lang, at),
      voice.rng,
      voiceEscalation(now, tone),
    );
    const activity: BookActivity = {
      key: `${account.key}-A${j}`,
      accountKey: account.key,
      contactKey: contact.key,
      type,
      occurredAt: iso(at),
      subject,
      body,
      lang: contact.lang,
      ownerIndex: account.ownerIndex,
    };
    if (type === 'email' || type === 'call') activity.direction = rng.chance(0.4) ? 'inbound' : 'outbound';
    if (type === 'task') activity.taskStatus = cutoff - at > 7 * DAY || rng.chance(0.5) ? 'completed' : 'open';
    return activity;
  });
}

function makeTransactions(account: BookAccount, row: TelcoRow, rng: Rng, cutoff: number): BookTransaction[] {
  const months = Math.min(12, row.tenureMonths);
  const out: BookTransaction[] = [];
  const since = Date.parse(account.customerSince);
  const auto = row.paymentMethod.includes('automatic');
  for (let m = months; m >= 1; m--) {
    const at = addMonths(cutoff, -m) + (since % (28 * DAY));
    if (at < since || at > cutoff) continue;
    const amount = round2(account.monthlyRevenue * (0.97 + 0.06 * rng.next()));
    const due = at + 14 * DAY;
    const lateDays = auto ? 0 : Math.max(0, Math.round(rng.normal() * 6 + (row.paymentMethod === 'Electronic check' ? 3 : 0)));
    const paidAt = at + (auto ? 1 : rng.int(2, 12)) * DAY + lateDays * DAY;
    const k = out.length;
    out.push({
      key: `${account.key}-I${k}`,
      accountKey: account.key,
      kind: 'invoice',
      occurredAt: iso(at),
      amount,
      currency: 'USD',
      dueDate: isoDate(due),
      ...(paidAt <= cutoff ? { paidAt: iso(paidAt) } : {}),
    });
    if (paidAt <= cutoff)
      out.push({ key: `${account.key}-P${k}`, accountKey: account.key, kind: 'payment', occurredAt: iso(paidAt), amount, currency: 'USD' });
  }
  return out;
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const iso = (ms: number): string => new Date(ms).toISOString();
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
