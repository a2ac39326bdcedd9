// Controls, format characters and line/paragraph separators: they could hide or reorder text in a terminal.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `text` shortened to `max` characters (default 40) and quoted, anything unprintable escaped. */
export function quote(text: string, max = 40): string {
  const short = text.length <= max ? text : `${text.slice(0, max)}…`;
  return JSON.stringify(short).replace(
    UNPRINTABLE,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A bad value as an error message shows it — `-5`, `"abc"`, `10n`, `an object` — short, and never
 * throwing (BigInt, symbols, prototype-less objects).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
