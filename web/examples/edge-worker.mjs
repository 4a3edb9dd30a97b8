// An edge Worker (Cloudflare Workers, workerd): recommendations for the shopper's
// session, which travels in a cookie, so the edge keeps no state at all.
//
//   POST /events            body [{ type, item, ts?, weight? }, ...]: tracks them,
//                           answers { tracked, recommendations } and sets the cookie
//   GET  /recommendations   ?k=8&perCategory=2&excludeSeen=1: { recommendations }
//                           (&scorers=covisit,embedding picks the scorers)
//   POST /forget            wipes the session: the cookie is cleared
//   GET  /related           ?item=ID&k=8&perCategory=2: { related }, the items of the
//                           product page of ID, from the model alone: no session,
//                           no cookie read or written, so no consent needed
//
// Consent is the site's: its own cookie `consent=personalization` switches tracking
// on. Without it nothing is tracked and no state cookie is set; the answer is the
// popular items.
//
// The state cookie is sealed with the site's secret (env.STATE_SECRET, and during a
// rotation env.STATE_SECRET_PREVIOUS; stateSealer: AES-GCM through Web Crypto), so
// the shopper's history can be neither read nor forged from it; one that does not
// open (tampered, expired, another site's, too long) is dropped: the session starts
// empty, the cookie is cleared and the answer says why in `x-shelf-state`.
//
// Edge runtimes refuse to compile wasm from bytes: the modules are imported, which
// gives compiled WebAssembly.Modules, and handed to Shelf.load(). The model is
// imported as data (an ArrayBuffer); a big one is better streamed from R2 or KV:
// Shelf.load({ model: (await env.MODELS.get('shop.shelf')).body, ... }) copies
// the body into wasm memory as it arrives (test/workerd/stream-worker.mjs).

import { Shelf, ShelfError, stateSealer } from 'shelf-recs';
import simd from 'shelf-simd.wasm';
import scalar from 'shelf-scalar.wasm';
import model from 'demo.shelf';

const STATE_COOKIE = 'shelf';
const STATE_MAX_AGE = 30 * 60; // a shopping session

// One model per isolate, loaded by the first request and shared by the next ones.
let loading = null;
const shelf = () => (loading ??= Shelf.load({ model, wasm: { simd, scalar } }));

// One sealer per isolate and host (its key is derived once).
const sealers = new Map();
function sealer(env, site) {
  if (!env.STATE_SECRET) throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'the Worker needs a STATE_SECRET (at least 32 characters)');
  if (!sealers.has(site)) {
    sealers.set(site, stateSealer({ secrets: [env.STATE_SECRET, env.STATE_SECRET_PREVIOUS], site, maxAge: STATE_MAX_AGE }));
  }
  return sealers.get(site);
}

export default {
  async fetch(request, env = {}) {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /related') return related(await shelf(), url);
    if (!['POST /events', 'GET /recommendations', 'POST /forget'].includes(route)) {
      return new Response('not found\n', { status: 404 });
    }
    const cookies = parseCookies(request.headers.get('cookie'));
    const seal = await sealer(env, url.host);
    const opened = cookies[STATE_COOKIE] === undefined ? { state: null, problem: null } : await seal.open(cookies[STATE_COOKIE]);
    const session = (await shelf()).session({
      consent: cookies.consent === 'personalization',
      state: opened.state, // one from another model or damaged is ignored: an empty session
    });
    try {
      let body = {};
      if (route === 'POST /events') {
        const events = await readEvents(request);
        if (typeof events === 'string') return Response.json({ error: 'SHELF_E_BAD_EVENT', message: events }, { status: 400 });
        let tracked = 0;
        for (const { type, item, ts, weight } of events) {
          if (session.track(type, item, { ts, weight })) tracked++;
        }
        body = { tracked, recommendations: session.recommend(recommendOptions(url)) };
      } else if (route === 'GET /recommendations') {
        body = { recommendations: session.recommend(recommendOptions(url)) };
      } else {
        session.forget();
        body = { forgotten: true };
      }
      const response = Response.json(body);
      const cookie = await stateCookie(session, cookies, url, seal);
      if (cookie) response.headers.append('set-cookie', cookie);
      if (opened.problem) response.headers.set('x-shelf-state', opened.problem);
      return response;
    } catch (error) {
      if (error instanceof ShelfError) return Response.json({ error: error.code, message: error.message }, { status: 400 });
      throw error;
    } finally {
      session.dispose();
    }
  },
};

// What a POST may hold: at most a session's worth of events (the library keeps the
// newest 64), as a JSON array of { type, item, ts?, weight? } with string types and
// ids and number times. Returns the events, or what is wrong with them.
const MAX_BODY_BYTES = 16 * 1024;
const MAX_EVENTS = 64;
async function readEvents(request) {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return `the body is over ${MAX_BODY_BYTES} bytes`;
  let events;
  try {
    events = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  if (!Array.isArray(events)) return 'expected an array of events';
  if (events.length > MAX_EVENTS) return `more than ${MAX_EVENTS} events`;
  for (const [i, e] of events.entries()) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return `event ${i} is not an object`;
    if (typeof e.type !== 'string') return `event ${i}: "type" must be a string`;
    if (typeof e.item !== 'string' && typeof e.item !== 'number') return `event ${i}: "item" must be an id`;
    if (e.ts !== undefined && typeof e.ts !== 'number') return `event ${i}: "ts" must be a number of seconds`;
    if (e.weight !== undefined && typeof e.weight !== 'number') return `event ${i}: "weight" must be a number`;
  }
  return events.map((e) => ({ ...e, item: String(e.item) }));
}

function related(loaded, url) {
  try {
    return Response.json({ related: loaded.related(url.searchParams.get('item') ?? '', recommendOptions(url)) });
  } catch (error) {
    if (!(error instanceof ShelfError)) throw error;
    const status = error.code === 'SHELF_E_UNKNOWN_ITEM' ? 404 : 400;
    return Response.json({ error: error.code, message: error.message }, { status });
  }
}

function recommendOptions(url) {
  const q = url.searchParams;
  return {
    k: Math.min(Number(q.get('k') ?? 8), 100),
    perCategory: Number(q.get('perCategory') ?? 0),
    excludeSeen: q.get('excludeSeen') === '1',
    scorers: q.get('scorers')?.split(','), // an unknown name is a ShelfError: a 400
  };
}

/** The Set-Cookie value that keeps the session (sealed), clears it, or null to leave it. */
async function stateCookie(session, cookies, url, seal) {
  const secure = url.protocol === 'https:' ? '; Secure' : '';
  const state = session.eventCount > 0 ? await seal.seal(session) : null; // null without consent
  if (state) return `${STATE_COOKIE}=${state}; Path=/; Max-Age=${STATE_MAX_AGE}; HttpOnly; SameSite=Lax${secure}`;
  if (cookies[STATE_COOKIE] !== undefined) return `${STATE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`;
  return null;
}

function parseCookies(header) {
  const cookies = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return cookies;
}
