/**
 * Kuma's KDS name hashing (pkg/kds/hash/hash.go): a synced copy is named
 * `<display name shortened to 236>-<16 safe chars of fnv64a(mesh‖name‖extra)>`,
 * so copies from different zones and meshes never collide and never pass
 * 253 characters (Kuma #10212, #9343).
 */

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
// k8s rand.SafeEncodeString alphabet: no vowels, no confusable characters.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
export const MAX_NAME = 253;
const HASH_PART = 17; // "-" + 16 chars

function fnv64a(s: string): bigint {
  let h = FNV64_OFFSET;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h;
}

function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE[s.charCodeAt(i) % SAFE.length];
  return out;
}

export function hashedName(mesh: string, name: string, ...extra: string[]): string {
  const hex = fnv64a(mesh + name + extra.join('')).toString(16).padStart(16, '0');
  return `${name.slice(0, MAX_NAME - HASH_PART)}-${safeEncode(hex)}`;
}
