export { quotes } from './quotes.entity.js';
export { quoteRoutes } from './quotes.routes.js';
