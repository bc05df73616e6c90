import { libpqEnvironment, majorVersion } from './postgres-tools.js';

describe('PostgreSQL tools', () => {
  it('reads the major version of the server and of the tools', () => {
    expect(majorVersion('150020')).toBe(15);
    expect(majorVersion('90624')).toBe(9);
    expect(majorVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toBe(15);
    expect(majorVersion('pg_restore (PostgreSQL) 17.2')).toBe(17);
    expect(majorVersion('no version')).toBeUndefined();
  });

  it('passes the connection, password included, through libpq variables only', () => {
    expect(
      libpqEnvironment('postgres://node:s%40cret@db.example:6432/tip?sslmode=require'),
    ).toEqual({
      PGHOST: 'db.example',
      PGPORT: '6432',
      PGUSER: 'node',
      PGPASSWORD: 's@cret',
      PGDATABASE: 'tip',
      PGSSLMODE: 'require',
    });
    expect(libpqEnvironment('postgres://postgres@127.0.0.1:5432/postgres')).toEqual({
      PGHOST: '127.0.0.1',
      PGPORT: '5432',
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
    });
  });
});
