import { buildLabelledTable, parseCsvText } from './csv-table';

const csv = [
  'id,plan,seats,score,churned,note',
  'a1,pro,10,1.5,yes,x1',
  'a2,basic,,2,no,x2',
  'a3,pro,3,-1e1,no,x3',
  'a4, basic ,7,abc,yes,x4',
  'a5,pro,5,3,,x5',
].join('\n');

describe('CSV to labelled table', () => {
  const labelled = buildLabelledTable(parseCsvText(csv), { label: 'churned', positive: 'yes', id: 'id', ignore: ['note'] });

  it('infers numeric and categorical columns, with blanks as missing', () => {
    const byName = Object.fromEntries(labelled.table.columns.map((c) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(['plan', 'seats', 'score']);
    const seats = byName.seats;
    expect(seats?.kind).toBe('numeric');
    if (seats?.kind === 'numeric') expect(Array.from(seats.values)).toEqual([10, Number.NaN, 3, 7]);
    // "abc" makes the whole column categorical.
    expect(byName.score?.kind).toBe('categorical');
    const plan = byName.plan;
    if (plan?.kind !== 'categorical') throw new Error('plan should be categorical');
    expect(plan.levels).toEqual(['pro', 'basic']);
    expect(Array.from(plan.codes)).toEqual([0, 1, 0, 1]);
  });

  it('skips rows with a blank label and maps the positive value to 1', () => {
    expect(labelled.skippedRows).toEqual([4]);
    expect(Array.from(labelled.labels)).toEqual([1, 0, 0, 1]);
    expect(labelled.ids).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('drops identifier-like and constant columns', () => {
    const rows = Array.from({ length: 120 }, (_, i) => `u${i},${i % 2 ? 'y' : 'n'},same,${i % 3}`);
    const t = buildLabelledTable(parseCsvText(['name,label,constant,bucket', ...rows].join('\n')), { label: 'label', positive: 'y' });
    expect(t.droppedColumns).toEqual([
      { name: 'name', reason: 'identifier-like' },
      { name: 'constant', reason: 'constant' },
    ]);
    expect(t.table.columns.map((c) => c.name)).toEqual(['bucket']);
  });

  it('names the missing column and the malformed row', () => {
    expect(() => buildLabelledTable(parseCsvText(csv), { label: 'nope', positive: 'yes' })).toThrow(/--label column "nope"/);
    expect(() => buildLabelledTable(parseCsvText('a,b\n1,2\n3'), { label: 'b', positive: '2' })).toThrow(
      /data row 2 has 1 cells, the header has 2/,
    );
    expect(() => buildLabelledTable(parseCsvText(csv), { label: 'churned', positive: 'maybe' })).toThrow(/both classes/);
  });
});
