import type { Clock } from '../../../core/clock.js';
import { BallastError } from '../../../core/errors.js';

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /**
   * Time source for deadlines (visibility, delays, retention). Leave it out in production: the
   * database clock decides, so every node agrees. Tests inject a `FakeClock`.
   * @defaultValue undefined (the database clock, `ballast_now_ms()`)
   */
  clock?: Clock;
  /**
   * Schema holding Ballast's tables, created if missing. Also settable as `?schema=` in the
   * URL; this option wins over the URL. Letters, digits and `_`, at most 48 characters.
   * @defaultValue 'ballast'
   */
  schema?: string;
  /**
   * Most pooled connections (one more is kept for LISTEN).
   * @defaultValue 10
   */
  poolSize?: number;
}

/** Defaults of {@link PostgresStoreOptions}. */
export const DEFAULT_POSTGRES_STORE_OPTIONS = {
  schema: 'ballast',
  poolSize: 10,
} as const satisfies Required<Omit<PostgresStoreOptions, 'clock'>>;

/** Options after validation, with the connection string split from Ballast's own parameters. */
export interface ResolvedPostgresStoreOptions {
  readonly clock: Clock | null;
  readonly schema: string;
  readonly poolSize: number;
  /** The URL without `schema` and `options` (both are applied by the driver). */
  readonly connectionString: string;
  /** The URL's own `options` connection parameter, if it had one. */
  readonly serverOptions: string | null;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** Validates options and the URL; throws `InvalidStoreUrl` / `InvalidParameterValue`. */
export function resolvePostgresStoreOptions(
  url: string,
  options: PostgresStoreOptions = {},
): ResolvedPostgresStoreOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new BallastError('InvalidStoreUrl', 'the PostgreSQL store URL is not a valid URL', {
      cause,
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new BallastError(
      'InvalidStoreUrl',
      `a PostgreSQL store URL starts with postgres://, not ${parsed.protocol}//`,
    );
  }
  const schema =
    options.schema ?? parsed.searchParams.get('schema') ?? DEFAULT_POSTGRES_STORE_OPTIONS.schema;
  if (!SCHEMA_NAME.test(schema)) {
    throw new BallastError(
      'InvalidParameterValue',
      `schema "${schema}" must be letters, digits and _, start with a letter or _, at most 48 characters`,
    );
  }
  const poolSize = options.poolSize ?? DEFAULT_POSTGRES_STORE_OPTIONS.poolSize;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new BallastError(
      'InvalidParameterValue',
      `poolSize must be a positive integer, got ${poolSize}`,
    );
  }
  const serverOptions = parsed.searchParams.get('options');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('options');
  return {
    clock: options.clock ?? null,
    schema,
    poolSize,
    connectionString: parsed.toString(),
    serverOptions,
  };
}

/**
 * The NOTIFY channel of a schema. NOTIFY is database-wide, so each schema gets its own channel:
 * `ballast_wake` for the default schema, `ballast_wake_<schema>` otherwise. Payload = queue id.
 */
export function wakeChannel(schema: string): string {
  return schema === DEFAULT_POSTGRES_STORE_OPTIONS.schema
    ? 'ballast_wake'
    : `ballast_wake_${schema}`;
}

/**
 * A stable 32-bit key for advisory locks, from a name (FNV-1a). Advisory locks are
 * database-wide, so keys include the schema: stores in other schemas never wait on ours.
 */
export function lockKey(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
