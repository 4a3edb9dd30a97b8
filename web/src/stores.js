// Where a session keeps its state between page loads. A store is any object with
//   get(key) -> string | null      set(key, value)      remove(key)
// each returning its result directly or as a Promise. The state itself is a short
// cookie-safe string (see Session.save()), so any key-value place will do.
//
// At the edge there is no store: the state travels in a cookie or a header, with
// session.save() and shelf.session({ state }).

/** The page's localStorage (or any Storage, e.g. sessionStorage). Synchronous. */
export function localStorageStore(storage = globalThis.localStorage) {
  if (!storage) throw new TypeError('localStorage is not available here');
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    remove: (key) => storage.removeItem(key),
  };
}

/** IndexedDB: available in Web Workers too, where localStorage is not. */
export function indexedDBStore({ database = 'shelf', objectStore = 'sessions' } = {}) {
  if (typeof indexedDB === 'undefined') throw new TypeError('IndexedDB is not available here');
  let opening = null;
  const open = () =>
    (opening ??= request(
      Object.assign(indexedDB.open(database, 1), {
        onupgradeneeded: (event) => event.target.result.createObjectStore(objectStore),
      }),
    ));
  const run = async (mode, action) => {
    const db = await open();
    const transaction = db.transaction(objectStore, mode);
    const result = await request(action(transaction.objectStore(objectStore)));
    if (mode === 'readwrite') await done(transaction);
    return result;
  };
  return {
    get: async (key) => (await run('readonly', (s) => s.get(key))) ?? null,
    set: (key, value) => run('readwrite', (s) => s.put(value, key)),
    remove: (key) => run('readwrite', (s) => s.delete(key)),
  };
}

/** A Map in memory: for tests, and for runtimes with nothing else. */
export function memoryStore(map = new Map()) {
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  };
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}
