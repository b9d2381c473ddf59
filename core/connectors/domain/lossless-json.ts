// Shop platforms send 64-bit ids as bare JSON numbers (Shopify's order, line and customer ids
// exceed 2^53), which JSON.parse rounds. Node 20's JSON.parse cannot see a number's source text,
// so every integer literal too large to be exact (an integer-valued float literal beyond 2^53 too)
// is turned into its decimal string before parsing:
// nothing else in the document changes, and the ids come out digit for digit.

const isDigit = (c: number) => c >= 48 && c <= 57;

/** JSON.parse, except that integers beyond Number.MAX_SAFE_INTEGER come back as their decimal strings. */
export function parseLosslessJson(text: string): unknown {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: skip it whole, escapes included, so digits inside it are left alone.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 45 || isDigit(c)) {
      let j = c === 45 ? i + 1 : i;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      const integerEnd = j;
      // A fraction or an exponent makes it a float: left to JSON.parse as it is.
      while (j < n && /[0-9.eE+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (integerEnd === j && token.length > 15 && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(copied, i)}"${token}"`;
        copied = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return JSON.parse(copied === 0 ? text : out + text.slice(copied));
}
