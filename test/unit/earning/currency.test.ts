import { describe, expect, it } from 'vitest';
import { formatMoney, isKnownCurrency, minorUnitExponent } from '../../../core/earning/domain';

describe('ISO 4217 minor units', () => {
  it('most currencies have two decimal places', () => {
    expect(['USD', 'EUR', 'GBP', 'CHF', 'AUD'].map(minorUnitExponent)).toEqual([2, 2, 2, 2, 2]);
  });

  it('yen, won and CFA francs have no minor unit', () => {
    expect(['JPY', 'KRW', 'XOF', 'XAF', 'CLP', 'ISK'].map(minorUnitExponent)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('the Gulf and North African dinars have three decimal places', () => {
    expect(['KWD', 'BHD', 'JOD', 'OMR', 'TND', 'LYD', 'IQD'].map(minorUnitExponent)).toEqual([3, 3, 3, 3, 3, 3, 3]);
  });

  it('the Chilean unidad de fomento has four decimal places', () => {
    expect(minorUnitExponent('CLF')).toBe(4);
  });

  it('an unknown code defaults to two decimal places', () => {
    expect(minorUnitExponent('ZZZ')).toBe(2);
  });

  it('knows the common ISO codes and rejects lower case, metals and made-up codes', () => {
    expect(['USD', 'EUR', 'JPY', 'GBP', 'CNY', 'INR', 'BRL', 'MXN', 'ZAR', 'SGD'].every(isKnownCurrency)).toBe(true);
    expect(['usd', 'XAU', 'XXX', 'ABC', ''].some(isKnownCurrency)).toBe(false);
  });

  it('formats minor units with the currency exponent for breakdown descriptions', () => {
    expect([
      formatMoney(1234, 'USD'),
      formatMoney(1200, 'JPY'),
      formatMoney(1250, 'KWD'),
      formatMoney(5, 'EUR'),
    ]).toEqual(['USD 12.34', 'JPY 1200', 'KWD 1.250', 'EUR 0.05']);
  });
});
