import { parseArgs } from 'node:util';
import { BallastError } from '../core/errors.js';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const;

type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
>;

type AllOptions<T extends OptionSpec> = typeof COMMON_OPTIONS & T;

/** Parsed flags: strings for string options, booleans for boolean ones. */
export type FlagValues<T extends OptionSpec> = {
  [K in keyof AllOptions<T>]?: AllOptions<T>[K] extends { type: 'boolean' } ? boolean : string;
};

/** Parses a command's arguments strictly; unknown flags are a clear usage error. */
export function parse<T extends OptionSpec>(
  args: string[],
  options: T,
): { values: FlagValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (cause) {
    throw new BallastError('InvalidParameterValue', (cause as Error).message, { cause });
  }
}

/** Reads a whole-number flag, with bounds. */
export function intFlag(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BallastError(
      'InvalidParameterValue',
      `--${name} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
  return n;
}

/** The store URL: --store, else $BALLAST_STORE, else the default SQLite file. */
export function storeUrl(flag: string | undefined): string | undefined {
  return flag ?? process.env.BALLAST_STORE;
}
