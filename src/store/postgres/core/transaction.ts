import type { Sql } from './db.js';

declare module '../../transaction.js' {
  interface StoreTransactions {
    /** PostgreSQL: a client of the store's pool inside BEGIN; `await tx.client.query(…)` runs in the transaction. */
    postgres: { readonly dialect: 'postgres'; readonly client: Sql };
  }
}

/** The PostgreSQL transaction handle user code gets. */
export interface PostgresTransaction {
  readonly dialect: 'postgres';
  readonly client: Sql;
}

/** The client behind a handle this driver made (the contract's union narrowed to PostgreSQL's member). */
export function clientOf(tx: { readonly dialect: string }): Sql {
  return (tx as PostgresTransaction).client;
}
