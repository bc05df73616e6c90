import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { ListDeliveriesQuery } from './deliveries.dto.js';
import { PageQuery } from './page-query.js';

/** As the global ValidationPipe reads a query string: strings in, transformed, then validated. */
function read(limit: string | undefined): { valid: boolean; limit: number } {
  const query = plainToInstance(ListDeliveriesQuery, limit === undefined ? {} : { limit });
  return { valid: validateSync(query).length === 0, limit: PageQuery.limitOf(query) };
}

describe('PageQuery: the page size of every list route', () => {
  it('takes 1 to 500, inherited by the list queries, and 100 when left out', () => {
    expect(read(undefined)).toEqual({ valid: true, limit: 100 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), (n) => {
        expect(read(String(n))).toEqual({ valid: true, limit: n });
      }),
    );
  });

  it('refuses anything else', () => {
    const outside = fc.oneof(
      fc.integer({ max: 0 }).map(String),
      fc.integer({ min: 501 }).map(String),
      fc.double({ min: 1, max: 500, noInteger: true }).map(String),
      // Number() reads '1e2' and '0x10' as 100 and 16: such strings are pages like any other.
      fc.string().filter((text) => {
        const n = Number(text);
        return text !== '' && !(Number.isInteger(n) && n >= 1 && n <= 500);
      }),
    );
    fc.assert(
      fc.property(outside, (text) => {
        expect(read(text).valid).toBe(false);
      }),
    );
  });
});
