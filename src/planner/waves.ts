/** The waves of a rolling update: which nodes get their new pod together, as the DaemonSet controller paces it. */

/** What the waves are computed from. */
export interface WaveInput {
  /** Nodes that get their first pod (created at once by the manage step, counted unavailable until Ready). */
  create: readonly string[];
  /** Nodes whose pod is replaced, in the order the controller walks nodes. */
  replace: readonly string[];
  /** Nodes among `replace` whose current pod is not available: replaced at once, whatever the budget. */
  unavailable: ReadonlySet<string>;
  /** maxUnavailable scaled to the desired node count (used when maxSurge is 0). */
  maxUnavailable: number;
  /** maxSurge scaled to the desired node count (0: replace in place). */
  maxSurge: number;
}

/**
 * The waves, assuming each wave's new pods become available before the next starts. The first wave holds the
 * creations and the replacements of unavailable pods plus what the budget leaves; then `maxUnavailable`
 * (or, surging, `maxSurge`) replacements per wave. In place, creations and unavailable pods use up
 * maxUnavailable budget as the controller counts them; surging, they do not use the surge budget.
 */
export function rolloutWaves(input: WaveInput): string[][] {
  const surging = input.maxSurge > 0;
  const budget = Math.max(1, surging ? input.maxSurge : input.maxUnavailable);
  const first: string[] = [...input.create];
  const rest: string[] = [];
  for (const node of input.replace) (input.unavailable.has(node) ? first : rest).push(node);
  const used = surging ? 0 : first.length;
  const firstExtra = Math.max(0, budget - used);
  first.push(...rest.splice(0, Math.min(firstExtra, rest.length)));
  const waves: string[][] = first.length > 0 ? [first] : [];
  while (rest.length > 0) waves.push(rest.splice(0, budget));
  return waves;
}
