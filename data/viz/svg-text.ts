// The few helpers every hand-written SVG here shares: XML escaping and number formatting that gives the same
// bytes for the same doubles (fixed decimals, no "-0", no exponent), so a picture is a function of its data.

/** Text safe in XML content and in double-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`,
  );
}

/** A coordinate with at most `decimals` decimals, trailing zeros dropped: 12, 12.5, 0.25. */
export function svgNumber(value: number, decimals = 2): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite coordinate: ${value}`);
  const text = value.toFixed(decimals).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/** `name="value"` pairs from an object, in its key order; numbers through svgNumber, undefined left out. */
export function svgAttributes(attributes: Record<string, string | number | undefined>): string {
  return Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}="${typeof value === 'number' ? svgNumber(value) : escapeXml(value)}"`)
    .join(' ');
}

/** Width of `text` in a sans-serif face at `fontSize`, estimated (librsvg measures nothing for us). */
export function estimateTextWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}
