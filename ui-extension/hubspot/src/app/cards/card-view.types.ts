/**
 * The card.v1 contract as the HubSpot card sees it. A local copy because HubSpot bundles only this
 * project; `card-labels.test.ts` checks it stays assignable both ways to `CardView` in
 * ui-extension/shared/card.view-model.ts.
 */
export interface Localized {
  en: string;
  zh: string;
}
export type Lang = keyof Localized;

export interface ModelRef {
  name: string;
  version: string;
  kind: 'learned' | 'health-score' | 'bg-nbd' | 'sbg' | 'rules';
}

export interface CardViewV1 {
  version: 'card.v1';
  account: { id: string; name: string; provider: 'salesforce' | 'hubspot' | 'file'; externalId: string; ownerName: string | null };
  churn: {
    probability: number;
    percent: number;
    percentText: string;
    band: 'low' | 'medium' | 'high' | 'critical';
    bandLabel: Localized;
    trend: {
      direction: 'rising' | 'falling' | 'steady' | 'new';
      changePoints: number;
      label: Localized;
      points: { computedAt: string; probability: number }[];
    };
    drivers: { text: Localized; direction: 'raises' | 'lowers'; points: number }[];
    missing: Localized | null;
    model: ModelRef;
  } | null;
  clv: {
    point: number;
    ifRetained: number | null;
    p10: number;
    p90: number;
    intervalKind: 'outcome' | 'estimate';
    summary: Localized;
    currency: string;
    horizonMonths: number;
    method: 'contractual' | 'non-contractual';
    model: ModelRef;
  } | null;
  actions: { actionId: string; rank: number; title: Localized; reasons: Localized[] }[];
  /** The account's book segment; null before segments exist. */
  segment: { id: string; name: Localized } | null;
  noActionReason: Localized | null;
  /** "What customers say"; null before any text was read. */
  voice: {
    trend: 'improving' | 'worsening' | 'stable' | 'unknown';
    trendLabel: Localized;
    topics: { label: Localized; count: number; negative: number; text: Localized }[];
    example: { text: string; kindLabel: Localized } | null;
    reasons: Localized[];
  } | null;
  freshness: { computedAt: string | null; ageHours: number | null; stale: boolean; label: Localized };
  modelVersion: string | null;
}
