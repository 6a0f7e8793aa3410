import type { OrgCurrencies } from '../../core';
import type { AccountRecords } from './account-features';

/**
 * The typed money of a book (ARR, subscription MRR, transaction amounts) in the org's corporate
 * currency, so features, CLV, segments and forecasts never add euros to dollars. Amounts in a
 * currency the org's table does not hold (inactive, mistyped) are left out, never mixed in.
 * Attributes copied from custom fields stay as the CRM holds them.
 */
export function toCorporateCurrency(records: AccountRecords, currencies: OrgCurrencies): AccountRecords {
  const { corporate, rates } = currencies;
  const convert = (amount: number, currency: string | undefined): number | undefined => {
    if (!currency || currency === corporate) return amount;
    const rate = rates[currency];
    return rate !== undefined && rate > 0 ? amount / rate : undefined;
  };
  const accounts = records.accounts.map((a) => {
    if (!a.currency || a.currency === corporate) return a;
    const { arr, ...rest } = a;
    const converted = arr === undefined ? undefined : convert(arr, a.currency);
    return { ...rest, ...(converted === undefined ? {} : { arr: converted }), currency: corporate };
  });
  const out: AccountRecords = { ...records, accounts };
  if (records.subscriptions)
    out.subscriptions = records.subscriptions.flatMap((s) => {
      const mrr = convert(s.mrr, s.currency);
      return mrr === undefined ? [] : [{ ...s, mrr, currency: corporate }];
    });
  if (records.transactions)
    out.transactions = records.transactions.flatMap((t) => {
      const amount = convert(t.amount, t.currency);
      return amount === undefined ? [] : [{ ...t, amount, ...(t.currency ? { currency: corporate } : {}) }];
    });
  return out;
}
