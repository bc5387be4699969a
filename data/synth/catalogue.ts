// What a synthetic category looks like: one shape x one colour x one texture. The three axes are chosen to be
// told apart by a tiny detector at a glance (saturated colours on a grey background, outlines with different
// corner counts, textures with a 6-pixel period), so a category is learnable from a handful of images.

/** A closed polygon in the unit square (x right, y down); scaled into an object's box when drawn. */
export type UnitPolygon = ReadonlyArray<readonly [number, number]>;

export interface SynthShape {
  name: string;
  outline: UnitPolygon;
}

export interface SynthColour {
  name: string;
  rgb: readonly [number, number, number];
}

export const synthTextures = ['solid', 'hstripes', 'vstripes', 'checker', 'dots'] as const;
export type SynthTexture = (typeof synthTextures)[number];

function regularPolygon(corners: number, rotation: number, innerRatio?: number): UnitPolygon {
  const points: Array<[number, number]> = [];
  const steps = innerRatio === undefined ? corners : corners * 2;
  for (let i = 0; i < steps; i++) {
    const angle = rotation + (2 * Math.PI * i) / steps;
    const radius = innerRatio !== undefined && i % 2 === 1 ? innerRatio * 0.5 : 0.5;
    points.push([0.5 + radius * Math.cos(angle), 0.5 + radius * Math.sin(angle)]);
  }
  return points;
}

const up = -Math.PI / 2;
export const synthShapes: readonly SynthShape[] = [
  {
    name: 'square',
    outline: [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
  },
  { name: 'circle', outline: regularPolygon(32, 0) },
  {
    name: 'triangle',
    outline: [
      [0.5, 0],
      [1, 1],
      [0, 1],
    ],
  },
  {
    name: 'diamond',
    outline: [
      [0.5, 0],
      [1, 0.5],
      [0.5, 1],
      [0, 0.5],
    ],
  },
  { name: 'hexagon', outline: regularPolygon(6, 0) },
  { name: 'star', outline: regularPolygon(5, up, 0.45) },
  {
    name: 'cross',
    outline: [
      [1 / 3, 0],
      [2 / 3, 0],
      [2 / 3, 1 / 3],
      [1, 1 / 3],
      [1, 2 / 3],
      [2 / 3, 2 / 3],
      [2 / 3, 1],
      [1 / 3, 1],
      [1 / 3, 2 / 3],
      [0, 2 / 3],
      [0, 1 / 3],
      [1 / 3, 1 / 3],
    ],
  },
  { name: 'pentagon', outline: regularPolygon(5, up) },
];

export const synthColours: readonly SynthColour[] = [
  { name: 'red', rgb: [220, 40, 40] },
  { name: 'blue', rgb: [40, 80, 225] },
  { name: 'yellow', rgb: [235, 215, 40] },
  { name: 'green', rgb: [40, 175, 60] },
  { name: 'magenta', rgb: [220, 50, 180] },
  { name: 'cyan', rgb: [40, 200, 215] },
  { name: 'orange', rgb: [245, 135, 20] },
  { name: 'purple', rgb: [125, 55, 200] },
  { name: 'white', rgb: [248, 248, 248] },
  { name: 'black', rgb: [18, 18, 18] },
];

export interface SynthCategoryLook {
  /** 1-based, as LVIS category ids. */
  id: number;
  name: string;
  shape: SynthShape;
  colour: SynthColour;
  texture: SynthTexture;
}

/** How many distinct categories the catalogue can draw. */
export const maxSynthCategories = synthShapes.length * synthColours.length * synthTextures.length;

/**
 * The look of category `id` (1-based): a bijection from 1..400 onto shape x colour x texture. Shape varies
 * fastest and colour and texture rotate with it, so even the first few categories differ on every axis.
 */
export function synthCategoryLook(id: number): SynthCategoryLook {
  const index = id - 1;
  if (!Number.isInteger(index) || index < 0 || index >= maxSynthCategories) {
    throw new RangeError(`no synthetic category ${id} (1..${maxSynthCategories})`);
  }
  const shapes = synthShapes.length;
  const colours = synthColours.length;
  const shapeIndex = index % shapes;
  const block = Math.floor(index / shapes) % colours;
  const tier = Math.floor(index / (shapes * colours));
  // (colours - 1) is coprime with colours, so within a tier each shape meets every colour exactly once.
  const shape = synthShapes[shapeIndex]!;
  const colour = synthColours[((colours - 1) * block + shapeIndex) % colours]!;
  const texture = synthTextures[(tier + block) % synthTextures.length]!;
  return { id, name: `${colour.name}_${texture}_${shape.name}`, shape, colour, texture };
}
