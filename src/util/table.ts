// Plain-text tables for terminal output.
type Cell = string | number;

const widthsOf = (rows: string[][], columns: number): number[] =>
  Array.from({ length: columns }, (_, k) => Math.max(...rows.map((r) => String(r[k] ?? '').length)));

/** Numbers (and cells that read as numbers) align right, text left. */
function formatLine(cells: string[], widths: number[], numericColumn: (k: number) => boolean): string {
  return cells.map((c, k) => (numericColumn(k) || /^-?[\d.]+(e[+-]?\d+)?%?$/i.test(c) ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ');
}

const text = (c: Cell): string => (typeof c === 'number' ? fmt(c) : c);

export function formatTable(header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((r) => r.map(text))];
  const widths = widthsOf(cells, header.length);
  const numeric = (k: number) => typeof rows[0]?.[k] === 'number';
  return [formatLine(header, widths, numeric), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map((r) => formatLine(r, widths, numeric))].join(
    '\n',
  );
}

/**
 * A table written as its rows arrive: column widths come from the first `sample` rows, later rows
 * reuse them (a wider cell widens only its own line), so memory stays flat however many rows follow.
 */
export class TableStream {
  private pending: Cell[][] | null = [];
  private widths: number[] = [];
  private numeric: (k: number) => boolean = () => false;

  constructor(
    private readonly header: string[],
    private readonly write: (s: string) => void,
    private readonly sample = 1000,
  ) {}

  add(rows: Cell[][]): void {
    if (!this.pending) {
      this.print(rows);
      return;
    }
    this.pending.push(...rows);
    if (this.pending.length >= this.sample) this.flushHeader();
  }

  end(): void {
    if (this.pending) this.flushHeader();
  }

  private flushHeader(): void {
    const rows = this.pending!;
    this.pending = null;
    const first = rows[0];
    this.numeric = (k) => typeof first?.[k] === 'number';
    this.widths = widthsOf([this.header, ...rows.map((r) => r.map(text))], this.header.length);
    this.write(`${formatLine(this.header, this.widths, this.numeric)}\n${this.widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
    this.print(rows);
  }

  private print(rows: Cell[][]): void {
    if (rows.length) this.write(rows.map((r) => formatLine(r.map(text), this.widths, this.numeric)).join('\n') + '\n');
  }
}

/** A number for a table; an undefined metric (NaN, ±Infinity) prints as '–', never as NaN. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '–';
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}
