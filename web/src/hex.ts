// Hex view formatting: bytes as 16 per line with an offset column, a hex column and printable
// ASCII (0x20-0x7e; every other byte shows as '.'). Pure functions, no DOM: the page builds
// elements from these cells with textContent only.

export const kBytesPerLine = 16;

export interface HexCell {
  hex: string;     // "4f"
  ascii: string;   // "O" or "."
  offset: number;  // absolute offset of the byte
  hit: boolean;    // inside the highlighted range
}

export interface HexLine {
  offset: number;      // absolute offset of the first byte of the line (a multiple of 16 if aligned)
  offsetText: string;  // zero-padded hex offset
  cells: HexCell[];    // up to 16
}

export interface Range {
  start: number;  // absolute offset
  length: number;
}

// Parses a hex string ("4f6b", upper or lower case, whitespace ignored). Bad digits give no byte:
// the string comes from the server, and a malformed one must not throw in the middle of a page.
export function hexToBytes(hex: string): Uint8Array {
  const clean = (hex || '').replace(/\s+/g, '');
  const out = new Uint8Array(Math.floor(clean.length / 2));
  let n = 0;
  for (let i = 0; i + 1 < clean.length; i += 2) {
    const v = parseInt(clean.substr(i, 2), 16);
    if (Number.isNaN(v)) continue;
    out[n++] = v;
  }
  return out.subarray(0, n);
}

export function printable(byte: number): string {
  return byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.';
}

// The printable-ASCII rendering of bytes (context columns).
export function asciiOf(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += printable(b);
  return s;
}

export function offsetText(offset: number, width = 8): string {
  return Math.max(0, Math.floor(offset)).toString(16).padStart(width, '0');
}

// Splits bytes that start at absolute offset `base` into lines. The first line starts at the
// 16-aligned offset at or below `base` (leading cells absent) so columns line up with offsets.
export function formatHexLines(bytes: Uint8Array, base: number, hit?: Range): HexLine[] {
  const lines: HexLine[] = [];
  if (bytes.length === 0) return lines;
  const end = base + bytes.length;
  const width = Math.max(8, offsetText(end).length);
  const first = base - (base % kBytesPerLine);
  for (let lineStart = first; lineStart < end; lineStart += kBytesPerLine) {
    const cells: HexCell[] = [];
    for (let o = Math.max(lineStart, base); o < Math.min(lineStart + kBytesPerLine, end); o++) {
      const b = bytes[o - base];
      cells.push({
        hex: b.toString(16).padStart(2, '0'),
        ascii: printable(b),
        offset: o,
        hit: !!hit && hit.length > 0 && o >= hit.start && o < hit.start + hit.length,
      });
    }
    lines.push({ offset: lineStart, offsetText: offsetText(lineStart, width), cells });
  }
  return lines;
}

// The window of bytes to ask /bytes for around a hit: aligned to 16, `around` bytes before and
// after, clipped to [0, size) and to the server's 4096-byte limit.
export function hexWindow(offset: number, hitLength: number, size: number | null, around = 128): Range {
  const maxLen = 4096;
  let start = Math.max(0, offset - around);
  start -= start % kBytesPerLine;
  let stop = offset + Math.max(hitLength, 1) + around;
  stop += (kBytesPerLine - (stop % kBytesPerLine)) % kBytesPerLine;
  if (size !== null && size >= 0) stop = Math.min(stop, size);
  const length = Math.max(0, Math.min(maxLen, stop - start));
  return { start, length };
}

// How many bytes a feature occupies in the evidence: UTF-8, or UTF-16 (2 bytes per code unit).
export function featureByteLength(feature: string, utf16: boolean): number {
  if (utf16) return feature.length * 2;
  return new TextEncoder().encode(feature).length;
}
