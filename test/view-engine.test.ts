import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewEngine } from '../src/shared/view-engine.js';

// The engine declares a template's locals as variables instead of EJS's `with (locals)`; these are
// the things `with` did that a template may rely on.
describe('the view engine', () => {
  let root: string;
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  };
  const render = (file: string, locals: object) =>
    new Promise<string>((resolve, reject) => {
      createViewEngine([root])(path.join(root, file), locals, (err, html) => (err ? reject(err) : resolve(html ?? '')));
    });

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'views-'));
    write('page.ejs', '<h1><%= title %></h1><%- include("partials/row", { cell: 1 }) %><%- include("_note") %>');
    write('_note.ejs', '<p><%= note %> <%= typeof missing %></p>');
    write('partials/row.ejs', '<td><%= cell %>/<%= title %></td>');
    write('shadow.ejs', '<% const label = "mine"; %><%= label %> <%= Math.max(...rows) %>');
    write('odd-keys.ejs', "<%= locals['data-x'] %> <%= locals.class %> <%= typeof class_ %>");
    write('broken.ejs', 'line one\n<%= nothing.here %>\n');
    write('missing-include.ejs', '<%- include("nowhere") %>');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('renders locals escaped, and includes beside the template or under a view root, with and without data of their own', async () => {
    expect(await render('page.ejs', { title: '<Tom & 华东>', note: '🚀' })).toBe(
      '<h1>&lt;Tom &amp; 华东&gt;</h1><td>1/&lt;Tom &amp; 华东&gt;</td><p>🚀 undefined</p>',
    );
  });

  it("lets a template's own declaration shadow a local, and reaches globals that are not locals", async () => {
    expect(await render('shadow.ejs', { label: 'theirs', rows: [1, 3] })).toBe('mine 3');
    // The same template with another set of locals is compiled again, not served the first variant.
    expect(await render('shadow.ejs', { rows: [5] })).toBe('mine 5');
  });

  it('keeps locals whose names cannot be variables reachable through `locals`', async () => {
    expect(await render('odd-keys.ejs', { 'data-x': 'x', class: 'c' })).toBe('x c undefined');
  });

  it("reports a template's error with its file and line, and an include it cannot find", async () => {
    await expect(render('broken.ejs', {})).rejects.toThrow(/broken\.ejs:2/);
    await expect(render('missing-include.ejs', {})).rejects.toThrow(/Could not find the include file "nowhere"/);
  });
});
