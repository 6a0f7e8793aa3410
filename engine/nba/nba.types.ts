import type { LocalizedText, RiskBand } from '../../core';

/**
 * What the next-best-action engine needs to know about one account. Churn and CLV come in as
 * plain numbers so this module composes with engine/churn and engine/clv without importing them.
 */
export interface AccountSignals {
  tenantId: string;
  accountId: string;
  /** The account owner (CSM); actions whose owner role has no named owner go to them. */
  ownerId?: string;
  /** Named owners per role when they differ from the account owner (e.g. the support lead). */
  owners?: Partial<Record<OwnerRole, string>>;
  churnProbability: number;
  riskBand: RiskBand;
  /** CLV point estimate in the tenant currency. */
  clv: number;
  currency?: string;
  /** Segment name (CLV segment or plan tier), matched case-insensitively by eligibility rules. */
  segment: string;
  openTickets: number;
  /** Days until the subscription renews; null when unknown or not contractual. */
  daysToRenewal: number | null;
  /** Active seats / purchased seats, when known. */
  seatUtilization?: number | null;
  /** Days since the account became a customer, when known. */
  tenureDays?: number | null;
  /** True once the account has churned (only win-back actions apply). */
  churned?: boolean;
}

export type OwnerRole = 'csm' | 'account-executive' | 'executive' | 'support' | 'renewals';
export type ActionChannel = 'call' | 'meeting' | 'email' | 'training' | 'ticket' | 'offer' | 'in-app';

export interface NumberRange {
  min?: number;
  max?: number;
}

/** All conditions must hold; an absent condition is not checked. */
export interface EligibilityRule {
  segments?: string[];
  riskBands?: RiskBand[];
  clv?: NumberRange;
  openTickets?: NumberRange;
  /** Requires a known renewal date inside the range. */
  daysToRenewal?: NumberRange;
  seatUtilization?: NumberRange;
  tenureDays?: NumberRange;
  /** Default false: only live customers. Win-back sets true. */
  churned?: boolean;
}

export interface ActionDefinition {
  id: string;
  title: LocalizedText;
  channel: ActionChannel;
  ownerRole: OwnerRole;
  /** Cost of doing the action once, in the tenant currency (people time, discount). */
  cost: number;
  /** Tenant preference multiplier (1 = neutral). */
  businessWeight: number;
  /** `retention`: value = CLV × churn probability × uplift; `expansion`: CLV × (1 − churn) × uplift. */
  valueBasis: 'retention' | 'expansion';
  /** Expected relative uplift when the action is done (0..1), from experience or measured lift. */
  expectedUplift: number;
  /** Prior probability the action gets done and lands, used until enough outcomes exist. */
  priorPropensity: number;
  /** Contact policy: do not recommend the same action to the same account within this many days. */
  cooldownDays: number;
  eligibility: EligibilityRule;
  enabled: boolean;
}

/** One past recommendation (or contact) for cooldowns and weekly capacity. */
export interface ActionHistoryEntry {
  tenantId: string;
  accountId: string;
  actionId: string;
  ownerId: string;
  /** When it was assigned to the owner. */
  assignedAt: string;
  /** Holdout entries were not shown to anyone: they count for cooldown but not capacity. */
  arm: 'treatment' | 'holdout';
}
