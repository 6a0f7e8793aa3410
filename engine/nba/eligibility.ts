import type { LocalizedText } from '../../core';
import type { AccountSignals, ActionDefinition, NumberRange } from './nba.types';

export interface EligibilityResult {
  eligible: boolean;
  /** Each failed condition, for explaining why an action was not offered. */
  failures: { condition: string; text: LocalizedText }[];
}

function inRange(value: number, range: NumberRange): boolean {
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

function describe(range: NumberRange): string {
  if (range.min !== undefined && range.max !== undefined) return `${range.min}–${range.max}`;
  if (range.min !== undefined) return `≥ ${range.min}`;
  return `≤ ${range.max ?? ''}`;
}

/** Checks every eligibility condition of an action against one account. */
export function checkEligibility(action: ActionDefinition, account: AccountSignals): EligibilityResult {
  const rule = action.eligibility;
  const failures: EligibilityResult['failures'] = [];
  const fail = (condition: string, en: string, zh: string) => failures.push({ condition, text: { en, zh } });

  if (!action.enabled) fail('enabled', 'Action is disabled for this tenant', '该行动已对此租户停用');
  const churned = account.churned ?? false;
  if ((rule.churned ?? false) !== churned) {
    if (churned) fail('churned', 'Account has churned; only win-back actions apply', '客户已流失，仅适用挽回行动');
    else fail('churned', 'Only for churned accounts', '仅适用于已流失客户');
  }
  if (rule.segments && !rule.segments.some((s) => s.toLowerCase() === account.segment.toLowerCase())) {
    fail(
      'segments',
      `Segment ${account.segment} is not in ${rule.segments.join(', ')}`,
      `客户分群 ${account.segment} 不在 ${rule.segments.join('、')} 中`,
    );
  }
  if (rule.riskBands && !rule.riskBands.includes(account.riskBand)) {
    fail(
      'riskBands',
      `Risk band ${account.riskBand} is not in ${rule.riskBands.join(', ')}`,
      `风险等级 ${account.riskBand} 不在 ${rule.riskBands.join('、')} 中`,
    );
  }
  if (rule.clv && !inRange(account.clv, rule.clv)) {
    fail(
      'clv',
      `CLV ${Math.round(account.clv)} is outside ${describe(rule.clv)}`,
      `客户终身价值 ${Math.round(account.clv)} 不在 ${describe(rule.clv)} 范围内`,
    );
  }
  if (rule.openTickets && !inRange(account.openTickets, rule.openTickets)) {
    fail(
      'openTickets',
      `${account.openTickets} open tickets, needs ${describe(rule.openTickets)}`,
      `未解决工单 ${account.openTickets} 个，需要 ${describe(rule.openTickets)}`,
    );
  }
  if (rule.daysToRenewal) {
    if (account.daysToRenewal === null) fail('daysToRenewal', 'Renewal date unknown', '续约日期未知');
    else if (!inRange(account.daysToRenewal, rule.daysToRenewal)) {
      fail(
        'daysToRenewal',
        `Renewal in ${account.daysToRenewal} days, needs ${describe(rule.daysToRenewal)}`,
        `距续约 ${account.daysToRenewal} 天，需要 ${describe(rule.daysToRenewal)}`,
      );
    }
  }
  if (rule.seatUtilization) {
    const u = account.seatUtilization;
    if (u === null || u === undefined) fail('seatUtilization', 'Seat utilisation unknown', '席位使用率未知');
    else if (!inRange(u, rule.seatUtilization)) {
      fail(
        'seatUtilization',
        `Seat utilisation ${Math.round(u * 100)}% is outside ${describe(rule.seatUtilization)}`,
        `席位使用率 ${Math.round(u * 100)}% 不在 ${describe(rule.seatUtilization)} 范围内`,
      );
    }
  }
  if (rule.tenureDays) {
    const d = account.tenureDays;
    if (d === null || d === undefined) fail('tenureDays', 'Customer tenure unknown', '客户合作时长未知');
    else if (!inRange(d, rule.tenureDays))
      fail(
        'tenureDays',
        `Tenure ${d} days is outside ${describe(rule.tenureDays)}`,
        `合作 ${d} 天，不在 ${describe(rule.tenureDays)} 范围内`,
      );
  }
  return { eligible: failures.length === 0, failures };
}
