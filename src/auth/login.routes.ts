import { Router } from 'express';
import type { createPassport } from './passport.js';

type Authenticator = ReturnType<typeof createPassport>;
import { loginController } from './login.controller.js';
import type { LoginLimits } from './login-limits.js';

export function loginRoutes(passport: Authenticator, limits: LoginLimits): Router {
  const router = Router();
  const c = loginController(passport, limits);
  router.get('/login', c.show);
  router.post('/login', c.login);
  router.post('/logout', c.logout);
  return router;
}
