import { dateLiteralRange, parseSoql, SoqlError } from './soql.parser';

describe('SOQL subset parser', () => {
  it('parses fields, relationship paths, nested boolean logic, ORDER BY, LIMIT and OFFSET', () => {
    const q = parseSoql(
      "SELECT Id, Account.Owner.Name FROM Opportunity WHERE (StageName = 'Closed Lost' OR Amount >= 10.5) AND NOT IsWon = true ORDER BY CloseDate DESC NULLS LAST, Id LIMIT 10 OFFSET 5",
    );
    expect(q.fields).toEqual(['Id', 'Account.Owner.Name']);
    expect(q.from).toBe('Opportunity');
    expect(q.where).toEqual({
      kind: 'and',
      left: {
        kind: 'or',
        left: { kind: 'compare', field: 'StageName', op: '=', value: { kind: 'string', value: 'Closed Lost' } },
        right: { kind: 'compare', field: 'Amount', op: '>=', value: { kind: 'number', value: 10.5 } },
      },
      right: { kind: 'not', inner: { kind: 'compare', field: 'IsWon', op: '=', value: { kind: 'boolean', value: true } } },
    });
    expect(q.orderBy).toEqual([
      { field: 'CloseDate', descending: true, nullsLast: true },
      { field: 'Id', descending: false, nullsLast: false },
    ]);
    expect([q.limit, q.offset]).toEqual([10, 5]);
  });

  it('binds AND tighter than OR and reads IN, NOT IN, LIKE, null, dates, datetimes and date literals', () => {
    const q = parseSoql(
      "select id from Case where A__c = null or B__c in ('x', 'it\\'s') and C__c not in (1, 2) or Subject like '%outage%' or CreatedDate > 2026-01-01T00:00:00+0800 or CloseDate = 2026-02-03 or CreatedDate = LAST_N_DAYS:7",
    );
    expect(q.where?.kind).toBe('or');
    const text = JSON.stringify(q.where);
    expect(text).toContain('"kind":"and"');
    expect(text).toContain('"negated":true');
    expect(text).toContain("it's");
    expect(text).toContain('"value":"2025-12-31T16:00:00.000Z"');
    expect(text).toContain('{"kind":"date","value":"2026-02-03"}');
    expect(text).toContain('{"kind":"dateLiteral","name":"LAST_N_DAYS","n":7}');
  });

  it('parses COUNT()', () => {
    expect(parseSoql('SELECT COUNT() FROM Account').count).toBe(true);
  });

  it.each([
    ['SELECT Id FRM Account', /unexpected token: 'FRM'/],
    ["SELECT Id FROM Account WHERE Name = 'open", /unterminated string/],
    ['SELECT Id FROM Account LIMIT -1', /non-negative integer/],
    ['SELECT Id FROM Account WHERE', /unexpected end of query/],
    ['SELECT Id FROM Account OFFSET 2001', /Maximum SOQL offset/],
    ['SELECT FROM Account', /a field name/],
  ])('rejects %s as MALFORMED_QUERY', (soql, message) => {
    let caught: unknown;
    try {
      parseSoql(soql);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SoqlError);
    expect((caught as SoqlError).errorCode).toBe('MALFORMED_QUERY');
    expect((caught as SoqlError).message).toMatch(message);
  });

  it('turns date literals into [start, end) UTC ranges', () => {
    const now = new Date('2026-03-15T10:00:00Z');
    const day = 86_400_000;
    const today = Date.UTC(2026, 2, 15);
    expect(dateLiteralRange({ name: 'TODAY' }, now)).toEqual([today, today + day]);
    expect(dateLiteralRange({ name: 'LAST_N_DAYS', n: 3 }, now)).toEqual([today - 3 * day, today + day]);
    expect(dateLiteralRange({ name: 'LAST_MONTH' }, now)).toEqual([Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)]);
    expect(dateLiteralRange({ name: 'NEXT_N_DAYS', n: 1 }, now)).toEqual([today, today + 2 * day]);
  });
});
