/**
 * A SOQL subset: SELECT fields (incl. parent relationship paths such as Account.Name) or COUNT()
 * FROM one object, WHERE with AND/OR/NOT and parentheses, = != <> < <= > >=, [NOT] IN, LIKE, literals
 * (strings, numbers, booleans, null, dates, datetimes, TODAY / YESTERDAY / TOMORROW / LAST_N_DAYS:n /
 * NEXT_N_DAYS:n / THIS_MONTH / LAST_MONTH), ORDER BY … ASC|DESC NULLS FIRST|LAST, LIMIT, OFFSET.
 */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

export type SoqlValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: string }
  | { kind: 'dateLiteral'; name: string; n?: number };

export type SoqlCondition =
  | { kind: 'and' | 'or'; left: SoqlCondition; right: SoqlCondition }
  | { kind: 'not'; inner: SoqlCondition }
  | { kind: 'compare'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE'; value: SoqlValue }
  | { kind: 'in'; field: string; negated: boolean; values: SoqlValue[] };

/** An aggregate in the SELECT list (SOQL "Aggregate Functions"): COUNT(f), COUNT_DISTINCT, SUM, AVG, MIN, MAX. */
export interface SoqlAggregate {
  fn: 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
  field: string;
  alias?: string;
}

export interface SoqlQuery {
  fields: string[];
  /** Child relationship subqueries, e.g. (SELECT Id FROM Contacts LIMIT 2). */
  subqueries: SoqlQuery[];
  aggregates: SoqlAggregate[];
  groupBy: string[];
  count: boolean;
  from: string;
  where?: SoqlCondition;
  orderBy: { field: string; descending: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
}

interface Token {
  type: 'word' | 'string' | 'number' | 'op' | 'punct' | 'datetime' | 'date';
  text: string;
  pos: number;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  'LIMIT',
  'OFFSET',
  'NULL',
  'TRUE',
  'FALSE',
  'GROUP',
]);
const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = soql.slice(i);
    const dt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/.exec(rest);
    if (dt) {
      tokens.push({ type: 'datetime', text: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = /^\d{4}-\d{2}-\d{2}(?![\dT])/.exec(rest);
    if (d) {
      tokens.push({ type: 'date', text: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let value = '';
      while (j < soql.length && soql[j] !== "'") {
        if (soql[j] === '\\' && j + 1 < soql.length) {
          const e = soql[j + 1] as string;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else value += soql[j++];
      }
      if (j >= soql.length)
        throw new SoqlError('MALFORMED_QUERY', `unexpected end of query: unterminated string starting at column ${i + 1}`);
      tokens.push({ type: 'string', text: value, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ type: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', text: op[0] === '<>' ? '!=' : op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if ('(),:'.includes(c)) {
      tokens.push({ type: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (word) {
      tokens.push({ type: 'word', text: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${c}' at column ${i + 1}`);
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isKeyword(k: string): boolean {
    const t = this.peek();
    return t?.type === 'word' && t.text.toUpperCase() === k;
  }
  private fail(expected: string): never {
    const t = this.peek();
    throw new SoqlError(
      'MALFORMED_QUERY',
      t
        ? `\n${this.source}\n${' '.repeat(t.pos)}^\nERROR at Row:1:Column:${t.pos + 1}\nunexpected token: '${t.text}' (expected ${expected})`
        : `unexpected end of query (expected ${expected})`,
    );
  }
  private expectKeyword(k: string): void {
    if (!this.isKeyword(k)) this.fail(k);
    this.i++;
  }
  private expectPunct(p: string): void {
    const t = this.peek();
    if (t?.type !== 'punct' || t.text !== p) this.fail(`'${p}'`);
    this.i++;
  }
  private field(): string {
    const t = this.peek();
    if (t?.type !== 'word' || KEYWORDS.has(t.text.toUpperCase())) this.fail('a field name');
    this.i++;
    return t.text;
  }

  parse(): SoqlQuery {
    const query = this.query(false);
    if (this.peek()) this.fail('end of query');
    return query;
  }

  /** One SELECT; a nested one (a child subquery) stops before its closing parenthesis. */
  private query(nested: boolean): SoqlQuery {
    this.expectKeyword('SELECT');
    const fields: string[] = [];
    const subqueries: SoqlQuery[] = [];
    const aggregates: SoqlAggregate[] = [];
    let count = false;
    if (this.peek()?.text.toUpperCase() === 'COUNT' && this.tokens[this.i + 1]?.text === '(' && this.tokens[this.i + 2]?.text === ')') {
      this.i += 3;
      count = true;
    } else {
      do {
        if (this.peek()?.text === ',') this.i++;
        const t = this.peek();
        if (t?.type === 'punct' && t.text === '(' && !nested) {
          this.i++;
          subqueries.push(this.query(true));
          this.expectPunct(')');
        } else if (t?.type === 'word' && AGGREGATES.has(t.text.toUpperCase()) && this.tokens[this.i + 1]?.text === '(') {
          this.i += 2;
          const field = this.field();
          this.expectPunct(')');
          const alias = this.peek()?.type === 'word' && !KEYWORDS.has((this.peek() as Token).text.toUpperCase()) ? this.field() : undefined;
          aggregates.push({ fn: t.text.toUpperCase() as SoqlAggregate['fn'], field, ...(alias ? { alias } : {}) });
        } else fields.push(this.field());
      } while (this.peek()?.text === ',');
    }
    this.expectKeyword('FROM');
    const from = this.field();
    const query: SoqlQuery = { fields, subqueries, aggregates, groupBy: [], count, from, orderBy: [] };
    if (this.isKeyword('WHERE')) {
      this.i++;
      query.where = this.or();
    }
    if (this.isKeyword('GROUP')) {
      this.i++;
      this.expectKeyword('BY');
      query.groupBy.push(this.field());
      while (this.peek()?.text === ',') {
        this.i++;
        query.groupBy.push(this.field());
      }
    }
    if (this.isKeyword('ORDER')) {
      this.i++;
      this.expectKeyword('BY');
      do {
        if (this.peek()?.text === ',') this.i++;
        const field = this.field();
        let descending = false;
        if (this.isKeyword('ASC')) this.i++;
        else if (this.isKeyword('DESC')) {
          this.i++;
          descending = true;
        }
        let nullsLast = descending;
        if (this.isKeyword('NULLS')) {
          this.i++;
          if (this.isKeyword('FIRST')) nullsLast = false;
          else if (this.isKeyword('LAST')) nullsLast = true;
          else this.fail('FIRST or LAST');
          this.i++;
        }
        query.orderBy.push({ field, descending, nullsLast });
      } while (this.peek()?.text === ',');
    }
    if (this.isKeyword('LIMIT')) {
      this.i++;
      query.limit = this.integer();
    }
    if (this.isKeyword('OFFSET')) {
      this.i++;
      query.offset = this.integer();
      if (query.offset > 2000) throw new SoqlError('MALFORMED_QUERY', 'Maximum SOQL offset allowed is 2000');
    }
    if (!nested && this.peek()) this.fail('end of query');
    return query;
  }

  private integer(): number {
    const t = this.peek();
    if (t?.type !== 'number' || !/^\d+$/.test(t.text)) this.fail('a non-negative integer');
    this.i++;
    return Number(t.text);
  }

  private or(): SoqlCondition {
    let left = this.and();
    while (this.isKeyword('OR')) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): SoqlCondition {
    let left = this.not();
    while (this.isKeyword('AND')) {
      this.i++;
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }
  private not(): SoqlCondition {
    if (this.isKeyword('NOT')) {
      this.i++;
      return { kind: 'not', inner: this.not() };
    }
    if (this.peek()?.text === '(') {
      this.i++;
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    const field = this.field();
    if (this.isKeyword('NOT') || this.isKeyword('IN')) {
      const negated = this.isKeyword('NOT');
      if (negated) this.i++;
      this.expectKeyword('IN');
      this.expectPunct('(');
      const values = [this.value()];
      while (this.peek()?.text === ',') {
        this.i++;
        values.push(this.value());
      }
      this.expectPunct(')');
      return { kind: 'in', field, negated, values };
    }
    if (this.isKeyword('LIKE')) {
      this.i++;
      const v = this.value();
      if (v.kind !== 'string') throw new SoqlError('MALFORMED_QUERY', 'LIKE needs a string pattern');
      return { kind: 'compare', field, op: 'LIKE', value: v };
    }
    const t = this.peek();
    if (t?.type !== 'op') this.fail('a comparison operator');
    this.i++;
    return { kind: 'compare', field, op: t.text as '=' | '!=' | '<' | '<=' | '>' | '>=', value: this.value() };
  }

  private value(): SoqlValue {
    const t = this.peek();
    if (!t) this.fail('a value');
    this.i++;
    switch (t.type) {
      case 'string':
        return { kind: 'string', value: t.text };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'datetime':
        return { kind: 'datetime', value: new Date(t.text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString() };
      case 'word': {
        const upper = t.text.toUpperCase();
        if (upper === 'NULL') return { kind: 'null' };
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
        if (['TODAY', 'YESTERDAY', 'TOMORROW', 'THIS_MONTH', 'LAST_MONTH', 'NEXT_MONTH', 'THIS_YEAR'].includes(upper))
          return { kind: 'dateLiteral', name: upper };
        if (['LAST_N_DAYS', 'NEXT_N_DAYS', 'LAST_N_MONTHS', 'NEXT_N_MONTHS'].includes(upper)) {
          this.expectPunct(':');
          return { kind: 'dateLiteral', name: upper, n: this.integer() };
        }
        this.i--;
        return this.fail('a value');
      }
      default:
        this.i--;
        return this.fail('a value');
    }
  }
}

export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql.trim()), soql.trim()).parse();
}

/** The [start, end) instant range a date literal denotes, relative to `now` (UTC days). */
export function dateLiteralRange(lit: { name: string; n?: number }, now: Date): [number, number] {
  const day = 86_400_000;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const month = (offset: number): [number, number] => [
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1),
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset + 1, 1),
  ];
  const n = lit.n ?? 0;
  switch (lit.name) {
    case 'TODAY':
      return [today, today + day];
    case 'YESTERDAY':
      return [today - day, today];
    case 'TOMORROW':
      return [today + day, today + 2 * day];
    case 'THIS_MONTH':
      return month(0);
    case 'LAST_MONTH':
      return month(-1);
    case 'NEXT_MONTH':
      return month(1);
    case 'THIS_YEAR':
      return [Date.UTC(now.getUTCFullYear(), 0, 1), Date.UTC(now.getUTCFullYear() + 1, 0, 1)];
    case 'LAST_N_DAYS':
      return [today - n * day, today + day];
    case 'NEXT_N_DAYS':
      return [today, today + (n + 1) * day];
    case 'LAST_N_MONTHS':
      return [month(-n)[0], month(0)[0]];
    case 'NEXT_N_MONTHS':
      return [month(1)[0], month(n + 1)[0]];
    default:
      throw new SoqlError('MALFORMED_QUERY', `unsupported date literal ${lit.name}`);
  }
}
