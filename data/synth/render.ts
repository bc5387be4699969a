// Pixels for a planned image: a grey background with mild noise and a gradient (so nothing is trivially flat),
// then each object filled span by span with its colour and texture. JPEG encoding by sharp; the raw pixels are
// computed here in integer arithmetic, so the same plan gives the same bytes.
import sharp from 'sharp';
import { synthCategoryLook, type SynthTexture } from './catalogue.js';
import type { PlannedImage } from './plan.js';
import { polygonSpans } from './raster.js';

/** JPEG settings: high quality and no chroma subsampling keep colours and 3-pixel stripes readable. */
const jpegOptions = { quality: 92, chromaSubsampling: '4:4:4' } as const;

function noise(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h ^= h >>> 13;
  return ((h >>> 0) % 17) - 8;
}

/** Whether (u, v), relative to the object's box, falls on the texture's darker pattern. */
function onPattern(texture: SynthTexture, u: number, v: number): boolean {
  switch (texture) {
    case 'solid':
      return false;
    case 'hstripes':
      return Math.floor(v / 3) % 2 === 0;
    case 'vstripes':
      return Math.floor(u / 3) % 2 === 0;
    case 'checker':
      return (Math.floor(u / 4) + Math.floor(v / 4)) % 2 === 0;
    case 'dots': {
      const du = (u % 6) - 2.5;
      const dv = (v % 6) - 2.5;
      return du * du + dv * dv < 3.5;
    }
  }
}

const clamp = (value: number) => Math.max(0, Math.min(255, value));

/** The image as packed RGB bytes (width * height * 3). */
export function renderPixels(image: PlannedImage): Buffer {
  const { width, height } = image;
  const pixels = Buffer.alloc(width * height * 3);
  const [r, g, b] = image.background.rgb;
  for (let y = 0; y < height; y++) {
    const shade = Math.round((y / height) * 24) - 12;
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      const n = noise(x, y, image.background.noiseSeed) + shade;
      pixels[offset] = clamp(r + n);
      pixels[offset + 1] = clamp(g + n);
      pixels[offset + 2] = clamp(b + n);
    }
  }
  for (const object of image.objects) {
    const look = synthCategoryLook(object.categoryId);
    const base = look.colour.rgb;
    const pattern = base.map((channel) => Math.round(channel * 0.45 + 70));
    const [left, top] = object.bbox;
    for (const span of polygonSpans(object.polygon, width, height)) {
      for (let x = span.x0; x < span.x1; x++) {
        const colour = onPattern(look.texture, x - left, span.y - top) ? pattern : base;
        const offset = (span.y * width + x) * 3;
        pixels[offset] = colour[0]!;
        pixels[offset + 1] = colour[1]!;
        pixels[offset + 2] = colour[2]!;
      }
    }
  }
  return pixels;
}

/** The image as JPEG bytes. */
export async function renderJpeg(image: PlannedImage): Promise<Buffer> {
  return sharp(renderPixels(image), { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg(jpegOptions)
    .toBuffer();
}
