/** The store's file when --db is not given: in the working directory. */
export const DEFAULT_DB = 'crossab.duckdb';
