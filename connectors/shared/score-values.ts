import { canonicalJson, type ScoreSet } from '../../core';
import { SCORE_FIELDS, type ScoreFieldKey, type ScoreFieldSpec } from '../../manifests/field-map';
import { createHash } from 'node:crypto';

export type ScoreFieldValue = string | number | null;
export type ScoreFieldValues = Record<ScoreFieldKey, ScoreFieldValue>;

const TOP_DRIVERS = 3;

function clip(text: string, spec: ScoreFieldSpec): string {
  return spec.maxLength !== undefined && text.length > spec.maxLength ? `${text.slice(0, spec.maxLength - 1)}…` : text;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * What we write for one ScoreSet, by field key. Numbers are rounded so that a re-score that changes
 * nothing visible does not rewrite the CRM record (and trigger its workflows).
 */
export function scoreFieldValues(score: ScoreSet): ScoreFieldValues {
  const drivers = [...score.churn.drivers].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, TOP_DRIVERS);
  const top = [...score.nextBestActions].sort((a, b) => a.rank - b.rank)[0];
  const raw: ScoreFieldValues = {
    churnProbability: round(score.churn.probability, 4),
    riskBand: score.churn.band,
    topDriversEn: drivers.map((d) => d.text.en).join('\n'),
    topDriversZh: drivers.map((d) => d.text.zh).join('\n'),
    clvP50: score.clv ? round(score.clv.p50, 2) : null,
    clvP10: score.clv ? round(score.clv.p10, 2) : null,
    clvP90: score.clv ? round(score.clv.p90, 2) : null,
    clvCurrency: score.clv?.currency ?? null,
    nextBestAction: top ? `${top.title.en} / ${top.title.zh}` : null,
    segment: score.segment ? `${score.segment.name.en} / ${score.segment.name.zh}` : null,
    modelVersion: score.modelVersion,
    scoredAt: score.computedAt,
  };
  for (const spec of SCORE_FIELDS) {
    const v = raw[spec.key];
    if (typeof v === 'string') raw[spec.key] = clip(v, spec);
  }
  return raw;
}

/**
 * The hash of the values that matter for "has anything changed": everything but the timestamp,
 * which moves on every run even when the scores don't.
 */
export function scoreValuesHash(values: ScoreFieldValues): string {
  const { scoredAt: _ignored, ...rest } = values;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Compare what a CRM holds now (strings on the wire) with what we would write; true when equal. */
export function sameAsCrm(values: ScoreFieldValues, current: Readonly<Record<ScoreFieldKey, string | null | undefined>>): boolean {
  for (const spec of SCORE_FIELDS) {
    if (spec.key === 'scoredAt') continue;
    const want = values[spec.key];
    const have = current[spec.key];
    const empty = have === null || have === undefined || have === '';
    if (want === null) {
      if (!empty) return false;
      continue;
    }
    if (empty) return false;
    if (typeof want === 'number') {
      if (Math.abs(Number(have) - want) > 1e-9) return false;
    } else if (have !== want) return false;
  }
  return true;
}
