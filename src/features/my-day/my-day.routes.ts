import { Router } from 'express';
import type { AppContext } from '../../app-context.js';
import { actorOf, requireLogin } from '../../authz/guards.js';
import { renderPage } from '../../shared/render.js';
import { MY_DAY_COUNT_CAP } from './my-day.repository.js';
import { canSeeTeam, myDayService, RECEIVABLES_DAYS_AHEAD, type MyDayView } from './my-day.service.js';

// `/`: what the logged-in user should do today. Managers switch between their own day and their
// team's with ?view=team (plain links, no JavaScript).
export function myDayRoutes({ db }: AppContext): Router {
  const router = Router();
  const service = myDayService(db);
  router.get('/', requireLogin, async (req, res) => {
    const actor = actorOf(req);
    const view: MyDayView = req.query.view === 'team' && canSeeTeam(actor) ? 'team' : 'mine';
    const day = await service.load(actor, view, req.locale);
    await renderPage(res, 'features/my-day/views/index', {
      title: req.t('myday.title'),
      day,
      view,
      canSeeTeam: canSeeTeam(actor),
      cap: MY_DAY_COUNT_CAP,
      receivablesDays: RECEIVABLES_DAYS_AHEAD,
    });
  });
  return router;
}
