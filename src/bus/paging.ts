import { BallastError } from '../core/errors.js';

/** The page size of a List call: 1–100. @defaultValue 100 */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new BallastError('ValidationException', 'Limit must be between 1 and 100.');
  return limit;
}

/** The name a `nextToken` stands for (the last one of the previous page), or null without a token. */
export const fromToken = (token: string | undefined): string | null => {
  if (token === undefined) return null;
  try {
    return Buffer.from(token, 'base64url').toString('utf8');
  } catch {
    throw new BallastError('ValidationException', 'The NextToken is not valid.');
  }
};

/**
 * One page of `rows` under `key`: the first `limit` of them (read `limit + 1` to know that more
 * follow), with a `nextToken` naming the last one when they do.
 */
export function page<T, K extends string>(
  rows: T[],
  limit: number,
  key: K,
  name: (row: T) => string,
): { [P in K]: T[] } & { nextToken?: string } {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const out = { [key]: items } as { [P in K]: T[] } & { nextToken?: string };
  if (more && items.length > 0)
    out.nextToken = Buffer.from(name(items[items.length - 1]!), 'utf8').toString('base64url');
  return out;
}
