/**
 * What @cccd/emrtd needs from the JavaScript runtime that Hermes may lack (the full list, per React Native
 * version: docs/platforms.md). Imported first, before anything that loads the core.
 */
// crypto.getRandomValues: PACE nonces and keys, the Active Authentication challenge. Must come first.
import 'react-native-get-random-values';
import { TextDecoder as PolyfillDecoder, TextEncoder as PolyfillEncoder } from 'text-encoding';

/**
 * The core decodes strict UTF-8 (`fatal: true`) and Latin-1 (`latin1`, DER strings) when it loads. A runtime whose
 * TextDecoder cannot do both (Hermes' own, or a UTF-8-only polyfill) gets the full WHATWG one from `text-encoding`.
 */
function decoderIsEnough(): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true });
    new TextDecoder('latin1');
    return true;
  } catch {
    return false;
  }
}

const scope = globalThis as unknown as Record<string, unknown>;
if (typeof scope.TextEncoder !== 'function') scope.TextEncoder = PolyfillEncoder;
if (typeof scope.TextDecoder !== 'function' || !decoderIsEnough()) scope.TextDecoder = PolyfillDecoder;
