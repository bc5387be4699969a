// JPEG -> packed RGB through sharp (libvips, off the main thread). Grey or CMYK JPEGs come out as 3-channel
// sRGB too, so the model sees one layout.
import sharp from 'sharp';

export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export async function decodeJpeg(jpeg: Buffer): Promise<DecodedImage> {
  const { data, info } = await sharp(jpeg, { failOn: 'truncated' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
  return { data, width: info.width, height: info.height, channels: 3 };
}
