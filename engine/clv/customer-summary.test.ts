import { dayNumber, summarizeCustomers } from './customer-summary';

describe('customer summary', () => {
  const d = dayNumber;

  it('parses the date forms and rejects impossible dates', () => {
    expect(d('1997-01-01')).toBe(d('19970101'));
    expect(d('1997-01-01T23:59:00Z')).toBe(d('1997-01-01'));
    expect(d('1997-03-01') - d('1997-02-28')).toBe(1);
    expect(d('2010-12-01 08:26:00')).toBe(d('2010-12-01'));
    expect(d('2010/12/1')).toBe(d('2010-12-01'));
    expect(d('2010-12-01T23:30:00+08:00')).toBe(d('2010-12-01'));
    expect(() => d('1997-02-30')).toThrow(/not a date/);
    expect(() => d('yesterday')).toThrow(/not a date/);
  });

  it('merges same-day purchases, measures weeks from the first purchase, splits at the calibration end', () => {
    const calibrationEnd = d('1997-09-30');
    const rows = [
      { customerId: 'a', day: d('1997-01-01'), amount: 10 },
      { customerId: 'a', day: d('1997-01-01'), amount: 5 },
      { customerId: 'a', day: d('1997-01-15'), amount: 20 },
      { customerId: 'a', day: d('1997-03-12'), amount: 40 },
      { customerId: 'a', day: d('1997-10-01'), amount: 7 },
      { customerId: 'a', day: d('1998-07-01'), amount: 7 },
      { customerId: 'b', day: d('1997-02-01'), amount: 3 },
      { customerId: 'late', day: d('1997-12-01'), amount: 3 },
    ];
    const out = summarizeCustomers(rows, { calibrationEnd, holdoutEnd: d('1998-06-30') });
    expect(out.map((c) => c.customerId).sort()).toEqual(['a', 'b']);
    const a = out.find((c) => c.customerId === 'a');
    expect(a).toEqual({ customerId: 'a', x: 2, tx: 70 / 7, T: 272 / 7, monetary: 30, holdoutX: 1 });
    const b = out.find((c) => c.customerId === 'b');
    expect(b).toMatchObject({ x: 0, tx: 0, monetary: 0, holdoutX: 0 });
  });

  it('refuses a holdout that ends before calibration', () => {
    expect(() => summarizeCustomers([], { calibrationEnd: 100, holdoutEnd: 50 })).toThrow(/holdout end/);
  });
});
