/**
 * Composition of feature stores from a driver's operation modules: each operation is a function
 * `(ctx, ...args)` named as the contract's method, and `bindOperations` makes the feature-store
 * method `(...args) => Promise` of it — no driver writes a table forwarding every method.
 */

/** Runs one store call: answers with a promise, rejected once the store is closed (errors mapped by the driver). */
export type Guard = <T>(fn: () => T | Promise<T>) => Promise<T>;

/** A driver operation: the driver's context first, then the contract method's own arguments. */
// `never` rest: the widest parameter list, so that any operation taking `ctx` first fits.
type Operation<C> = (ctx: C, ...args: never) => unknown;

/** The feature-store methods `bindOperations` makes of the operations `K` of `M`. */
export type BoundOperations<C, M, K extends keyof M> = {
  readonly [P in K]: M[P] extends (ctx: C, ...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/**
 * Binds the operations named in `names` (a contract's list of methods) to `ctx`, each call run
 * through `guard`. `operations` may hold more (module helpers): only the named ones are bound.
 */
export function bindOperations<
  C,
  M extends { readonly [P in K]: Operation<C> },
  K extends keyof M & string,
>(ctx: C, guard: Guard, operations: M, names: readonly K[]): BoundOperations<C, M, K> {
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of names) {
    const operation = operations[name] as unknown as (ctx: C, ...args: unknown[]) => unknown;
    bound[name] = (...args) => guard(() => operation(ctx, ...args));
  }
  return bound as BoundOperations<C, M, K>;
}
