import { afterEach, describe, expect, it } from 'vitest';
import {
  clearMoneyCache,
  currencyMinorUnits,
  formatDecimalAmount,
  isBelowMinimum,
  normalizeCurrencyCode,
} from '../../../shared/reminders/money.js';

afterEach(() => {
  clearMoneyCache();
});

describe('normalizeCurrencyCode', () => {
  it('upper-cases and trims known ISO 4217 codes', () => {
    expect(normalizeCurrencyCode('EUR')).toBe('EUR');
    expect(normalizeCurrencyCode(' eur ')).toBe('EUR');
    expect(normalizeCurrencyCode('jpy')).toBe('JPY');
    expect(normalizeCurrencyCode('BHD')).toBe('BHD');
  });

  it('rejects codes Intl does not know, malformed codes and non-strings', () => {
    for (const bad of ['XYZ', 'EURO', 'EU', '€', '', 'E1R', 42, null, undefined, ['EUR']]) {
      expect(normalizeCurrencyCode(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('currencyMinorUnits', () => {
  it('follows Intl', () => {
    expect(currencyMinorUnits('EUR')).toBe(2);
    expect(currencyMinorUnits('USD')).toBe(2);
    expect(currencyMinorUnits('JPY')).toBe(0);
    expect(currencyMinorUnits('BHD')).toBe(3);
    expect(currencyMinorUnits('CLF')).toBe(4);
  });
});

describe('formatDecimalAmount', () => {
  it('pads to the minor units', () => {
    expect(formatDecimalAmount(1234.5, 2)).toBe('1234.50');
    expect(formatDecimalAmount(1234, 2)).toBe('1234.00');
    expect(formatDecimalAmount(0, 2)).toBe('0.00');
    expect(formatDecimalAmount(-0, 2)).toBe('0.00');
    expect(formatDecimalAmount(7, 3)).toBe('7.000');
    expect(formatDecimalAmount(1500, 0)).toBe('1500');
  });

  it('shows no binary floating-point artefacts', () => {
    expect(formatDecimalAmount(0.1 + 0.2, 2)).toBe('0.30');
    expect(formatDecimalAmount(1.1 * 3, 2)).toBe('3.30');
    expect(formatDecimalAmount(999999999999.99, 2)).toBe('999999999999.99');
  });

  it('rounds half away from zero on the decimal digits', () => {
    // 1.005 is 1.00499999999999989... as a double; toFixed(2) gives "1.00".
    expect(formatDecimalAmount(1.005, 2)).toBe('1.01');
    expect(formatDecimalAmount(2.675, 2)).toBe('2.68');
    expect(formatDecimalAmount(1.004, 2)).toBe('1.00');
    expect(formatDecimalAmount(0.995, 2)).toBe('1.00');
    expect(formatDecimalAmount(99.995, 2)).toBe('100.00');
    expect(formatDecimalAmount(0.5, 0)).toBe('1');
    expect(formatDecimalAmount(1234.5, 0)).toBe('1235');
    expect(formatDecimalAmount(0.0005, 3)).toBe('0.001');
    expect(formatDecimalAmount(0.0004, 3)).toBe('0.000');
    expect(formatDecimalAmount(0.004, 2)).toBe('0.00');
  });

  it('reads exponent notation, as String(number) writes small and large numbers', () => {
    expect(formatDecimalAmount(1e-7, 2)).toBe('0.00');
    expect(formatDecimalAmount(5e-3, 2)).toBe('0.01');
    expect(formatDecimalAmount('1.5e3', 2)).toBe('1500.00');
    expect(formatDecimalAmount('25E-1', 2)).toBe('2.50');
    expect(formatDecimalAmount('1e-99999999', 2)).toBe('0.00');
  });

  it('accepts numeric strings', () => {
    expect(formatDecimalAmount('1234.5', 2)).toBe('1234.50');
    expect(formatDecimalAmount(' 42 ', 2)).toBe('42.00');
    expect(formatDecimalAmount('.5', 2)).toBe('0.50');
    expect(formatDecimalAmount('5.', 2)).toBe('5.00');
    expect(formatDecimalAmount('0007.10', 2)).toBe('7.10');
    expect(formatDecimalAmount('0.30000000000000004', 2)).toBe('0.30');
  });

  it('rejects negative, non-finite, non-numeric and absurdly large amounts', () => {
    for (const bad of [
      -1,
      -0.01,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '-5',
      '+5',
      '1,234.50',
      '12 EUR',
      '',
      '.',
      'e5',
      '0x10',
      'Infinity',
      1e15,
      '1e15',
      '9'.repeat(16),
      '1'.repeat(65),
      null,
      undefined,
      true,
      { amount: 5 },
    ]) {
      expect(formatDecimalAmount(bad, 2), String(bad)).toBeUndefined();
    }
  });

  it('accepts the largest amount below 10^15', () => {
    expect(formatDecimalAmount('999999999999999.99', 2)).toBe('999999999999999.99');
  });
});

describe('isBelowMinimum', () => {
  const none = { allCurrencies: '0', byCurrency: {} };

  it('is true for zero whatever the minimum', () => {
    expect(isBelowMinimum('0.00', 'EUR', none)).toBe(true);
    expect(isBelowMinimum('0', 'JPY', none)).toBe(true);
    expect(isBelowMinimum('0.000', 'BHD', none)).toBe(true);
    expect(isBelowMinimum('0.01', 'EUR', none)).toBe(false);
    expect(isBelowMinimum('1', 'JPY', none)).toBe(false);
  });

  it('compares in minor units with the minimum for the currency, rounded like the amount', () => {
    const minimum = { allCurrencies: '2.5', byCurrency: { JPY: '300', BHD: '0.0015' } };
    expect(isBelowMinimum('2.49', 'EUR', minimum)).toBe(true);
    expect(isBelowMinimum('2.50', 'EUR', minimum)).toBe(false);
    expect(isBelowMinimum('1000000.00', 'EUR', minimum)).toBe(false);
    expect(isBelowMinimum('299', 'JPY', minimum)).toBe(true);
    expect(isBelowMinimum('300', 'JPY', minimum)).toBe(false);
    // 0.0015 BHD rounds to 0.002.
    expect(isBelowMinimum('0.001', 'BHD', minimum)).toBe(true);
    expect(isBelowMinimum('0.002', 'BHD', minimum)).toBe(false);
  });
});
