// Products and their categories. Others read products through here: quotes' and contracts' line
// items offer and price them (products.offered.ts).
export { products } from './products.entity.js';
export { categories } from './categories.entity.js';
export { productRoutes } from './products.routes.js';
export { pickerProducts, productsByIds, type PickerProduct } from './products.offered.js';
