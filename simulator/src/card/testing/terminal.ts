/**
 * Test-only terminal half of secure messaging and PACE, written from ICAO 9303-11 for the simulator's own tests.
 * It is deliberately minimal and independent of the SDK's reader modules; worked-example vectors anchor both it
 * and the card, so a shared misreading of the spec would show up against the vectors.
 */
import {
  aesCbc,
  aesCmac,
  aesEcb,
  bigToBytes,
  bytesToBig,
  concat,
  type DomainParameters,
  decodeDhElement,
  decodeEcPoint,
  domainParameters,
  type EcPoint,
  encodeDhElement,
  encodeEcPoint,
  equal,
  KDF_ENC,
  KDF_MAC,
  KDF_PI,
  kdf,
  modPow,
  oidContent,
  pad,
  readTlvs,
  retailMac,
  type SmCipher,
  tdesCbc,
  tlv,
  unpad,
} from '@cccd/emrtd/codec';

export class TerminalSm {
  private counter: bigint;
  private readonly bs: number;
  constructor(
    readonly cipher: SmCipher,
    private readonly ksEnc: Uint8Array,
    private readonly ksMac: Uint8Array,
    ssc: Uint8Array,
  ) {
    this.bs = cipher === '3DES' ? 8 : 16;
    this.counter = bytesToBig(ssc);
  }
  get ssc(): Uint8Array {
    return bigToBytes(this.counter, this.bs);
  }
  private mac(data: Uint8Array): Uint8Array {
    const p = pad(data, this.bs);
    return this.cipher === '3DES' ? retailMac(this.ksMac, p) : aesCmac(this.ksMac, p).slice(0, 8);
  }
  private crypt(data: Uint8Array, enc: boolean): Uint8Array {
    if (this.cipher === '3DES') return tdesCbc(this.ksEnc, new Uint8Array(8), data, enc);
    return aesCbc(this.ksEnc, aesEcb(this.ksEnc, this.ssc, true), data, enc);
  }
  /** Protected APDU for a plain command (short encoding unless `extended`). */
  protect(
    cla: number,
    ins: number,
    p1: number,
    p2: number,
    data: Uint8Array,
    ne: number,
    extended = false,
  ): Uint8Array {
    this.counter++;
    const c = cla | 0x0c;
    const dos: Uint8Array[] = [];
    if (data.length) {
      const e = this.crypt(pad(data, this.bs), true);
      dos.push(ins & 1 ? tlv(0x85, e) : tlv(0x87, Uint8Array.of(1), e));
    }
    if (ne)
      dos.push(tlv(0x97, ne > 256 || extended ? Uint8Array.of((ne >> 8) & 0xff, ne & 0xff) : Uint8Array.of(ne & 0xff)));
    const m = this.mac(concat(this.ssc, pad(Uint8Array.of(c, ins, p1, p2), this.bs), ...dos));
    const body = concat(...dos, tlv(0x8e, m));
    const lc = extended ? Uint8Array.of(0, body.length >> 8, body.length & 0xff) : Uint8Array.of(body.length);
    return concat(Uint8Array.of(c, ins, p1, p2), lc, body, extended ? Uint8Array.of(0, 0) : Uint8Array.of(0));
  }
  /** Verifies and decrypts a protected response. */
  unprotect(rapdu: Uint8Array): { sw: number; data: Uint8Array; macOk: boolean } {
    this.counter++;
    const sw = (rapdu[rapdu.length - 2]! << 8) | rapdu[rapdu.length - 1]!;
    const body = rapdu.subarray(0, rapdu.length - 2);
    if (!body.length) return { sw, data: body, macOk: false };
    const dos = readTlvs(body);
    const macDo = dos.find((d) => d.tag === 0x8e)!;
    const macOk = equal(this.mac(concat(this.ssc, body.subarray(0, macDo.offset))), macDo.value);
    const c = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
    let data: Uint8Array = new Uint8Array(0);
    if (c) data = unpad(this.crypt(c.tag === 0x87 ? c.value.subarray(1) : c.value, false)) ?? new Uint8Array(0);
    const s99 = dos.find((d) => d.tag === 0x99)!.value;
    return { sw: (s99[0]! << 8) | s99[1]!, data, macOk };
  }
}

type Exchange = (apdu: Uint8Array) => Uint8Array;

const hexApdu = (...parts: Uint8Array[]) => concat(...parts);

