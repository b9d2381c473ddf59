// ISO 4217 minor-unit exponents. Money is integer minor units, so converting an amount to whole
// units (which is what "points per unit" is priced in) needs the exponent of its currency.

/** Currencies whose minor unit is not 1/100 of the major unit. */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  // exponent 0
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // exponent 3
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // exponent 4
  CLF: 4,
  UYW: 4,
};

/**
 * Active ISO 4217 codes that denote a currency (metals, SDR and test codes such as XAU, XDR
 * and XXX are left out: they have no minor unit and nobody earns points in them).
 */
const ISO_4217 = new Set<string>(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN ' +
    'BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ' +
    'ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK ' +
    'JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK ' +
    'MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN ' +
    'PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS ' +
    'TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG ' +
    'XOF XPF YER ZAR ZMW ZWG'
  ).split(' '),
);

/** True for an active ISO 4217 currency code (upper case, e.g. "USD"). */
export function isKnownCurrency(code: string): boolean {
  return ISO_4217.has(code);
}

/**
 * Number of decimal places of the currency's minor unit: JPY 0, USD 2, KWD 3, CLF 4.
 * Unknown codes get 2, the ISO default; callers that must reject them use `isKnownCurrency`.
 */
export function minorUnitExponent(code: string): number {
  return EXPONENT_EXCEPTIONS[code] ?? 2;
}

/** "USD 12.34", "JPY 1200", "KWD 1.250": for breakdown descriptions, not for display to members. */
export function formatMoney(amount: number, currency: string): string {
  const exponent = minorUnitExponent(currency);
  if (exponent === 0) return `${currency} ${amount}`;
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  return `${currency} ${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
