// The shape of a CSV log, checked before DuckDB reads it. DuckDB's reader forgives what an import must
// not: a header naming a column twice is read with the second one renamed (`click_1`), so the mapping
// silently takes the wrong one; and a single row with a field too many or too few makes its dialect
// sniffer give up on commas, so the whole file reads as one column and the error blames the header.
// One pass over the records (RFC 4180 quoting; .gz files through gunzip) finds both, by row number.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { UserError } from '../util/errors.js';

/** Delimiters a log may use; the header line's most frequent one (outside quotes) is the file's. */
const DELIMITERS = [',', '\t', ';', '|'];

function delimiterOf(headerLine: string, path: string): string {
  if (/\.tsv(\.gz)?$/i.test(path)) return '\t';
  const counts = DELIMITERS.map((d) => headerLine.replace(/"[^"]*"/g, '').split(d).length - 1);
  const best = counts.indexOf(Math.max(...counts));
  return counts[best] > 0 ? DELIMITERS[best] : ',';
}

const shown = (name: string) => `'${name.length > 60 ? `${name.slice(0, 60)}…` : name}'`;

/** Header names that appear more than once, as the first such name with its two column numbers (from 1). */
function duplicateHeader(names: string[]): string | null {
  const seen = new Map<string, number>();
  for (const [k, raw] of names.entries()) {
    const name = raw.trim();
    const first = seen.get(name);
    if (first !== undefined) return `column ${shown(name)} appears twice in the header (columns ${first + 1} and ${k + 1}); rename one`;
    seen.set(name, k);
  }
  return null;
}

/** A record-by-record scanner: feed it text in pieces; it returns the first problem it finds. */
class Records {
  private header: string[] | null = null;
  private names: string[] = [];
  private name = '';
  private fields = 0;
  /** The current field has no character yet (a quote here opens a quoted field). */
  private fresh = true;
  private quoted = false;
  private empty = true;
  private pendingCr = false;
  private row = 0;

  constructor(private readonly delimiter: string) {}

  feed(text: string): string | null {
    for (let k = 0; k < text.length; k++) {
      const c = text[k];
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue;
      }
      if (this.quoted) {
        if (c !== '"') this.keep(c);
        else if (text[k + 1] === '"') {
          this.keep(c);
          k++;
        } else this.quoted = false;
      } else if (c === '"' && this.fresh) {
        this.quoted = true;
        this.fresh = false;
        this.empty = false;
      } else if (c === this.delimiter) {
        this.endField();
        this.empty = false;
      } else if (c === '\n' || c === '\r') {
        this.pendingCr = c === '\r';
        const problem = this.endRecord();
        if (problem) return problem;
      } else {
        this.keep(c);
        this.fresh = false;
        this.empty = false;
      }
    }
    return null;
  }

  /** The last record, when the file does not end in a newline. */
  end(): string | null {
    return this.empty && this.fields === 0 ? null : this.endRecord();
  }

  private keep(c: string): void {
    if (!this.header) this.name += c;
  }

  private endField(): void {
    if (!this.header) this.names.push(this.name);
    this.name = '';
    this.fields++;
    this.fresh = true;
  }

  private endRecord(): string | null {
    const blank = this.empty && this.fields === 0;
    this.endField();
    const fields = this.fields;
    this.fields = 0;
    this.empty = true;
    if (!this.header) {
      this.header = this.names;
      return duplicateHeader(this.header);
    }
    // A blank line is not a record (DuckDB skips them too).
    if (blank) return null;
    this.row++;
    return fields === this.header.length ? null : `row ${this.row} has ${fields} field${fields === 1 ? '' : 's'}, the header has ${this.header.length}`;
  }
}

/**
 * Refuse a CSV whose header repeats a name or whose rows do not all have the header's number of
 * fields; rows are numbered from 1 after the header, as the import's other errors number them.
 */
export async function checkCsvShape(path: string): Promise<void> {
  const source = createReadStream(path);
  const stream = /\.gz$/i.test(path) ? source.pipe(createGunzip()) : source;
  stream.setEncoding('utf8');
  let records: Records | null = null;
  let start = '';
  let problem: string | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      if (!records) {
        // The delimiter is read off the header line, so the scan starts once that line is whole.
        start += chunk;
        if (!start.includes('\n') && start.length < 1 << 20) continue;
        start = start.replace(/^\uFEFF/, '');
        records = new Records(delimiterOf(start.split('\n', 1)[0], path));
        problem = records.feed(start);
      } else problem = records.feed(chunk);
      if (problem) break;
    }
    if (!records && start) {
      start = start.replace(/^\uFEFF/, '');
      records = new Records(delimiterOf(start, path));
      problem = records.feed(start);
    }
    problem ??= records?.end() ?? null;
  } catch {
    // Unreadable or not gzip: DuckDB's reader names the problem next, as it always has.
    return;
  } finally {
    source.destroy();
  }
  if (problem) throw new UserError(`${path}: ${problem}`);
}
