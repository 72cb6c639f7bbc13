import { EmrtdError, type EmrtdErrorOptions } from '../errors.js';

/** Why a JPEG 2000 image is not turned into a displayable one; stable, for code to branch on. */
export type Jpeg2000UnsupportedReason =
  | 'not-jpeg2000'
  | 'too-large'
  | 'components'
  | 'bit-depth'
  | 'signed'
  | 'subsampling'
  | 'image-offset'
  | 'palette'
  | 'decoder';

/**
 * A well-formed JPEG 2000 image this entry does not decode: a feature the decoder cannot render (alpha, palette,
 * signed samples) or a size over the caller's limits. The message names the feature and the numbers of the
 * header, never image content.
 */
export class Jpeg2000Unsupported extends EmrtdError {
  override name = 'Jpeg2000Unsupported';
  constructor(
    readonly reason: Jpeg2000UnsupportedReason,
    message: string,
    options: EmrtdErrorOptions = {},
  ) {
    super('unsupported', `JPEG 2000: ${message}`, options);
  }
}
