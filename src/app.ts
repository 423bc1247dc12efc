import { randomUUID } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppContext } from './app-context.js';
import { loginRoutes } from './auth/login.routes.js';
import { createLoginLimits } from './auth/login-limits.js';
import { createPassport } from './auth/passport.js';
import { KnexSessionStore } from './db/session-store.js';
import { adminDictionaryRoutes } from './features/admin-dictionaries/index.js';
import { adminUserRoutes } from './features/admin-users/index.js';
import { contractRoutes } from './features/contracts/contracts.routes.js';
import { customerRoutes } from './features/customers/index.js';
import { productRoutes } from './features/products/index.js';
import { quoteRoutes } from './features/quotes/index.js';
import { paymentRoutes } from './features/payments/payments.routes.js';
import { opportunityRoutes } from './features/opportunities/opportunities.routes.js';
import { adminStageRoutes } from './features/admin-stages/index.js';
import { contactRoutes } from './features/contacts/index.js';
import './features/entities.js';
import { visitRoutes } from './features/visits/index.js';
import { followupRoutes } from './features/followups/followups.routes.js';
import { healthRoutes } from './features/health/health.routes.js';
import { myDayRoutes } from './features/my-day/my-day.routes.js';
import { adminSettingsRoutes } from './features/admin-settings/admin-settings.routes.js';
import { profileRoutes } from './features/profile/profile.routes.js';
import { localeMiddleware } from './i18n/locale-middleware.js';
import { localeRoutes } from './i18n/locale.routes.js';
import { fromRoot } from './paths.js';
import { createCsrf } from './shared/csrf.js';
import { errorHandler, notFound } from './shared/error-handler.js';
import { flashMiddleware } from './shared/flash.js';
import { noStore } from './shared/no-store.js';
import { pageLocals } from './shared/page-locals.js';
import { createViewEngine } from './shared/view-engine.js';

export const SESSION_COOKIE = 'crm.sid';

export function createApp(ctx: AppContext): Express {
  const { config, db, logger } = ctx;
  const app = express();
  app.set('trust proxy', config.trustProxy ? 1 : false);
  const viewRoots = [fromRoot('views'), fromRoot('src')];
  app.engine('ejs', createViewEngine(viewRoots));
  app.set('view engine', 'ejs');
  app.set('views', viewRoots);
  // Compiled templates are kept everywhere; `npm run dev` restarts the process when a view changes.
  app.set('view cache', true);
  app.disable('x-powered-by');

  app.use(
    helmet({
      strictTransportSecurity: config.isProduction,
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          // Not forced: an installation without TLS would lose its styles and scripts.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use('/assets/bootstrap', express.static(fromRoot('node_modules/bootstrap/dist'), { maxAge: '7d' }));
  app.use('/public', express.static(fromRoot('public'), { maxAge: '1h' }));
  app.use(noStore);
  app.use(healthRoutes(ctx));

  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      store: new KnexSessionStore(db),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      // In production the cookie is Secure whenever the request came over HTTPS (behind a TLS proxy set
      // TRUST_PROXY=on); a plain-HTTP installation still works instead of failing every login.
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.isProduction ? 'auto' : false, maxAge: 12 * 3600 * 1000 },
    }),
  );
  const passport = createPassport(db);
  app.use(passport.session());
  app.use(localeMiddleware);
  app.use(flashMiddleware);
  const csrf = createCsrf(config);
  app.use(cookieParser());
  app.use(csrf.csrfTokenLocal);
  app.use(pageLocals);
  app.use(csrf.csrfProtection);

  app.use(loginRoutes(passport, createLoginLimits(db, config.databaseUrl)));
  app.use(localeRoutes(ctx));
  app.use(myDayRoutes(ctx));
  app.use(customerRoutes(ctx));
  app.use(contractRoutes(ctx));
  app.use(productRoutes(ctx));
  app.use(quoteRoutes(ctx));
  app.use(paymentRoutes(ctx));
  app.use(opportunityRoutes(ctx));
  app.use(adminStageRoutes(ctx));
  app.use(contactRoutes(ctx));
  app.use(followupRoutes(ctx));
  app.use(visitRoutes(ctx));
  app.use(adminUserRoutes(ctx));
  app.use(adminDictionaryRoutes(ctx));
  app.use(adminSettingsRoutes(ctx));
  app.use(profileRoutes(ctx));

  app.use(notFound);
  app.use(errorHandler(logger, !config.isProduction));
  return app;
}
