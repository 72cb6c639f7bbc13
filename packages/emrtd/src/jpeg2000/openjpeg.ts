/**
 * The decoder: OpenJPEG (the JPEG 2000 reference implementation, ISO/IEC 15444-5) as built by Cornerstone's
 * @cornerstonejs/codec-openjpeg, decode-only, compiled by wasm2js to plain JavaScript. That build needs no .wasm
 * file, so it loads the same way in Node, browsers, workers and React Native: nothing is fetched, and a page needs
 * no `wasm-unsafe-eval` in its CSP. Loaded on first use, once; a failure is forgotten so the next call retries.
 */
import type { J2KDecoder, OpenJpegModule } from '@cornerstonejs/codec-openjpeg/decode';
import { EmrtdError } from '../errors.js';
import { Jpeg2000Unsupported } from './errors.js';

let loading: Promise<OpenJpegModule> | undefined;

/** OpenJPEG prints progress and errors with printf; they go nowhere (they are never image data, but no noise). */
const silent = () => undefined;

async function load(): Promise<OpenJpegModule> {
  try {
    const imported = await import('@cornerstonejs/codec-openjpeg/decode');
    // CommonJS from ESM: Node and bundlers give module.exports as the default export.
    const factory = imported.default;
    // A fresh options object each time: Emscripten keeps it as the module and registers its classes on it.
    return await factory({ print: silent, printErr: silent });
  } catch (e) {
    throw new Jpeg2000Unsupported('decoder', 'the OpenJPEG decoder could not be loaded', { cause: e });
  }
}

function openjpeg(): Promise<OpenJpegModule> {
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/**
 * Runs `use` with a fresh decoder and frees it after. When OpenJPEG itself throws (an Emscripten exception, a bare
 * number, or an abort), the module is dropped too, so no state of a failed decode can reach the next one.
 */
export async function withDecoder<T>(use: (decoder: J2KDecoder) => T): Promise<T> {
  const module = await openjpeg();
  const decoder = new module.J2KDecoder();
  try {
    return use(decoder);
  } catch (e) {
    if (!(e instanceof EmrtdError)) loading = undefined;
    throw e;
  } finally {
    decoder.delete();
  }
}
