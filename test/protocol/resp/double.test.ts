import { describe, expect, it } from 'vitest';
import { formatDouble, formatDoubleRedis70 } from '../../../src/protocol/resp/double.js';

// Expected strings follow Redis 7.2+ d2string(): ll2string for integral values in ±2^62, else
// fpconv_dtoa's layout (shortest digits; plain when the exponent is small, else d.ddde±x).
describe('formatDouble (Redis d2string)', () => {
  const cases: Array<[number, string]> = [
    [3.5, '3.5'],
    [-3.5, '-3.5'],
    [1, '1'],
    [-1, '-1'],
    [0, '0'],
    [-0, '-0'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [123.456, '123.456'],
    [0.001, '0.001'],
    [0.00001, '0.00001'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
    [1.5e-10, '1.5e-10'],
    [-2.5e-8, '-2.5e-8'],
    [5e-324, '5e-324'],
    [1e17, '100000000000000000'],
    [2 ** 53 + 2, '9007199254740994'],
    [2 ** 60, '1152921504606846976'],
    [2 ** 62, '4611686018427387904'],
    [-(2 ** 62), '-4611686018427387904'],
    [1e19, '1e+19'],
    [3e20, '3e+20'],
    [12345678901234567890, '12345678901234567000'],
    [1.5e300, '1.5e+300'],
    [-1.7976931348623157e308, '-1.7976931348623157e+308'],
    [1234567.0000001, '1.2345670000001e+6'],
    [123456.5, '123456.5'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ];
  for (const [d, s] of cases) {
    it(`${d} -> ${s}`, () => {
      expect(formatDouble(d)).toBe(s);
      if (Number.isFinite(d)) expect(Number(s)).toBe(d); // always parses back to the same double
    });
  }
});

// Expected strings captured from redis-server 7.0.15 (ZADD + ZSCORE, RESP2 and RESP3 alike).
describe('formatDoubleRedis70 (Redis 7.0 %.17g)', () => {
  const cases: Array<[number, string]> = [
    [3.5, '3.5'],
    [-3.5, '-3.5'],
    [1, '1'],
    [0, '0'],
    [0.1, '0.10000000000000001'],
    [1 / 3, '0.33333333333333331'],
    [123.456, '123.456'],
    [0.001, '0.001'],
    [0.00001, '1.0000000000000001e-05'],
    [1e-7, '9.9999999999999995e-08'],
    [1.5e-10, '1.5e-10'],
    [5e-324, '4.9406564584124654e-324'],
    [1e17, '1e+17'],
    [2 ** 53 + 2, '9007199254740994'],
    [2 ** 60, '1.152921504606847e+18'],
    [2 ** 62, '4.6116860184273879e+18'],
    [1e19, '1e+19'],
    [3e20, '3e+20'],
    [12345678901234567890, '1.2345678901234567e+19'],
    [1.5e300, '1.5000000000000001e+300'],
    [1234567.0000001, '1234567.0000000999'],
    [123456.5, '123456.5'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ];
  for (const [d, s] of cases) {
    it(`${d} -> ${s}`, () => {
      expect(formatDoubleRedis70(d)).toBe(s);
    });
  }
});
