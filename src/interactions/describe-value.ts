/** A value as an error message shows it: never throws (BigInt, circular, prototype-less objects), never longer than 80 characters. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) text = String(value);
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'function') text = 'a function';
  else if (typeof value === 'symbol') text = 'a symbol';
  else {
    try {
      text = JSON.stringify(value) ?? 'an object';
    } catch {
      text = 'an object';
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
