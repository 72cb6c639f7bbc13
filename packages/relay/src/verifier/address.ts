/**
 * The key a client address is counted under for the verifier's per-address cap. IPv4 addresses count one by one
 * (an IPv4-mapped IPv6 address as its IPv4 address); IPv6 ones per /64, the prefix a single host or home network
 * is given (RFC 4291 §2.5.1: interface identifiers are 64 bits), so one client cannot take a fresh address per
 * connection from its own subnet.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const plain = address.replace(/%.*$/, ''); // zone index (fe80::1%eth0)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(plain)) return plain;
  return `${ipv6Groups(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as lowercase hex without leading zeros (RFC 4291 §2.2). */
function ipv6Groups(address: string): string[] {
  const parts = (s: string) => (s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const [head = '', tail] = address.split('::');
  const h = parts(head);
  const t = tail === undefined ? [] : parts(tail);
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
