import { registerEntities } from '../kernel/entity/registry.js';
import { departments, roles, users } from './admin-users/index.js';
import { dictionaries } from './admin-dictionaries/index.js';
import { stages } from './admin-stages/index.js';
import { contacts } from './contacts/index.js';
import { customers } from './customers/index.js';
import { opportunities } from './opportunities/index.js';
import { categories, products } from './products/index.js';
import { quotes } from './quotes/index.js';
import { visits } from './visits/index.js';

// Every entity the kernel knows, by name: references between them resolve here.
registerEntities([customers, contacts, visits, products, categories, users, roles, departments, dictionaries, stages, opportunities, quotes]);
