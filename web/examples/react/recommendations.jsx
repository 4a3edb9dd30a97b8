// Shelf in a React storefront: a hook that follows the session (its 'change'
// events) and a component that shows what it recommends. test/bundlers.test.mjs
// builds this with Vite from the packed package and runs it in Chromium.

import { useEffect, useMemo, useState } from 'react';

/** What `session` recommends with `options`, kept current as the session changes. */
export function useRecommendations(session, options) {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const changed = () => setVersion((v) => v + 1);
    session.addEventListener('change', changed);
    return () => session.removeEventListener('change', changed);
  }, [session]);
  const key = JSON.stringify(options);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `options`
  return useMemo(() => session.recommend(options), [session, version, key]);
}

const LABELS = { popular: 'Popular right now', viewed_together: 'Viewed together', viewed_after: 'Viewed next', similar: 'Similar' };

export function Recommendations({ session, k = 8 }) {
  const recommendations = useRecommendations(session, { k, excludeSeen: true });
  return (
    <ol className="recommendations">
      {recommendations.map((r) => (
        <li key={r.id} data-id={r.id}>
          <button type="button" onClick={() => session.track('click', r.id)}>{r.id}</button>{' '}
          <small>{LABELS[r.reason] ?? r.reason}</small>
        </li>
      ))}
    </ol>
  );
}
