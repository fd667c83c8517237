/**
 * WinAnsiEncoding (PDF 1.4, Appendix D): the single-byte encoding the standard Type 1 fonts use here.
 * Codes 32-126 are ASCII and 160-255 Latin-1; 128-159 hold the typographic extras below. A character
 * outside the encoding is written as '?', so a name in another script degrades visibly instead of
 * turning into the wrong glyphs.
 */
const EXTRAS: ReadonlyArray<[number, number]> = [
  [0x20ac, 128], [0x201a, 130], [0x0192, 131], [0x201e, 132], [0x2026, 133], [0x2020, 134], [0x2021, 135], [0x02c6, 136],
  [0x2030, 137], [0x0160, 138], [0x2039, 139], [0x0152, 140], [0x017d, 142], [0x2018, 145], [0x2019, 146], [0x201c, 147],
  [0x201d, 148], [0x2022, 149], [0x2013, 150], [0x2014, 151], [0x02dc, 152], [0x2122, 153], [0x0161, 154], [0x203a, 155],
  [0x0153, 156], [0x017e, 158], [0x0178, 159],
];
const FROM_UNICODE = new Map<number, number>(EXTRAS);
const TO_UNICODE = new Map<number, number>(EXTRAS.map(([u, b]) => [b, u]));

export const UNMAPPED = 0x3f; // '?'

/** The WinAnsi byte of one Unicode code point, or '?' when the encoding has none. Tabs and line ends become spaces. */
export function winAnsiByte(codePoint: number): number {
  if (codePoint === 9 || codePoint === 10 || codePoint === 13) return 0x20;
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return FROM_UNICODE.get(codePoint) ?? UNMAPPED;
}

export function encodeWinAnsi(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) out.push(winAnsiByte(ch.codePointAt(0)!));
  return Uint8Array.from(out);
}

/** The inverse (reading back what was written, in tests and checks). */
export function decodeWinAnsi(bytes: Iterable<number>): string {
  let s = '';
  for (const b of bytes) s += String.fromCodePoint(TO_UNICODE.get(b) ?? b);
  return s;
}
