// JSON from a file, with an error that says where and never what: V8's messages quote the file's
// text (newlines and control bytes included) and on some errors give no position at all. The text is
// parsed by JSON.parse; only when that fails does a small scanner walk it to find the first place
// that breaks the grammar (RFC 8259), as a line and column.

/** Invalid JSON: a one-line reason and where, as line and column from 1. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
  }
}

/** How a character is named in an error: printable ASCII quoted, anything else by its code point. */
const named = (c: string): string => (/^[\x21-\x7e]$/.test(c) ? `'${c}'` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);

/** The offset of the first error in `text` and why; null when the text is valid JSON. */
export function firstJsonError(text: string): { at: number; reason: string } | null {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw { at, reason };
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const unexpected = (): never => (i >= text.length ? fail('unexpected end of the file') : fail(`unexpected character ${named(text[i])}`));
  const literal = (word: string) => {
    for (const c of word) if (text[i++] !== c) fail(i - 1 >= text.length ? 'unexpected end of the file' : `unexpected character ${named(text[i - 1])}`, i - 1);
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail('a string is not closed');
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail(`a control character (${named(text[i])}) inside a string`);
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('a \\u escape needs four hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(e === undefined ? 'a string is not closed' : `an unknown escape \\${named(e)}`, i + 1);
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('a malformed number');
    i += m![0].length;
    if (/[0-9.eE+-]/.test(text[i] ?? '')) fail('a malformed number');
  };
  // Iterative over nesting, so a file of a million '[' is an error message, not a stack overflow.
  const stack: ('[' | '{')[] = [];
  const value = () => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      space();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        stack.pop();
        return true;
      }
      if (c === '{') key();
      return false;
    }
    if (c === '"') string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else unexpected();
    return true;
  };
  const key = () => {
    space();
    if (text[i] !== '"') fail(i >= text.length ? 'unexpected end of the file' : `expected a quoted key, found ${named(text[i])}`);
    string();
    space();
    if (text[i] !== ':') fail(i >= text.length ? 'unexpected end of the file' : `expected ':' after a key, found ${named(text[i])}`);
    i++;
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    let done = value();
    while (stack.length) {
      if (!done) {
        done = value();
        continue;
      }
      space();
      const open = stack[stack.length - 1];
      const close = open === '{' ? '}' : ']';
      if (text[i] === close) {
        i++;
        stack.pop();
      } else if (text[i] === ',') {
        i++;
        if (open === '{') key();
        done = value();
      } else if (i >= text.length) fail('unexpected end of the file');
      else fail(`expected ',' or '${close}', found ${named(text[i])}`);
    }
    space();
    if (i < text.length) fail(`unexpected ${named(text[i])} after the end of the JSON value`);
    return null;
  } catch (e) {
    if (e && typeof e === 'object' && 'at' in e) return e as { at: number; reason: string };
    throw e;
  }
}

/** Line and column (from 1) of an offset; a column counts characters, a tab as one. */
function position(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < at; k = text.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, column: at - start + 1 };
}

/** JSON.parse, but a syntax error is a JsonSyntaxError naming the line and column and quoting nothing. */
export function parseJson(text: string): unknown {
  try {
    // A byte order mark is not JSON, but editors write one; strip it as Node's own readers do.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const found = firstJsonError(text) ?? { at: 0, reason: 'not valid JSON' };
    const { line, column } = position(text, found.at);
    throw new JsonSyntaxError(found.reason, line, column);
  }
}
