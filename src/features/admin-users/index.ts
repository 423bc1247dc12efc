export { users } from './users.entity.js';
export { roles, departments } from './organisation.entity.js';
export { adminUserRoutes } from './users.routes.js';
export { passwordInput, passwordErrors } from './users.password.js';
