import type { Knex } from 'knex';
import { Authenticator } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Actor } from '../authz/actor.js';
import { cachedReference } from '../db/reference-cache.js';
import { loadActor } from './load-actor.js';
import { checkLogin } from './login-check.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
  }
}

/** A passport instance per app, so tests can build several apps against different databases. */
export function createPassport(db: Knex) {
  const passport = new Authenticator();
  passport.use(
    new LocalStrategy({ passReqToCallback: true }, (req, username, password, done) => {
      checkLogin(db, { username, password, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null })
        .then(async (outcome) => {
          if (!outcome.ok) return done(null, false, { message: outcome.reason, ...outcome });
          const actor = await loadActor(db, outcome.userId);
          return done(null, actor ?? false);
        })
        .catch(done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: number, done) => {
    // Every request needs the actor; it is reference data (see reference-cache.ts), so it is read
    // once per few seconds. The object is shared by concurrent requests and must not be changed.
    cachedReference(db, `actor:${id}`, () => loadActor(db, id)).then((actor) => done(null, actor ?? false), done);
  });
  return passport;
}
