/** Text that reaches a terminal from user input: never raw control bytes, never unbounded. */

/**
 * A message line safe to print: control and other non-printing characters shown as `\\u{…}`
 * escapes (a tab as a space), cut at `max` characters.
 */
export function printable(line: string, max = 400): string {
  const escaped = line.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\uFFFD]/gu, (c) => (c === '\t' ? ' ' : `\\u{${c.codePointAt(0)!.toString(16)}}`));
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

