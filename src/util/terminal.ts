// Text that reaches a terminal: names, values and messages come from files the user (or someone
// else) wrote, and a control sequence inside one would retitle the window, recolour it or move the
// cursor. They are shown escaped instead, so what was in the file is still visible.

// C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates that reorder what a
// line appears to say ("Trojan Source", CVE-2021-42574).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string): string => {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One line of text with every control character (newlines and tabs too) shown as an escape. */
export const printable = (s: string): string => s.replace(CONTROL, escaped);

/** Text for a terminal: lines and tabs kept, every other control character shown as an escape. */
export const printableLines = (s: string): string => s.replace(CONTROL_BUT_LAYOUT, escaped);

type Write = NodeJS.WriteStream['write'];

/**
 * Route everything written to `stream` through `printableLines` until the returned function is called. The plain commands print text and
 * nothing else (no colours, no cursor moves), so any control sequence in their output came from data;
 * guarding the stream covers every line at once, including ones not written yet. (They write strings;
 * bytes pass as they are, since a chunk may end inside a character.)
 */
export function guardStream(stream: NodeJS.WriteStream): () => void {
  const original = stream.write;
  const write = original.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? printableLines(chunk) : chunk, ...rest)) as Write;
  return () => {
    stream.write = original;
  };
}
