import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCardView, CARD_LABELS as SHARED_LABELS, type CardView } from '../../shared/card.view-model';
import type { AccountId, CanonicalAccount, RiskBand, TenantId } from '../../../core';
import { CARD_LABELS } from '../src/app/cards/card-labels';
import type { CardViewV1 } from '../src/app/cards/card-view.types';

// Both directions must type-check (`tsc -p ui-extension/hubspot`): the local copy is exactly card.v1.
export const toLocal = (v: CardView): CardViewV1 => v;
export const toShared = (v: CardViewV1): CardView => v;

/** Reads an ES module of plain `export const NAME = <json>;` declarations (the LWC's generated and copied data files). */
function esmConstants(path: string): Record<string, unknown> {
  const source = readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const out: Record<string, unknown> = {};
  for (const m of source.matchAll(/export const (\w+) = ([\s\S]*?);\n/g)) out[m[1] as string] = JSON.parse(m[2] as string);
  return out;
}

const LWC_DIR = join(__dirname, '../../salesforce/force-app/main/default/lwc/successEngineCard');

describe('card surfaces stay on the card.v1 contract', () => {
  it('the HubSpot card and the LWC use the shared card words', () => {
    expect(CARD_LABELS).toEqual(SHARED_LABELS);
    expect(esmConstants(join(LWC_DIR, 'labels.js')).CARD_LABELS).toEqual(SHARED_LABELS);
  });

  it('the LWC’s band words match the view-model’s band labels', () => {
    const bandWords = esmConstants(join(LWC_DIR, 'fieldNames.js')).BAND_WORDS as Record<RiskBand, unknown>;
    const account = {
      id: 'hubspot:1' as AccountId,
      tenantId: 't' as TenantId,
      name: 'A',
      status: 'active',
      attributes: {},
      dataHash: '',
      source: { provider: 'hubspot', externalId: '1', modstamp: '2026-01-01T00:00:00Z' },
    } as unknown as CanonicalAccount;
    for (const band of ['low', 'medium', 'high', 'critical'] as const) {
      const view = buildCardView({
        account,
        now: new Date(),
        history: [
          {
            tenantId: account.tenantId,
            accountId: account.id,
            computedAt: '2026-01-01T00:00:00Z',
            modelVersion: 'v',
            nextBestActions: [],
            churn: { probability: 0.5, band, drivers: [], model: { name: 'm', version: '1', kind: 'rules' } },
          },
        ],
      });
      expect(bandWords[band]).toEqual(view.churn?.bandLabel);
    }
  });
});
