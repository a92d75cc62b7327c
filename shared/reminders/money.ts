/**
 * Money as it leaves the daemon: ISO 4217 currency codes and amounts as decimal strings with the
 * currency's minor units, computed on decimal digits so that binary floating point never shows
 * (0.1 + 0.2 → "0.30", not "0.30000000000000004").
 */

/**
 * Amounts must stay below 10^15: beyond that a SharePoint number column (an IEEE double) can no
 * longer hold every cent, so a larger value is a data error rather than an amount.
 */
const MAX_INTEGER_DIGITS = 15;
/** Longer numeric strings are not amounts (and are not worth parsing). */
const MAX_AMOUNT_TEXT_LENGTH = 64;
/** A non-negative decimal number as JSON or `String(number)` writes it, exponent included. */
const DECIMAL_NUMBER = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

let knownCurrencies: ReadonlySet<string> | undefined;
const minorUnitsByCurrency = new Map<string, number>();

/** Forgets the cached currency data (it only changes with the ICU data of the Node binary). */
export function clearMoneyCache(): void {
  knownCurrencies = undefined;
  minorUnitsByCurrency.clear();
}

/**
 * The upper-case ISO 4217 code for `value` (`" eur"` → `"EUR"`), or undefined unless it is a
 * three-letter code that Intl knows. (Intl formats any three letters, so its list of supported
 * currencies decides.)
 */
export function normalizeCurrencyCode(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const code = value.trim().toUpperCase();
  if (!CURRENCY_CODE.test(code)) {
    return undefined;
  }
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code) ? code : undefined;
}

/** How many fraction digits amounts in `currencyCode` carry, per Intl (EUR 2, JPY 0, BHD 3). */
export function currencyMinorUnits(currencyCode: string): number {
  let digits = minorUnitsByCurrency.get(currencyCode);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    minorUnitsByCurrency.set(currencyCode, digits);
  }
  return digits;
}

/**
 * `value` (a JSON number or a numeric string, finite, ≥ 0 and below 10^15) as a decimal string with
 * exactly `fractionDigits` fraction digits, rounded half away from zero on its shortest decimal
 * form; undefined when `value` is not such an amount.
 */
export function formatDecimalAmount(value: unknown, fractionDigits: number): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      return undefined;
    }
    // The shortest string that round-trips: the decimal the user typed, not the binary double.
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = text.length <= MAX_AMOUNT_TEXT_LENGTH ? DECIMAL_NUMBER.exec(text) : null;
  if (match === null) {
    return undefined;
  }
  const integerPart = match[1] ?? '';
  const fractionPart = match[2] ?? '';
  if (integerPart === '' && fractionPart === '') {
    return undefined;
  }
  // value = digits × 10^scale
  const digits = (integerPart + fractionPart).replace(/^0+/, '');
  const scale = Number(match[3] ?? '0') - fractionPart.length;
  if (digits !== '' && digits.length + scale > MAX_INTEGER_DIGITS) {
    return undefined;
  }
  const minorUnits = toMinorUnits(digits, scale + fractionDigits);
  if (fractionDigits === 0) {
    return minorUnits.toString();
  }
  const padded = minorUnits.toString().padStart(fractionDigits + 1, '0');
  return `${padded.slice(0, -fractionDigits)}.${padded.slice(-fractionDigits)}`;
}

/** digits × 10^shift rounded half up to an integer (digits has no leading zeros; may be empty). */
function toMinorUnits(digits: string, shift: number): bigint {
  if (digits === '') {
    return 0n;
  }
  if (shift >= 0) {
    return BigInt(digits + '0'.repeat(shift));
  }
  const kept = digits.length + shift;
  if (kept < 0) {
    return 0n; // below half a minor unit
  }
  const roundUp = (digits[kept] ?? '0') >= '5';
  return BigInt(digits.slice(0, kept) || '0') + (roundUp ? 1n : 0n);
}

/** The least amount a reminder is sent for: one for every currency, and optionally one per currency. */
export interface MinimumAmount {
  /** Decimal string in units of any currency that has no entry of its own, e.g. `"0"`, `"5"`. */
  readonly allCurrencies: string;
  /** Upper-case ISO 4217 code → decimal string, e.g. `{ JPY: "500" }`. */
  readonly byCurrency: Readonly<Record<string, string>>;
}

/**
 * Whether `amount` (as {@link formatDecimalAmount} wrote it for `currencyCode`) is zero, or below the
 * minimum for its currency (the minimum rounded to the currency's minor units, as the amount was).
 */
export function isBelowMinimum(amount: string, currencyCode: string, minimum: MinimumAmount): boolean {
  const minorUnits = toBigInt(amount);
  const least = formatDecimalAmount(
    minimum.byCurrency[currencyCode] ?? minimum.allCurrencies,
    currencyMinorUnits(currencyCode),
  );
  return minorUnits === 0n || (least !== undefined && minorUnits < toBigInt(least));
}

/** A formatted amount (`"12.30"`) in minor units (`1230n`). */
function toBigInt(formatted: string): bigint {
  return BigInt(formatted.replace('.', ''));
}
