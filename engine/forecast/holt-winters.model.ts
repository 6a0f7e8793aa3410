import { SuccessEngineError } from '../../core';
import { minimize } from '../optim/minimize';

/**
 * Additive Holt-Winters with a damped trend, i.e. ETS(A,Ad,A) (or ETS(A,Ad,N) without a season),
 * in error-correction form (Hyndman et al., "Forecasting with exponential smoothing", ch. 2):
 *   ŷ = l + φb + s_{t−m};  e = y − ŷ;  l ← l + φb + αe;  b ← φb + βe;  s_t = s_{t−m} + γe.
 * Smoothing parameters are fitted by least squares (= Gaussian MLE) with the shared optimiser.
 */
export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface EtsFit {
  params: EtsParams;
  /** Season length used, or 0 for no season. */
  period: number;
  level: number;
  trend: number;
  /** Last m seasonal states, oldest first (empty without a season). */
  seasonals: number[];
  sigma: number;
  aic: number;
  n: number;
}

export interface ForecastPoint {
  step: number;
  point: number;
  p10: number;
  p50: number;
  p90: number;
}

const Z90 = 1.2815515655446004;
const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

function decode(v: readonly number[], seasonal: boolean): EtsParams {
  const alpha = 0.0001 + 0.9998 * sigmoid(v[0] as number);
  return {
    alpha,
    beta: alpha * sigmoid(v[1] as number),
    gamma: seasonal ? (1 - alpha) * sigmoid(v[2] as number) : 0,
    phi: 0.8 + 0.18 * sigmoid(v[seasonal ? 3 : 2] as number),
  };
}

function initialState(y: readonly number[], m: number): { level: number; trend: number; seasonals: number[] } {
  if (m > 0) {
    const first = y.slice(0, m);
    const second = y.slice(m, 2 * m);
    const mean1 = first.reduce((s, v) => s + v, 0) / m;
    const mean2 = second.length === m ? second.reduce((s, v) => s + v, 0) / m : mean1;
    return { level: mean1, trend: (mean2 - mean1) / m, seasonals: first.map((v) => v - mean1) };
  }
  return { level: y[0] as number, trend: y.length > 1 ? (y[1] as number) - (y[0] as number) : 0, seasonals: [] };
}

/** Run the filter; returns the sum of squared one-step errors and the final state. */
function filter(y: readonly number[], m: number, p: EtsParams): { sse: number; level: number; trend: number; seasonals: number[] } {
  const init = initialState(y, m);
  let { level, trend } = init;
  const seasonals = [...init.seasonals];
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const s = m > 0 ? (seasonals[t % m] as number) : 0;
    const e = (y[t] as number) - (level + p.phi * trend + s);
    sse += e * e;
    level = level + p.phi * trend + p.alpha * e;
    trend = p.phi * trend + p.beta * e;
    if (m > 0) seasonals[t % m] = s + p.gamma * e;
  }
  // Rotate so seasonals[0] is the season of the next step.
  const rotated = m > 0 ? seasonals.map((_, i) => seasonals[(y.length + i) % m] as number) : [];
  return { sse, level, trend, seasonals: rotated };
}

export function fitEts(y: readonly number[], period: number): EtsFit {
  const m = period >= 2 && y.length >= 2 * period + 2 ? period : 0;
  if (y.length < 3)
    throw new SuccessEngineError('ENGINE.INSUFFICIENT_DATA', `exponential smoothing needs at least 3 observations, got ${y.length}`);
  if (!y.every(Number.isFinite)) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'series contains a non-finite value');
  const seasonal = m > 0;
  const result = minimize((v) => filter(y, m, decode(v, seasonal)).sse, seasonal ? [0, -2, -2, 1] : [0, -2, 1], {
    restarts: 2,
    seed: 3,
    bounds: [-12, 12],
  });
  const params = decode(result.x, seasonal);
  const state = filter(y, m, params);
  const k = (seasonal ? 4 + m : 3) + 2; // smoothing params + initial states
  const n = y.length;
  const sigma2 = state.sse / Math.max(1, n - k);
  return {
    params,
    period: m,
    level: state.level,
    trend: state.trend,
    seasonals: state.seasonals,
    sigma: Math.sqrt(sigma2),
    aic: n * Math.log(Math.max(state.sse, 1e-300) / n) + 2 * k,
    n,
  };
}

/**
 * h-step forecasts with 80 % intervals (P10/P90) from the ETS(A,Ad,A) forecast variance
 * σ²·(1 + Σ_{j<h} c_j²), c_j = α + βφ_j + γ·1{j ≡ 0 mod m}, φ_j = φ + … + φ^j. P50 = point (Gaussian errors).
 */
