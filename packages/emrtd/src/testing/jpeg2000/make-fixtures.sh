#!/usr/bin/env bash
# Regenerates the JPEG 2000 test images of this folder (committed; tests never run this): a 16×12 gradient as
# PNG in six layouts, compressed losslessly by OpenJPEG's reference encoder (Debian package libopenjp2-tools,
# opj_compress 2.5.0) as JP2 files and raw J2K codestreams. Run from the repository root:
#   bash packages/emrtd/src/testing/jpeg2000/make-fixtures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v opj_compress >/dev/null || { echo "opj_compress missing: apt-get install libopenjp2-tools" >&2; exit 1; }
# fast-png (a dependency of @cccd/emrtd) writes the source PNGs; resolved from the package.
(cd "$here/../../.." && node --input-type=module -e "
import { encode } from 'fast-png';
import { writeFileSync } from 'node:fs';
const W = 16, H = 12;
for (const [name, channels, depth] of [['g8', 1, 8], ['g16', 1, 16], ['ga8', 2, 8], ['rgb8', 3, 8], ['rgb16', 3, 16], ['rgba8', 4, 8]]) {
  const max = 2 ** depth - 1;
  const data = depth === 16 ? new Uint16Array(W * H * channels) : new Uint8Array(W * H * channels);
  for (let i = 0; i < W * H * channels; i++) {
    const p = Math.floor(i / channels), c = i % channels, x = p % W, y = Math.floor(p / W);
    data[i] = Math.round((((x * 7 + y * 13 + c * 50) % 64) / 63) * max);
  }
  writeFileSync('$work/' + name + '.png', encode({ width: W, height: H, data, channels, depth }));
}")
for png in "$work"/*.png; do
  name=$(basename "$png" .png)
  # Two resolution levels: the default five need an image of at least 32×32.
  opj_compress -n 2 -i "$png" -o "$here/$name.jp2" >/dev/null
  opj_compress -n 2 -i "$png" -o "$here/$name.j2k" >/dev/null
done
ls -l "$here"
