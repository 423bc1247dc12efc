import type { Response } from 'express';

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.app.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}

/** Renders a page's view inside views/layout.ejs, with res.locals (t, user, csrf, flash) available to both. */
export async function renderPage(
  res: Response,
  view: string,
  locals: Record<string, unknown> = {},
  status = 200,
): Promise<void> {
  const merged = { ...res.locals, ...locals };
  const body = await renderView(res, view, merged);
  const html = await renderView(res, 'layout', { ...merged, body });
  res.status(status).type('html').send(html);
}
