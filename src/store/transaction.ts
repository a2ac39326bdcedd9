/**
 * The transaction handle user code joins: a transactional idempotency run, a transactional
 * soft-real-time handler and the outbox write through it. The contract names no driver: each
 * driver adds its own handle shape to `StoreTransactions` by declaration merging (in
 * `store/<driver>/core/transaction.ts`), so `StoreTransaction` is the union of the handles of
 * the drivers this build has, discriminated by `dialect` — `tx.db` on SQLite, `tx.client` on
 * PostgreSQL, typed as the driver's own connection.
 */

/**
 * One entry per driver that offers transactions users join: `name: { readonly dialect: name; … }`.
 * Empty here; drivers augment it (`declare module '…/store/transaction.js'`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StoreTransactions {}

/**
 * The store's own transaction, as a handler sees it. Its writes commit with the work the store
 * does in it (a completed idempotency record, an outbox message) or not at all. When the store's
 * `capabilities.synchronousTransactions` is true the handler must write synchronously: the
 * handle stops working once the handler returns.
 */
export type StoreTransaction = StoreTransactions[keyof StoreTransactions];
