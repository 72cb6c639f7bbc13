/**
 * The portrait of a read result: the chip's bytes as they are (what the evidence hashes cover) and, for JPEG 2000 —
 * which browsers do not show — the same picture as PNG in `display` (docs/reference/kiosk-agent.md, "The photo").
 * A portrait that does not decode is still released as read, without `display`; the log names the error's code
 * and reason, never a byte of the image.
 */
import type { Photo, PhotoDisplay } from '@cccd/client';
import type { VerifiedRead } from '@cccd/emrtd';
import { errorFields, type Logger } from './log.js';
import { PhotoDecoder } from './photo-decoder.js';

/**
 * Bounds of the PNG conversion on the agent: a portrait claiming more is refused before decoding (typed, logged;
 * an ICAO face is far smaller), and a decode runs in a worker for at most PHOTO_DECODE_TIMEOUT_MS (typically
 * ~1.5 µs per pixel, but a hostile codestream can claim far more coding work per pixel).
 */
export const PHOTO_DISPLAY_LIMITS = { maxPixels: 1_000_000, maxInputBytes: 1024 * 1024 } as const;
export const PHOTO_DECODE_TIMEOUT_MS = 10_000;

/** One decoder worker per process, started on the first JPEG 2000 portrait (photo-decoder.ts). */
let decoder: PhotoDecoder | undefined;
/** The protocol's base64 cap (packages/client protocol.ts): a PNG that would not fit is left out. */
const MAX_B64 = 4 * 1024 * 1024;

type ChipPhoto = NonNullable<VerifiedRead['photo']>;

const MIME: Record<string, Photo['mime'] | undefined> = {
  'image/jpeg': 'image/jpeg',
  'image/jp2': 'image/jp2',
  'image/j2k': 'image/j2k',
};

async function pngOf(photo: ChipPhoto, log: Logger): Promise<PhotoDisplay | undefined> {
  try {
    decoder ??= new PhotoDecoder(PHOTO_DECODE_TIMEOUT_MS);
    const png = await decoder.toPng(photo.image, { ...PHOTO_DISPLAY_LIMITS, source: 'DG2' });
    const b64 = Buffer.from(png.png).toString('base64');
    png.png.fill(0); // personal data: zeroed once copied, like the read's buffers (read.ts wipe)
    if (b64.length > MAX_B64) {
      log.warn(
        { event: 'photo-not-displayable', reason: 'too-large', pngBytes: png.png.length },
        'photo not converted',
      );
      return undefined;
    }
    return { mime: 'image/png', b64, width: png.width, height: png.height };
  } catch (e) {
    const reason = (e as { reason?: unknown }).reason;
    log.warn(
      { event: 'photo-not-displayable', ...errorFields(e), ...(typeof reason === 'string' ? { reason } : {}) },
      'photo not converted',
    );
    return undefined;
  }
}

/**
 * The result's `photo`: undefined for an image that is neither JPEG nor JPEG 2000 (the protocol has no type for
 * it). JPEG goes as it is; JPEG 2000 goes as it is plus its PNG.
 */
export async function resultPhoto(photo: ChipPhoto, log: Logger): Promise<Photo | undefined> {
  const mime = MIME[photo.mimeType];
  if (!mime) {
    log.warn({ event: 'photo-not-displayable', reason: 'unknown-format' }, 'photo format not recognised');
    return undefined;
  }
  const out: Photo = { mime, b64: Buffer.from(photo.image).toString('base64') };
  if (mime === 'image/jpeg') return out;
  const display = await pngOf(photo, log);
  return display ? { ...out, display } : out;
}
