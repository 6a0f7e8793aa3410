import type { OpportunityId } from '../../core';
import { rocAuc } from '../metrics/classification.metrics';
import { createRandom } from '../optim/random';
import { scoreOpenDeals, trainWinModel, type DealInput } from './win-probability.model';

/** Deals whose chance of winning falls with size and rises for upsells and engaged buyers. */
function deals(n: number, seed: number, closed: boolean): DealInput[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const amount = Math.exp(8 + 1.5 * random.normal());
    const kind = (['new', 'upsell', 'renewal'] as const)[i % 3] ?? 'new';
    const meetings = Math.floor(random.next() * 8);
    const logit = -0.8 * (Math.log(amount) - 8) + (kind === 'upsell' ? 1 : kind === 'renewal' ? 1.5 : -0.5) + 0.4 * (meetings - 3.5);
    const won = random.next() < 1 / (1 + Math.exp(-logit));
    return {
      id: `d${seed}-${i}` as OpportunityId,
      kind,
      amount,
      closeDate: '2025-06-30',
      createdAt: new Date(Date.UTC(2025, 0, 1 + (i % 120))).toISOString(),
      isClosed: closed,
      isWon: closed && won,
      ownerId: `o${i % 4}`,
      attributes: { meetings, wonTruth: won ? 1 : 0 },
    };
  });
}

describe('win probability', () => {
  it('learns from closed deals and ranks held-out deals well', () => {
    const train = deals(800, 1, true).map((d) => ({ ...d, attributes: { meetings: d.attributes.meetings ?? null } }));
    const model = trainWinModel(train, { innerFolds: 3 });
    const test = deals(400, 2, true);
    const truth = test.map((d) => (d.attributes.wonTruth === 1 ? 1 : 0));
    const open = test.map((d) => ({ ...d, isClosed: false, isWon: false, attributes: { meetings: d.attributes.meetings ?? null } }));
    const scored = scoreOpenDeals(model, open);
    expect(scored.deals).toHaveLength(400);
    for (const d of scored.deals) expect(d.probability).toBeGreaterThanOrEqual(0);
    expect(
      rocAuc(
        scored.deals.map((d) => d.probability),
        truth,
      ),
    ).toBeGreaterThan(0.75);
    expect(scored.weightedPipeline).toBeGreaterThan(0);
    expect(model.attributeColumns).toEqual(['meetings']);
  });

  it('needs enough won and lost deals', () => {
    expect(() => trainWinModel(deals(15, 3, true))).toThrow(/at least 10 won and 10 lost/);
  });
});
