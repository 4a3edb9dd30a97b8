// Sealed session state for the edge: a session's saved state, encrypted and
// authenticated with the site's secret through the runtime's Web Crypto (AES-GCM
// with a key derived by HKDF-SHA-256; no cryptography of our own), bound to the
// site and to an expiry. A cookie sealed so can be neither read nor forged by the
// shopper or anyone who sees it; a tampered, truncated, expired, foreign or
// oversized one opens as nothing, with the reason named.
//
//   const sealer = await stateSealer({ secrets: [env.STATE_SECRET, env.STATE_SECRET_PREVIOUS], site: 'shop.example' });
//   const { state, problem } = await sealer.open(cookies.shelf);   // state: bytes or null
//   const session = shelf.session({ consent: true, state });
//   ... Set-Cookie: shelf=${await sealer.seal(session)}
//
// Rotation: the first secret seals; every secret opens, so a new secret goes first
// and the old one stays second until the cookies it sealed have expired.
// In a browser there is no secret a page could keep from itself: there the saved
// state's own checksum (shelf.h) catches damage, and nothing more is claimed.

import { ShelfError } from './error.js';
import { fromBase64Url, toBase64Url } from './base64url.js';

const VERSION = 1;
const HEADER = 1 + 1 + 8 + 12; // version, key id, expiry (u64 seconds, little-endian), IV
const TAG = 16;                // AES-GCM's authentication tag
/** A sealed state is at most this long (a full session is about 1.2 KB sealed):
 * anything longer is refused before any work is done on it. */
export const SEALED_STATE_MAX = 2048;

const encoder = new TextEncoder();

/** The key a secret gives for a site, and a one-byte id that picks it on open. */
async function deriveKey(secret, site) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'sealing needs Web Crypto (crypto.subtle), which this runtime lacks');
  const material = await subtle.importKey('raw', typeof secret === 'string' ? encoder.encode(secret) : secret, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const params = { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('shelf-recs sealed state v1'), info: encoder.encode(site) };
  const key = await subtle.deriveKey(params, material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const id = new Uint8Array(await subtle.deriveBits({ ...params, info: encoder.encode(`key id\0${site}`) }, material, 8))[0];
  return { key, id };
}

/**
 * A sealer for one site. Options:
 *   secrets  [current, ...previous]: strings of at least 32 characters, or bytes of
 *            at least 32 (the first seals, all open; empty entries are skipped)
 *   site     what the state is bound to: a state sealed for another site does not open
 *   maxAge   seconds a sealed state stays valid (default 1800: a shopping session)
 *   now      the clock, in seconds (default Date.now() / 1000)
 */
export async function stateSealer({ secrets, site, maxAge = 1800, now = () => Date.now() / 1000 } = {}) {
  const given = (Array.isArray(secrets) ? secrets : [secrets]).filter((s) => s !== undefined && s !== null && s !== '');
  if (given.length === 0) throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'stateSealer needs secrets: [current, ...previous]');
  for (const secret of given) {
    const length = typeof secret === 'string' ? secret.length : secret?.byteLength;
    if (!(length >= 32)) throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'each secret must be at least 32 characters or bytes');
  }
  if (typeof site !== 'string' || site === '') throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'stateSealer needs the site it seals for');
  if (!(maxAge > 0) || !Number.isFinite(maxAge)) throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'maxAge must be a number of seconds > 0');
  const keys = await Promise.all(given.map((secret) => deriveKey(secret, site)));
  const subtle = globalThis.crypto.subtle;
  const siteBytes = encoder.encode(site);
  const associated = (header) => {
    const data = new Uint8Array(header.length + siteBytes.length);
    data.set(header);
    data.set(siteBytes, header.length);
    return data;
  };

  return {
    /** The session's state sealed, as a cookie-safe string; null without consent. */
    async seal(session) {
      const saved = session.save();
      if (saved === null) return null;
      const header = new Uint8Array(HEADER);
      header[0] = VERSION;
      header[1] = keys[0].id;
      new DataView(header.buffer).setBigUint64(2, BigInt(Math.floor(now() + maxAge)), true);
      globalThis.crypto.getRandomValues(header.subarray(10));
      const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: header.subarray(10), additionalData: associated(header) },
        keys[0].key, fromBase64Url(saved)));
      const out = new Uint8Array(HEADER + sealed.length);
      out.set(header);
      out.set(sealed, HEADER);
      return toBase64Url(out);
    },

    /** { state, problem }: the saved state's bytes to give shelf.session(), or null
     * with why: 'missing', 'oversized', 'malformed', 'unknown version', 'unknown key',
     * 'tampered' (or sealed for another site, or with a retired secret), 'expired'. */
    async open(text) {
      if (text === undefined || text === null || text === '') return { state: null, problem: 'missing' };
      if (typeof text !== 'string' || text.length > Math.ceil((SEALED_STATE_MAX * 4) / 3)) return { state: null, problem: 'oversized' };
      let bytes;
      try {
        bytes = fromBase64Url(text);
      } catch {
        return { state: null, problem: 'malformed' };
      }
      if (bytes.length < HEADER + TAG) return { state: null, problem: 'malformed' };
      if (bytes[0] !== VERSION) return { state: null, problem: 'unknown version' };
      const header = bytes.subarray(0, HEADER);
      const candidates = keys.filter((k) => k.id === bytes[1]);
      if (candidates.length === 0) return { state: null, problem: 'unknown key' };
      for (const { key } of candidates) {
        let state;
        try {
          state = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: header.subarray(10), additionalData: associated(header.slice()) },
            key, bytes.subarray(HEADER)));
        } catch {
          continue;
        }
        // The expiry is authenticated (in the associated data): it can be trusted now.
        const expires = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(2, true));
        if (now() > expires) return { state: null, problem: 'expired' };
        return { state, problem: null };
      }
      return { state: null, problem: 'tampered' };
    },
  };
}
