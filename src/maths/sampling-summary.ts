// What the sampling slide reports about a reshaped distribution.

/** How many tokens keep a non-zero probability, i.e. can still be drawn. */
export function eligibleCount(distribution: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < distribution.length; i++) if (distribution[i] > 0) count++;
  return count;
}

/** 1-based rank of `id` when tokens are ordered by `values`, largest first (ties: lower id first). */
export function rankOf(values: ArrayLike<number>, id: number): number {
  let rank = 1;
  const target = values[id];
  for (let i = 0; i < values.length; i++) {
    if (values[i] > target || (values[i] === target && i < id)) rank++;
  }
  return rank;
}
