/** Numbers of a worked example: small gradients and updates span many orders of magnitude. */

const SUPERSCRIPTS: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** Four significant digits, with a power of ten only when needed (0.0001234 -> "1.234×10⁻⁴"); a real minus sign. */
export function sig(value: number, digits = 4): string {
  if (value === 0) return '0';
  // Rounded first: 0.00099999 is shown as 0.001, not 1×10⁻³.
  const rounded = Number(value.toPrecision(digits));
  const magnitude = Math.abs(rounded);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(rounded).replace('-', '−');
  const [mantissa = '', exponent = '0'] = value.toExponential(digits - 1).split('e');
  const power = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPTS[c] ?? c);
  return `${String(Number(mantissa)).replace('-', '−')}×10${power}`;
}

/** With a sign always shown: "+0.5", "−0.25". */
export function signed(value: number, digits = 4): string {
  return value > 0 ? `+${sig(value, digits)}` : sig(value, digits);
}
