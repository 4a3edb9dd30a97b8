// <shelf-recommendations>: a framework-free custom element that shows a session's
// recommendations (or a product's related items) and keeps them current. It knows
// nothing a page could not do with the API; it only saves each shop writing it.
//
//   import { defineWidget } from 'shelf-recs/widget';
//   defineWidget({ shelf, session });      // registers <shelf-recommendations>
//
//   <shelf-recommendations k="8" per-category="2" exclude-seen track-clicks consent-banner>
//     <template>                            <!-- optional: the markup of one item -->
//       <a data-href="/p/{id}"><b data-field="id"></b> <small data-field="reason"></small></a>
//     </template>
//   </shelf-recommendations>
//
// Attributes: k (default 8), per-category, exclude-seen, in-stock-only, related-to
// (an item id: its related items instead, with no session at all), track-clicks (a
// click is tracked as 'click' in the session), consent-banner (without consent, a
// banner with a button that grants it). Properties: shelf, session (else those given
// to defineWidget), render(recommendation) => Node | string (instead of a template),
// labels ({ reason: text }). Events: 'shelf-click' (detail: the recommendation and
// its position) when an item is clicked, 'shelf-render' (detail: the recommendations)
// after each redraw, 'shelf-error' (detail: the error) when recommend() fails.
// It redraws when the session changes (its 'change' event) and when an attribute does.

const DEFAULT_LABELS = {
  popular: 'Popular right now',
  viewed_together: 'Viewed together with {because}',
  viewed_after: 'Often viewed next after {because}',
  similar: 'Similar to {because}',
  seen_before: 'You looked at this',
  in_cart: 'In your cart',
};

const defaults = { shelf: null, session: null };

/** Registers the element (once) under `name`, with the Shelf and the session it
 * shows unless an element is given its own. Returns the element class. */
export function defineWidget({ shelf, session, name = 'shelf-recommendations' } = {}) {
  if (shelf !== undefined) defaults.shelf = shelf;
  if (session !== undefined) defaults.session = session;
  const existing = customElements.get(name);
  if (existing) {
    for (const element of document.querySelectorAll(name)) element.refresh?.();
    return existing;
  }
  customElements.define(name, class extends ShelfRecommendations {});
  return customElements.get(name);
}

// Imported on a server (server-side rendering), there is no HTMLElement: the class
// then exists, unusable, rather than failing the import.
const Element = globalThis.HTMLElement ?? class {};

export class ShelfRecommendations extends Element {
  static observedAttributes = ['k', 'per-category', 'exclude-seen', 'in-stock-only', 'related-to', 'consent-banner'];

  #shelf = null;
  #session = null;
  #listening = null; // the session whose 'change' events redraw this element
  #template = null;
  #recommendations = []; // as drawn, for the clicks
  #onChange = () => this.refresh();
  render = null;
  labels = DEFAULT_LABELS;

