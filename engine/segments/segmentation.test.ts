import { createRandom } from '../optim/random';
import { kMeans, silhouette } from './kmeans';
import { quintiles, rfmScores } from './rfm';
import { assignSegment, segmentAccounts, type SegmentInput } from './segmentation';

/** Three well-separated groups: big healthy accounts, big accounts whose risk is climbing, small ones. */
function book(seed: number, n = 300): SegmentInput[] {
  const random = createRandom(seed);
  const out: SegmentInput[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % 3;
    const value = g === 2 ? 200 * Math.exp(0.2 * random.normal()) : 20_000 * Math.exp(0.2 * random.normal());
    const risk = Math.min(1, Math.max(0, (g === 1 ? 0.6 : 0.1) + 0.05 * random.normal()));
    const riskTrend = g === 1 ? 0.2 + 0.03 * random.normal() : 0.02 * random.normal();
    out.push({
      accountId: `a${seed}-${i}`,
      value,
      risk,
      riskTrend,
      recencyDays: 5 + (i % 60),
      frequency: 1 + (i % 9),
      monetary: value / 10,
    });
  }
  return out;
}

describe('RFM', () => {
  it('scores quintiles with ties sharing a score; recent buyers score high on R', () => {
    expect(quintiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(new Set(quintiles([7, 7, 7, 7])).size).toBe(1);
    const s = rfmScores([
      { accountId: 'recent', recencyDays: 1, frequency: 9, monetary: 500 },
      { accountId: 'old', recencyDays: 300, frequency: 1, monetary: 5 },
    ]);
    expect(s[0]?.r).toBeGreaterThan(s[1]?.r ?? 9);
    expect(s[0]?.code).toMatch(/^[1-5]{3}$/);
    expect(() => rfmScores([{ accountId: 'x', recencyDays: -1, frequency: 1, monetary: 1 }])).toThrow(/row 0/);
  });
});

describe('k-means and silhouette', () => {
  it('separates clear clusters and prefers the true k by silhouette', () => {
    const random = createRandom(3);
    const pts = Array.from({ length: 150 }, (_, i) => [(i % 3) * 10 + random.normal(), (i % 3) * -5 + random.normal()]);
    const scores = [2, 3, 4, 5].map((k) => silhouette(pts, kMeans(pts, k).labels, k));
    expect(scores.indexOf(Math.max(...scores))).toBe(1);
    expect(Math.max(...scores)).toBeGreaterThan(0.7);
  });
});

describe('segments', () => {
  it('finds the profiles and names them in both languages', () => {
    const { model, assignments } = segmentAccounts(book(1));
    expect(model.k).toBe(3);
    const names = model.segments.map((s) => s.name.en);
    expect(names).toContain('high value, rising risk');
    expect(names).toContain('high value, low risk');
    expect(model.segments.find((s) => s.name.en === 'high value, rising risk')?.name.zh).toBe('高价值，风险上升');
    expect(assignments).toHaveLength(300);
    expect(assignments[0]?.rfm?.code).toMatch(/^[1-5]{3}$/);
    // Members of one generating group land in one segment.
    const groupOf = (i: number) => assignments.filter((_, j) => j % 3 === i).map((a) => a.segmentId);
    for (const g of [0, 1, 2]) expect(new Set(groupOf(g)).size).toBe(1);
  });

  it('keeps segment ids stable across runs on fresh data from the same book', () => {
    const first = segmentAccounts(book(1));
    const second = segmentAccounts(book(2), { previous: first.model, seed: 99 });
    expect(second.model.segments.map((s) => s.id).sort()).toEqual(first.model.segments.map((s) => s.id).sort());
    const ids = first.model.segments.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries a previous run’s ids to the segments whose profile matches', () => {
    const first = segmentAccounts(book(1));
    const renamed = { ...first.model, segments: first.model.segments.map((s, i) => ({ ...s, id: `kept-${i}` })) };
    const second = segmentAccounts(book(2), { previous: renamed });
    for (const seg of second.model.segments) {
      const match = renamed.segments.find((s) => s.name.en === seg.name.en);
      expect(seg.id).toBe(match?.id);
    }
  });

  it('places accounts it was not fitted on in the segment of their profile (a book fitted on a sample)', () => {
    const fitted = segmentAccounts(book(1).map(({ riskTrend: _t, ...r }) => r));
    const fresh = book(7, 30).map(({ riskTrend: _t, ...r }) => r);
    const nameOf = (id: string) => fitted.model.segments.find((s) => s.id === id)?.name.en;
    const expected = fitted.assignments.slice(0, 3).map((a) => nameOf(a.segmentId));
    fresh.forEach((r, i) => expect(assignSegment(fitted.model, r).name.en).toBe(expected[i % 3]));
    expect(assignSegment(fitted.model, { value: 200, risk: 0.1 }).name.en).toBe(expected[2]);
  });

  it('rejects a churn probability outside [0, 1] naming the row', () => {
    expect(() => segmentAccounts([...book(1, 6), { accountId: 'bad', value: 1, risk: 1.5 }])).toThrow(/row 6/);
  });
});
