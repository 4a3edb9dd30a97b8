// The one error type of the package. It carries the C library's status name, so a
// caller can branch on `error.code` ("SHELF_E_UNKNOWN_CATEGORY") whatever the layer
// that failed: the C core, or the JS checking an argument before calling into it.

export class ShelfError extends Error {
  /**
   * @param {string} code    a shelf_status name, e.g. "SHELF_E_BAD_STATE"
   * @param {string} message what failed, for people
   * @param {number} [status] the numeric shelf_status, when it came from C
   */
  constructor(code, message, status) {
    super(`${message} (${code})`);
    this.name = 'ShelfError';
    this.code = code;
    this.status = status ?? null;
  }
}

/** A ShelfError for a shelf_status, named and explained by C itself. */
export function statusError({ capi, wasm }, status, what) {
  const code = wasm.string(capi.shelf_status_name(status));
  return new ShelfError(code, `${what}: ${wasm.string(capi.shelf_status_message(status))}`, status);
}
