import { createRandom } from '../optim/random';
import type { BgNbdParams } from './bg-nbd.model';
import type { CustomerSummary } from './customer-summary';
import type { GammaGammaParams } from './gamma-gamma.model';

export interface SimulationOptions {
  customers: number;
  /** Calibration length in weeks; first purchases are spread uniformly over the first `cohortWeeks`. */
  calibrationWeeks: number;
  cohortWeeks: number;
  holdoutWeeks?: number;
  spend?: GammaGammaParams;
  seed: number;
}

/**
 * Draws customers from the BG/NBD generative story (and Gamma-Gamma spend): λ ~ Gamma(r, α),
 * p ~ Beta(a, b), Poisson purchases while alive, a coin with probability p after each purchase.
 * For tests (parameter recovery) and benchmarks; deterministic for a seed.
 */
export function simulateBgNbd(params: BgNbdParams, options: SimulationOptions): CustomerSummary[] {
  const random = createRandom(options.seed);
  const out: CustomerSummary[] = [];
  const holdout = options.holdoutWeeks ?? 0;
  for (let i = 0; i < options.customers; i++) {
    const lambda = random.gamma(params.r, params.alpha);
    const p = random.beta(params.a, params.b);
    const nu = options.spend ? random.gamma(options.spend.q, options.spend.gamma) : 0;
    const birth = random.next() * options.cohortWeeks;
    const T = options.calibrationWeeks - birth;
    let t = 0;
    let x = 0;
    let tx = 0;
    let holdoutX = 0;
    let spendTotal = 0;
    // The first purchase is at 0; dropout can only follow a repeat purchase (paper, §3).
    let alive = true;
    while (alive) {
      t += random.exponential(lambda);
      if (t > T + holdout) break;
      if (t <= T) {
        x++;
        tx = t;
        if (options.spend) spendTotal += random.gamma(options.spend.p, nu);
      } else holdoutX++;
      alive = random.next() >= p;
    }
    out.push({ customerId: `sim-${i}`, x, tx, T, monetary: x > 0 ? spendTotal / x : 0, holdoutX });
  }
  return out;
}
