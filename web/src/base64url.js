// Saved states as text: base64url (RFC 4648, section 5) without padding, which a
// cookie, a header or a URL carries as it is.

import { ShelfError } from './error.js';

export function toBase64Url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes from base64url text; ShelfError SHELF_E_BAD_STATE for anything else. */
export function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new ShelfError('SHELF_E_BAD_STATE', 'the state is not a string from save()');
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
