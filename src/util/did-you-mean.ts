// "Did you mean …?": the closest known name to a mistyped one, by edit distance, when it is close
// enough to be a typo (at most a third of the word's letters changed, and at least one allowed).

/** Edit distance with adjacent transpositions (optimal string alignment): 'stra' is one edit from 'star'. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The closest of `options` to `word`, or null when none is close enough to be what was meant. */
export function closest(word: string, options: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestDistance) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

/** " (did you mean 'x'?)", or nothing. */
export const didYouMean = (word: string, options: readonly string[], prefix = ''): string => {
  const c = closest(word, options);
  return c ? ` (did you mean '${prefix}${c}'?)` : '';
};
