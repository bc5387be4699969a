// Deterministic colours: one per category id (boxes in the pictures), spread around the hue circle by the
// golden angle so neighbouring ids differ, at a saturation and lightness where white label text stays legible.

function hex(value: number): string {
  return Math.round(value * 255)
    .toString(16)
    .padStart(2, '0');
}

/** HSL (hue in degrees, s and l in [0, 1]) as `#rrggbb`. */
export function hslToHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = (((hue % 360) + 360) % 360) / 60;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [chroma, x, 0]
      : h < 2
        ? [x, chroma, 0]
        : h < 3
          ? [0, chroma, x]
          : h < 4
            ? [0, x, chroma]
            : h < 5
              ? [x, 0, chroma]
              : [chroma, 0, x];
  const m = lightness - chroma / 2;
  return `#${hex(r + m)}${hex(g + m)}${hex(b + m)}`;
}

/** The colour of category `id`: the same everywhere (both panels, every image, every run). */
export function categoryColour(id: number): string {
  return hslToHex(id * 137.508, 0.75, 0.42);
}

/** `#rrggbb` as [r, g, b] bytes. */
export function parseHexColour(colour: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (match === null) throw new RangeError(`not a #rrggbb colour: ${colour}`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}
