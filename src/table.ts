// Plain-text tables for terminal output.
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, k) => Math.max(...cells.map((r) => String(r[k] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, k) => (typeof rows[0]?.[k] === 'number' || /^-?[\d.]+%?$/.test(String(c)) ? String(c).padStart(widths[k]) : String(c).padEnd(widths[k]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}
