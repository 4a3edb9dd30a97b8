// Shelf in a Vue storefront: a composable that follows the session (its 'change'
// events) and a component that shows what it recommends (a render function, so no
// template compiler is needed). test/bundlers.test.mjs builds this with Vite from
// the packed package and runs it in Chromium.

import { computed, defineComponent, h, onBeforeUnmount, ref } from 'vue';

/** What `session` recommends with `options`, kept current as the session changes. */
export function useRecommendations(session, options) {
  const version = ref(0);
  const changed = () => version.value++;
  session.addEventListener('change', changed);
  onBeforeUnmount(() => session.removeEventListener('change', changed));
  return computed(() => {
    void version.value; // recomputed on every change
    return session.recommend(options);
  });
}

const LABELS = { popular: 'Popular right now', viewed_together: 'Viewed together', viewed_after: 'Viewed next', similar: 'Similar' };

export const Recommendations = defineComponent({
  props: { session: { type: Object, required: true }, k: { type: Number, default: 8 } },
  setup(props) {
    const recommendations = useRecommendations(props.session, { k: props.k, excludeSeen: true });
    return () => h('ol', { class: 'recommendations' }, recommendations.value.map((r) =>
      h('li', { key: r.id, 'data-id': r.id }, [
        h('button', { type: 'button', onClick: () => props.session.track('click', r.id) }, r.id), ' ',
        h('small', LABELS[r.reason] ?? r.reason),
      ])));
  },
});