/** Runs PACE as a terminal (test only). Returns the terminal's SM session. Throws on any unexpected answer. */
export function terminalPace(
  exchange: Exchange,
  opts: {
    oid: string;
    parameterId: number;
    cipher: SmCipher;
    mapping: 'GM' | 'IM';
    password: Uint8Array;
    passwordRef: 1 | 2;
    random: (n: number) => Uint8Array;
  },
): TerminalSm {
  const params = domainParameters(opts.parameterId);
  const oidBytes = oidContent(opts.oid);
  const mse = concat(tlv(0x80, oidBytes), tlv(0x83, Uint8Array.of(opts.passwordRef)));
  expectOk(exchange(hexApdu(Uint8Array.of(0x00, 0x22, 0xc1, 0xa4, mse.length), mse)), 'MSE');
  const ga = (chain: boolean, inner: Uint8Array) => {
    const d = tlv(0x7c, inner);
    const r = exchange(concat(Uint8Array.of(chain ? 0x10 : 0x00, 0x86, 0, 0, d.length), d, Uint8Array.of(0)));
    expectOk(r, 'GA');
    const outer = readTlvs(r.subarray(0, r.length - 2))[0]!;
    return readTlvs(outer.value);
  };
  const bs = opts.cipher === '3DES' ? 8 : 16;
  const kPi = kdf(opts.password, KDF_PI, opts.cipher);
  const z = ga(true, new Uint8Array(0))[0]!.value;
  const s =
    opts.cipher === '3DES' ? tdesCbc(kPi, new Uint8Array(8), z, false) : aesCbc(kPi, new Uint8Array(16), z, false);
  const g = group(params);
  let gen: EcPoint | bigint;
  if (opts.mapping === 'GM') {
    const sk = g.priv(opts.random);
    const pkMapIc = g.decode(ga(true, tlv(0x81, g.encode(g.mul(g.base, sk))))[0]!.value);
    gen = g.add(g.mul(g.base, bytesToBig(s)), g.mul(pkMapIc, sk));
  } else {
    const t = opts.random(bs);
    ga(true, tlv(0x81, t));
    gen = imMap(params, s, t);
  }
  const sk = g.priv(opts.random);
  const pkIfd = g.encode(g.mul(gen, sk));
  const pkIc = ga(true, tlv(0x83, pkIfd))[0]!.value;
  const k = g.secret(g.mul(g.decode(pkIc), sk));
  const ksEnc = kdf(k, KDF_ENC, opts.cipher);
  const ksMac = kdf(k, KDF_MAC, opts.cipher);
  const token = (pk: Uint8Array) => {
    const input = tlv(0x7f49, tlv(0x06, oidBytes), tlv(params.kind === 'EC' ? 0x86 : 0x84, pk));
    return opts.cipher === '3DES' ? retailMac(ksMac, pad(input)) : aesCmac(ksMac, input).slice(0, 8);
  };
  const tIc = ga(false, tlv(0x85, token(pkIc)))[0]!.value;
  if (!equal(tIc, token(pkIfd))) throw new Error('T_IC mismatch');
  return new TerminalSm(opts.cipher, ksEnc, ksMac, new Uint8Array(bs));
}

function expectOk(r: Uint8Array, step: string): void {
  const sw = (r[r.length - 2]! << 8) | r[r.length - 1]!;
  if (sw !== 0x9000) throw new Error(`${step}: SW ${sw.toString(16)}`);
}

function group(params: DomainParameters) {
  if (params.kind === 'EC') {
    const n = params.curve.CURVE().n;
    return {
      base: params.curve.BASE as EcPoint | bigint,
      priv: (r: (n: number) => Uint8Array) => (bytesToBig(r(params.orderBytes + 8)) % (n - 1n)) + 1n,
      mul: (e: EcPoint | bigint, k: bigint) => (e as EcPoint).multiply(k) as EcPoint | bigint,
      add: (a: EcPoint | bigint, b: EcPoint | bigint) => (a as EcPoint).add(b as EcPoint) as EcPoint | bigint,
      encode: (e: EcPoint | bigint) => encodeEcPoint(params, e as EcPoint),
      decode: (b: Uint8Array) => decodeEcPoint(params, b) as EcPoint | bigint,
      secret: (e: EcPoint | bigint) => bigToBytes((e as EcPoint).toAffine().x, params.fieldSize),
    };
  }
  return {
    base: params.g as EcPoint | bigint,
    priv: (r: (n: number) => Uint8Array) => (bytesToBig(r(28)) % (params.q - 1n)) + 1n,
    mul: (e: EcPoint | bigint, k: bigint) => modPow(e as bigint, k, params.p) as EcPoint | bigint,
    add: (a: EcPoint | bigint, b: EcPoint | bigint) => ((a as bigint) * (b as bigint)) % params.p,
    encode: (e: EcPoint | bigint) => encodeDhElement(params, e as bigint),
    decode: (b: Uint8Array) => decodeDhElement(params, b) as EcPoint | bigint,
    secret: (e: EcPoint | bigint) => encodeDhElement(params, e as bigint),
  };
}

/** Integrated mapping, terminal side (AES-128 pseudo-random function + SWU / DH encoding). */
function imMap(params: DomainParameters, s: Uint8Array, t: Uint8Array): EcPoint | bigint {
  const c0 = Uint8Array.from(Buffer.from('A668892A7C41E3CA739F40B057D85904', 'hex'));
  const c1 = Uint8Array.from(Buffer.from('A4E136AC725F738B01C1F60217C188AD', 'hex'));
  const p = params.kind === 'EC' ? params.curve.CURVE().p : params.p;
  const blocks = Math.ceil((p.toString(2).length + 64) / 128);
  let k = aesEcb(t, s, true);
  const out: Uint8Array[] = [];
  for (let i = 0; i < blocks; i++) {
    out.push(aesEcb(k, c1, true));
    k = aesEcb(k, c0, true);
  }
  const x = bytesToBig(concat(...out)) % p;
  if (params.kind === 'DH') return modPow(x, (params.p - 1n) / params.q, params.p);
  const { a, b } = params.curve.CURVE();
  const f = (v: bigint) => ((v % p) + p) % p;
  const inv = (v: bigint) => modPow(v, p - 2n, p);
  const alpha = f(-x * x);
  const x2 = f(-b * (1n + alpha + alpha * alpha) * inv(f(a * (alpha + alpha * alpha))));
  const h2 = f(x2 ** 3n + a * x2 + b);
  const A = modPow(h2, p - 1n - (p + 1n) / 4n, p);
  const pt = f(A * A * h2) === 1n ? { x: x2, y: f(A * h2) } : { x: f(alpha * x2), y: f(A * x ** 3n * h2) };
  return params.curve.fromAffine(pt);
}
