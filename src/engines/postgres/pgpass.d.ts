/** The pgpass package (libpq's ~/.pgpass, as node-postgres reads it): no published types. */
declare module 'pgpass' {
  interface PgpassConnection {
    readonly host?: string;
    readonly port?: number | string;
    readonly database?: string;
    readonly user?: string;
  }
  /** Calls back with the password of the first matching line, or undefined. */
  function pgpass(connection: PgpassConnection, callback: (password?: string) => void): void;
  export default pgpass;
}
