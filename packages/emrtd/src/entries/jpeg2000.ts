/**
 * @cccd/emrtd/jpeg2000: a DG2 face in JPEG 2000 (JP2 file or raw J2K codestream) turned into a PNG a browser can
 * show. Optional: the root entry never loads it, so only integrators who import it bundle the decoder (OpenJPEG via
 * @cornerstonejs/codec-openjpeg, ~550 KB of JavaScript; PNG by fast-png). No Node built-in; nothing is fetched.
 * index.test.ts pins this list.
 */
export {
  type DecodedImage,
  decodeJpeg2000,
  JPEG2000_LIMITS,
  type Jpeg2000Limits,
  type Jpeg2000Options,
} from '../jpeg2000/decode.js';
export { Jpeg2000Unsupported, type Jpeg2000UnsupportedReason } from '../jpeg2000/errors.js';
export { type Jpeg2000Component, type Jpeg2000Header, readJpeg2000Header } from '../jpeg2000/header.js';
export { encodePng, jpeg2000ToPng, type PngImage } from '../jpeg2000/png.js';
