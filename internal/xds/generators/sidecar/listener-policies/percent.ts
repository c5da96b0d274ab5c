/** Kuma's decimal percentages ("50", "12.5", 50) as Envoy FractionalPercents. */
import { type FractionalPercent, FractionalPercent_DenominatorType } from '../../../../../proto/gen/envoy/type/v3/percent';
import { type Obj, numberAt } from '../../envoy/values';

/**
 * Whole percentages stay per-hundred (what a reader of the config expects); a fraction is carried
 * per-million, Envoy's finest denominator, so "12.5" is not rounded to 12 or 13.
 */
export function fractionalPercent(percent: number): FractionalPercent {
  const p = Math.min(100, Math.max(0, percent));
  if (Number.isInteger(p)) return { numerator: p, denominator: FractionalPercent_DenominatorType.HUNDRED };
  return { numerator: Math.round(p * 10_000), denominator: FractionalPercent_DenominatorType.MILLION };
}

export function percentAt(o: Obj, camel: string): FractionalPercent | undefined {
  const n = numberAt(o, camel);
  return n === undefined ? undefined : fractionalPercent(n);
}
