/**
 * The structural types this package declares (native.ts) against the real react-native-nfc-manager typings
 * (the optional peer, installed in this workspace at the version the lockfile pins). Type-level only: checked by
 * `tsc -p tsconfig.test.json`, so a release of the library that no longer fits breaks the build, not a phone.
 * Nothing of the library is loaded at run time (it needs react-native).
 */
/// <reference path="../node_modules/react-native-nfc-manager/index.d.ts" />
import type * as Nfc from 'react-native-nfc-manager';
import { expectTypeOf, it } from 'vitest';
import type { NfcErrorClasses, NfcManagerLike, NfcTechLike } from './native.js';
import { NfcTransport } from './transport.js';

/**
 * What an app's `import NfcManager from 'react-native-nfc-manager'` is: the typings' `export default`. Under this
 * repo's NodeNext resolution the CommonJS package's module.exports is itself the default, one level up.
 */
type Default = (typeof Nfc)['default'];
type NfcManager = Default extends { default: infer M } ? M : Default;

declare const manager: NfcManager;
declare const nfcTech: typeof Nfc.NfcTech;
declare const nfcErrors: typeof Nfc.NfcError;

it("the library's NfcManager, NfcTech and NfcError fit what NfcTransport takes, without a cast", () => {
  expectTypeOf<NfcManager>().toExtend<NfcManagerLike<Nfc.NfcTech>>();
  expectTypeOf<typeof Nfc.NfcTech>().toExtend<NfcTechLike<Nfc.NfcTech>>();
  expectTypeOf<typeof Nfc.NfcError>().toExtend<NfcErrorClasses>();
  const openWithTheLibrary = () => NfcTransport.open({ platform: 'android', nfcManager: manager, nfcTech, nfcErrors });
  expectTypeOf(openWithTheLibrary).returns.resolves.toEqualTypeOf<NfcTransport>();
  // And a module without the exchange call does not fit.
  expectTypeOf<Omit<NfcManager, 'isoDepHandler'>>().not.toExtend<NfcManagerLike<Nfc.NfcTech>>();
});
