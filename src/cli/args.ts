import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BallastError } from '../core/errors.js';
import { DEFAULT_STORE_FILE, DEFAULT_STORE_URL } from '../store/open.js';
import { UsageError } from './exit.js';

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
    throw new UsageError((cause as Error).message);
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

/** `{ visibilityTimeout }` from --visibility-timeout (0–43,200 s), or `{}` when the flag is absent. */
export function visibilityTimeoutFlag(value: string | undefined): { visibilityTimeout?: number } {
  return value === undefined
    ? {}
    : { visibilityTimeout: intFlag(value, 'visibility-timeout', 30, 0, 43_200) };
}

/**
 * The store of a command that reads or changes state: --store, else $BALLAST_STORE, else the
 * default store (./.ballast/ballast.db) only when it exists — a command never creates an empty
 * store silently in whatever directory it runs from (UsageError, exit 2, saying what to set).
 */
export function storeUrl(flag: string | undefined): string {
  const given = flag ?? (process.env.BALLAST_STORE || undefined);
  if (given !== undefined) return given;
  if (existsSync(DEFAULT_STORE_FILE)) return DEFAULT_STORE_URL;
  throw new UsageError(
    `no store: pass --store URL (sqlite:PATH or postgres://user@host:5432/db) or set BALLAST_STORE; ` +
      `there is no default store ${DEFAULT_STORE_FILE} in ${process.cwd()} (ballast serve creates it)`,
  );
}

/** The store of `ballast serve`: --store, else $BALLAST_STORE, else the default store (created when absent). */
export function serveStoreUrl(flag: string | undefined): string {
  return flag ?? (process.env.BALLAST_STORE || DEFAULT_STORE_URL);
}
