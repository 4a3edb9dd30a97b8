import type { Recommendation, Session, Shelf } from './index.js';

export interface WidgetOptions {
  /** The Shelf and the session every element shows unless given its own. */
  shelf?: Shelf<any>;
  session?: Session<any>;
  /** The element's name. Default "shelf-recommendations". */
  name?: string;
}

/** Registers the custom element (once) and sets the Shelf and session it shows. */
export function defineWidget(options?: WidgetOptions): typeof ShelfRecommendations;

export interface ShelfClickDetail extends Recommendation {
  position: number;
}

/** <shelf-recommendations k per-category exclude-seen in-stock-only related-to
 * track-clicks consent-banner consent-text consent-button>. */
export class ShelfRecommendations extends HTMLElement {
  static observedAttributes: string[];
  shelf: Shelf<any> | null;
  session: Session<any> | null;
  /** One item's markup, instead of the element's <template> child or its default card. */
  render: ((recommendation: Recommendation) => Node | string) | null;
  /** The text for each reason; "{because}" is the session item behind it. */
  labels: Record<string, string>;
  /** What recommend() or related() get, from the attributes. */
  readonly options: { k: number; perCategory?: number; excludeSeen?: boolean; inStockOnly?: boolean };
  refresh(): void;
  reasonText(recommendation: Pick<Recommendation, 'reason' | 'because'>): string;
}

declare global {
  interface HTMLElementEventMap {
    'shelf-click': CustomEvent<ShelfClickDetail>;
    'shelf-render': CustomEvent<Recommendation[]>;
    'shelf-error': CustomEvent<Error>;
  }
}
