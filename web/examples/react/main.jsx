import { createRoot } from 'react-dom/client';
import { Shelf } from 'shelf-recs';

import { Recommendations } from './recommendations.jsx';

const shelf = await Shelf.load({ model: '/models/demo.shelf' });
const session = shelf.session({ consent: true });
createRoot(document.getElementById('root')).render(<Recommendations session={session} k={6} />);
