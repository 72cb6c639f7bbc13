/**
 * The layers of @cccd/emrtd, lowest first: [name, folders (with /) and root files of packages/emrtd/src]. A module
 * may import its own layer and the layers below it. Used by .dependency-cruiser.cjs; scripts/check-deps.mjs checks
 * that CONTRIBUTING.md ("The layering rule") lists the same layers and folders.
 */
const LAYERS = [
  ['transport', ['transport.ts', 'errors.ts', 'version.ts']],
  ['primitives', ['codec/', 'asn1/', 'crypto/', 'apdu/']],
  ['secure messaging', ['sm/']],
  ['chip protocols', ['bac/', 'pace/', 'ca/', 'aa/']],
  ['file reader', ['reader/']],
  ['lds', ['lds/', 'keys/']],
  ['pki', ['pki/']],
  ['trust', ['trust/']],
  ['verification', ['verify/']],
  ['read orchestration', ['read/']],
  ['diagnostics', ['diagnose/']],
  ['images', ['jpeg2000/']],
  ['entry points', ['index.ts', 'entries/', 'testing/']],
];

module.exports = { LAYERS };
