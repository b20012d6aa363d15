/**
 * IntOrString: Kubernetes fields that take either an int32 or a string, such as a target port
 * (80 or "http") or a rolling-update bound (1 or "25%").
 */
export type IntOrString = number | string;

/**
 * intOrPercent reads an int-or-percent value: 3 -> {value: 3}, "25%" -> {value: 25, percent: true}.
 * Returns undefined for a string that is not a whole-number percentage.
 */
export function intOrPercent(v: IntOrString): { value: number; percent: boolean } | undefined {
  if (typeof v === 'number') return { value: v, percent: false };
  const m = /^([+-]?[0-9]+)%$/.exec(v);
  return m ? { value: Number(m[1]), percent: true } : undefined;
}

/**
 * scaledValueFromIntOrPercent resolves a bound against a total, as the deployment controller does
 * for maxSurge (rounded up) and maxUnavailable (rounded down): "25%" of 10 -> 3 up, 2 down.
 */
export function scaledValueFromIntOrPercent(v: IntOrString, total: number, roundUp: boolean): number {
  const parsed = intOrPercent(v);
  if (!parsed) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  if (!parsed.percent) return parsed.value;
  const scaled = (parsed.value * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
