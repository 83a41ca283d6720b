// Number formatting for the transformer-block slides: signed values with a true minus sign (wider
// and easier to see from the back than a hyphen), and tiny differences in powers of ten.

const MINUS = '\u2212';

/** 285.35 -> "285.4", 1.234 -> "1.23", -0.01234 -> "−0.012". */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : `${MINUS}∞`;
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3;
  const text = magnitude.toFixed(digits);
  return value < 0 && Number(text) !== 0 ? `${MINUS}${text}` : text;
}

/** 0.0000147 -> "1.5×10⁻⁵" style text: "1.5e−5"; 0 -> "0". For "matches to within". */
export function formatTiny(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value === 0) return '0';
  const [mantissa, exponent] = value.toExponential(1).split('e');
  return `${mantissa.replace('-', MINUS)}e${exponent.replace('-', MINUS).replace('+', '')}`;
}
