/** Test fixtures: an invented citizen (never a real person) and a well-formed unsigned read result. */
import type { UnsignedReadResult } from '../protocol.js';

export const CITIZEN = {
  idNumber: '001090012345',
  fullName: 'Nguyễn Văn Thử',
  dateOfBirth: '1990-08-15',
  sex: 'M',
  placeOfResidence: 'Số 1 Phố Thử, Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội',
} as const;

export const NONCE = 'n0nce-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
export const ORIGIN = 'https://his.benhvien.example.vn';

export function unsignedResult(): UnsignedReadResult {
  return {
    readId: 'r-1',
    fields: { ...CITIZEN },
    verification: {
      overall: 'unknown-csca',
      passive: {
        status: 'unknown-csca',
        dataGroups: { DG1: 'match', DG13: 'match' },
        reasons: [{ code: 'csca-unknown', severity: 'warning', message: { vi: 'Chưa có CSCA.', en: 'No CSCA.' } }],
      },
      chip: { status: 'valid' },
      active: { status: 'not-checked' },
    },
    simulated: false,
  };
}

export async function deviceKey(
  alg: 'ES256' | 'Ed25519' = 'ES256',
): Promise<{ privateKey: CryptoKey; publicKeySpki: Uint8Array }> {
  const params = alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
  const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKeySpki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return { privateKey: pair.privateKey, publicKeySpki };
}
