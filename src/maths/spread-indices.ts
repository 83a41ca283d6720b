// Which of many layers (or heads) a slide shows when it has room for fewer: all of them, or `max`
// spread evenly with the last always included (the last layer is the one that gives the answer).

export function spreadIndices(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, index) => index);
  return Array.from({ length: max }, (_, i) => Math.round(((i + 1) * count) / max) - 1);
}