export function forecastEts(fit: EtsFit, horizon: number): ForecastPoint[] {
  const { alpha, beta, gamma, phi } = fit.params;
  const out: ForecastPoint[] = [];
  let phiH = 0;
  let variance = 0;
  for (let h = 1; h <= horizon; h++) {
    phiH += Math.pow(phi, h);
    const s = fit.period > 0 ? (fit.seasonals[(h - 1) % fit.period] as number) : 0;
    const point = fit.level + phiH * fit.trend + s;
    if (h > 1) {
      const j = h - 1;
      let phiJ = 0;
      for (let i = 1; i <= j; i++) phiJ += Math.pow(phi, i);
      const c = alpha + beta * phiJ + (fit.period > 0 && j % fit.period === 0 ? gamma : 0);
      variance += c * c;
    }
    const sd = fit.sigma * Math.sqrt(1 + variance);
    out.push({ step: h, point, p10: point - Z90 * sd, p50: point, p90: point + Z90 * sd });
  }
  return out;
}

/** Sample autocorrelation at a lag, after removing a least-squares line (so a trend is not read as a season). */
export function autocorrelation(y: readonly number[], lag: number): number {
  const n = y.length;
  if (lag >= n - 1) return 0;
  const tMean = (n - 1) / 2;
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  y.forEach((v, t) => {
    sxy += (t - tMean) * (v - yMean);
    sxx += (t - tMean) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  const r = y.map((v, t) => v - yMean - slope * (t - tMean));
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    den += (r[t] as number) ** 2;
    if (t + lag < n) num += (r[t] as number) * (r[t + lag] as number);
  }
  return den > 0 ? num / den : 0;
}

/**
 * Seasonality detection: among candidate periods with at least two full cycles, the one with the
 * highest detrended autocorrelation, if it clears both 0.3 and the ~95 % white-noise bound 1.96/√n.
 * The seasonal model is then kept only if it also wins on AIC against the non-seasonal one.
 */
export function detectSeason(y: readonly number[], candidates: readonly number[]): number {
  let best = 0;
  let bestAcf = -Infinity;
  for (const m of candidates) {
    if (m < 2 || y.length < 2 * m + 2) continue;
    const acf = autocorrelation(y, m);
    if (acf > Math.max(0.3, 1.96 / Math.sqrt(y.length)) && acf > bestAcf) {
      best = m;
      bestAcf = acf;
    }
  }
  return best;
}

export interface SeriesForecast {
  period: number;
  method: 'ets-seasonal' | 'ets' | 'mean';
  points: ForecastPoint[];
  fit?: EtsFit;
}

/** Detect a season, fit ETS (seasonal if it earns its place), forecast; very short series get a mean forecast. */
export function forecastSeries(y: readonly number[], horizon: number, candidates: readonly number[] = [12, 4, 7]): SeriesForecast {
  if (y.length === 0) throw new SuccessEngineError('ENGINE.INSUFFICIENT_DATA', 'cannot forecast an empty series');
  if (y.length < 4) {
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const sd = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, y.length - 1));
    return {
      period: 0,
      method: 'mean',
      points: Array.from({ length: horizon }, (_, i) => ({
        step: i + 1,
        point: mean,
        p10: mean - Z90 * sd,
        p50: mean,
        p90: mean + Z90 * sd,
      })),
    };
  }
  const plain = fitEts(y, 0);
  const m = detectSeason(y, candidates);
  if (m > 0) {
    const seasonal = fitEts(y, m);
    if (seasonal.period > 0 && seasonal.aic < plain.aic)
      return { period: m, method: 'ets-seasonal', points: forecastEts(seasonal, horizon), fit: seasonal };
  }
  return { period: 0, method: 'ets', points: forecastEts(plain, horizon), fit: plain };
}

/** Per-account forecasts and a book-level forecast fitted on the summed series (not a sum of forecasts, whose intervals would not add). */
export function forecastRevenue(
  accounts: readonly { accountId: string; values: readonly number[] }[],
  horizon: number,
  candidates?: readonly number[],
): { accounts: { accountId: string; forecast: SeriesForecast }[]; book: SeriesForecast } {
  const length = Math.max(0, ...accounts.map((a) => a.values.length));
  // Align series at their ends (the latest period is common); missing early periods count as 0.
  const total = new Array<number>(length).fill(0);
  for (const a of accounts)
    a.values.forEach((v, i) => (total[length - a.values.length + i] = (total[length - a.values.length + i] as number) + v));
  return {
    accounts: accounts.map((a) => ({ accountId: a.accountId, forecast: forecastSeries(a.values, horizon, candidates) })),
    book: forecastSeries(total, horizon, candidates),
  };
}
