// The CSV shape check: a repeated header name and a row with the wrong number of fields are found by
// row number, through quoting, CRLF line ends, blank lines, a byte order mark, tabs and gzip; a
// well-formed file passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkCsvShape } from '../../src/logs/csv-shape.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-csv-shape-'));
let n = 0;
const file = (text: string | Buffer, ext = '.csv') => {
  const path = join(dir, `f${n++}${ext}`);
  writeFileSync(path, text);
  return path;
};
const refusal = async (path: string): Promise<string | null> => {
  try {
    await checkCsvShape(path);
    return null;
  } catch (e) {
    return (e as Error).message.slice(path.length + 2);
  }
};

test('well-formed files pass: quotes holding delimiters, quotes and newlines, CRLF, blank lines, BOM, no final newline', async () => {
  for (const text of [
    'a,b,c\n1,2,3\n',
    'a,b,c\r\n1,"x,y",3\r\n\r\n4,"he said ""hi""","multi\nline"\r\n',
    '\uFEFFa,b\n1,2',
    'a,b\n\n\n1,2\n\n',
    '"a","b,c"\n1,2\n',
  ])
    assert.equal(await refusal(file(text)), null, JSON.stringify(text));
  assert.equal(await refusal(file('a\tb\tc\n1\t2,5\t3\n', '.tsv')), null);
  assert.equal(await refusal(file(gzipSync('a,b\n1,2\n'), '.csv.gz')), null);
});

test('a header naming a column twice is refused with both column numbers', async () => {
  assert.equal(await refusal(file('time,click,x,click\n1,2,3,4\n')), "column 'click' appears twice in the header (columns 2 and 4); rename one");
  assert.equal(await refusal(file('"a", a ,b\n1,2,3\n')), "column 'a' appears twice in the header (columns 1 and 2); rename one");
  assert.equal(await refusal(file(gzipSync('a,a\n1,2\n'), '.csv.gz')), "column 'a' appears twice in the header (columns 1 and 2); rename one");
});

test('a row with a field too many or too few is named by its number after the header (blank lines not counted)', async () => {
  assert.equal(await refusal(file('a,b,c\n1,2,3\n\n4,5\n')), 'row 2 has 2 fields, the header has 3');
  assert.equal(await refusal(file('a,b,c\r\n1,2,3\r\n4,5,6,7\r\n')), 'row 2 has 4 fields, the header has 3');
  assert.equal(await refusal(file('a,b\n1,"2,\n3"\n4\n')), 'row 2 has 1 field, the header has 2');
  assert.equal(await refusal(file('a,b,c\n1,2,3\n4,5')), 'row 2 has 2 fields, the header has 3');
  assert.equal(await refusal(file('a\tb\n1\t2\t3\n', '.tsv')), 'row 1 has 3 fields, the header has 2');
  // A row far into a file larger than one read.
  const rows = Array.from({ length: 200_000 }, (_, k) => (k === 150_000 ? '1,2' : `${k},x,"y"`));
  assert.equal(await refusal(file(`a,b,c\n${rows.join('\n')}\n`)), 'row 150001 has 2 fields, the header has 3');
});

test('a file that is not text or not gzip is left to the reader that follows', async () => {
  assert.equal(await refusal(file(Buffer.from([0x1f, 0x8b, 1, 2, 3]), '.csv.gz')), null);
  assert.equal(await refusal(file('')), null);
});
