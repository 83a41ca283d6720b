// Number formatting for slides: enough digits to compare values, few enough to read from the back.

/** 0.2345 -> "23.5%", 0.05678 -> "5.68%", 0.000123 -> "0.0123%": three significant digits. */
export function formatPercent(probability: number): string {
  if (!Number.isFinite(probability)) return 'n/a';
  const percent = probability * 100;
  if (percent === 0) return '0%';
  if (Math.abs(percent) < 0.001) return percent > 0 ? '<0.001%' : '>-0.001%';
  if (percent >= 99.95 && percent < 100) return percent.toFixed(2) === '100.00' ? '>99.99%' : `${percent.toFixed(2)}%`; // never round up to "100%"
  const rounded = Math.abs(Number(percent.toPrecision(3))); // so 9.999 reads "10.0", not "10.00"
  const digits = rounded >= 10 ? 1 : Math.max(0, 2 - Math.floor(Math.log10(rounded)));
  return `${percent.toFixed(digits)}%`;
}

/** 50257 -> "50,257". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** "1 token", "9 tokens". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** A token's text as a quoted, escaped string for speaker notes: " the" -> "\" the\"", "\n" -> "\"\\n\"". */
export function quoteToken(text: string): string {
  return JSON.stringify(text);
}
