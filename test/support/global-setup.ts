/** Servers the suites share are started here (see postgres.ts); nothing is needed for SQLite. */
export default function setup(): void {}
