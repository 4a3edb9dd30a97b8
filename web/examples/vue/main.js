import { createApp, h } from 'vue';
import { Shelf } from 'shelf-recs';

import { Recommendations } from './recommendations.js';

const shelf = await Shelf.load({ model: '/models/demo.shelf' });
const session = shelf.session({ consent: true });
createApp({ render: () => h(Recommendations, { session, k: 6 }) }).mount('#root');
