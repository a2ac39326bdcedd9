import { Writable } from 'node:stream';

/** pino's numeric levels, by name, for a readable line. */
const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields of every pino line that the readable line shows another way (or not at all). */
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A value as `key=value` text: strings bare unless they hold spaces, the rest as JSON. */
const show = (v: unknown): string =>
  typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);

/**
 * One pino JSON line as a readable one for a terminal: `HH:MM:SS.mmm LEVEL message key=value …`,
 * an error's stack on the lines after it. A line that is not JSON passes through unchanged.
 */
export function prettyLogLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
  const level = LEVELS[o.level as number] ?? String(o.level);
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(o)) {
    if (SKIP.has(k)) continue;
    if (k === 'err' && typeof v === 'object' && v !== null && 'stack' in v) {
      stack = `\n    ${String((v as { stack: unknown }).stack).replaceAll('\n', '\n    ')}`;
      continue;
    }
    fields.push(`${k}=${show(v)}`);
  }
  return `${time} ${level} ${typeof o.msg === 'string' ? o.msg : ''}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}`;
}

/** A stream pino writes JSON lines to that writes them readable to `out` (a terminal). */
export function prettyLogStream(out: { write(text: string): unknown }): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of String(chunk).split('\n'))
        if (line !== '') out.write(`${prettyLogLine(line)}\n`);
      done();
    },
  });
}
