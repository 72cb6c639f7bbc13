/** ICAO 9303-3 §4.9 check digit: weights 7-3-1, digits as themselves, A-Z as 10-35, '<' as 0. */
export function checkDigit(text: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 65 && c <= 90) v = c - 55;
    else if (c === 60) v = 0;
    else throw new RangeError('checkDigit: character outside the MRZ alphabet');
    sum += v * weights[i % 3]!;
  }
  return sum % 10;
}