  get shelf() { return this.#shelf ?? defaults.shelf; }
  set shelf(value) { this.#shelf = value; this.refresh(); }
  get session() { return this.#session ?? defaults.session; }
  set session(value) { this.#session = value; this.refresh(); }

  connectedCallback() {
    this.addEventListener('click', this.#onClick);
    this.refresh();
  }

  disconnectedCallback() {
    this.removeEventListener('click', this.#onClick);
    this.#listen(null);
  }

  attributeChangedCallback() {
    if (this.isConnected) this.refresh();
  }

  /** The options recommend() or related() get, from the attributes. */
  get options() {
    const options = { k: Number(this.getAttribute('k') ?? 8) };
    if (this.hasAttribute('per-category')) options.perCategory = Number(this.getAttribute('per-category'));
    if (this.hasAttribute('exclude-seen')) options.excludeSeen = true;
    if (this.hasAttribute('in-stock-only')) options.inStockOnly = true;
    return options;
  }

  /** Redraws now: the recommendations as they are. */
  refresh() {
    if (!this.isConnected) return;
    // A <template> child is the markup of one item, kept out of the drawing. (Found
    // here: an upgrade calls attributeChangedCallback before connectedCallback.)
    this.#template ??= this.querySelector(':scope > template');
    const { shelf, session } = this;
    const relatedTo = this.getAttribute('related-to');
    this.#listen(relatedTo ? null : session);
    if (!shelf || (!relatedTo && !session)) return;
    let recommendations;
    try {
      recommendations = relatedTo ? shelf.related(relatedTo, this.options) : session.recommend(this.options);
    } catch (error) {
      this.dispatchEvent(new CustomEvent('shelf-error', { detail: error, bubbles: true }));
      return;
    }
    this.#recommendations = recommendations;
    const parts = [];
    if (!relatedTo && this.hasAttribute('consent-banner') && !session.consent) parts.push(this.#banner());
    const list = document.createElement('ol');
    list.className = 'shelf-list';
    recommendations.forEach((recommendation, position) => {
      const item = document.createElement('li');
      item.className = 'shelf-item';
      item.dataset.id = recommendation.id;
      item.dataset.position = String(position);
      item.append(this.#itemContent(recommendation));
      list.append(item);
    });
    parts.push(list);
    for (const child of [...this.children]) if (child !== this.#template) child.remove();
    this.append(...parts);
    this.dispatchEvent(new CustomEvent('shelf-render', { detail: recommendations, bubbles: true }));
  }

  /** The text of a reason, from `labels`: {because} is the session item behind it. */
  reasonText({ reason, because }) {
    return (this.labels[reason] ?? reason).replace('{because}', because ?? '');
  }

  #itemContent(recommendation) {
    if (this.render) {
      const made = this.render(recommendation);
      return typeof made === 'string' ? document.createTextNode(made) : made;
    }
    if (this.#template) {
      const content = this.#template.content.cloneNode(true);
      const values = { ...recommendation, reason: this.reasonText(recommendation), category: recommendation.category ?? '' };
      for (const field of content.querySelectorAll('[data-field]')) field.textContent = String(values[field.dataset.field] ?? '');
      for (const link of content.querySelectorAll('[data-href]')) {
        link.setAttribute('href', link.dataset.href.replaceAll('{id}', encodeURIComponent(recommendation.id)));
      }
      return content;
    }
    const card = document.createElement('button');
    card.type = 'button';
    card.className = 'shelf-card';
    const id = document.createElement('strong');
    id.textContent = recommendation.id;
    const reason = document.createElement('small');
    reason.className = `shelf-reason ${recommendation.reason}`;
    reason.textContent = this.reasonText(recommendation);
    card.append(id, ' ', reason);
    return card;
  }

  #banner() {
    const banner = document.createElement('div');
    banner.className = 'shelf-consent';
    const text = document.createElement('p');
    text.textContent = this.getAttribute('consent-text') ??
      'Suggestions from what you look at, computed on your device: nothing is sent anywhere.';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'shelf-allow';
    button.textContent = this.getAttribute('consent-button') ?? 'Personalize on this device';
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      this.session.setConsent(true); // its 'change' event redraws
    });
    banner.append(text, button);
    return banner;
  }

  #onClick = (event) => {
    const item = event.target.closest?.('.shelf-item');
    if (!item || !this.contains(item)) return;
    const position = Number(item.dataset.position);
    const recommendation = this.#recommendations[position];
    if (!recommendation) return;
    const proceed = this.dispatchEvent(new CustomEvent('shelf-click', {
      detail: { ...recommendation, position }, bubbles: true, cancelable: true,
    }));
    if (proceed && this.hasAttribute('track-clicks') && this.session?.consent) this.session.track('click', recommendation.id);
  };

  #listen(session) {
    if (this.#listening === session) return;
    this.#listening?.removeEventListener('change', this.#onChange);
    this.#listening = session;
    session?.addEventListener('change', this.#onChange);
  }
}
