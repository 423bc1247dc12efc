// HTML escaping for the templates (`<%= %>`, see view-engine.ts), and HTML built outside a template
// for the few places where rendering the same markup per row costs more than building it once (the
// board's 40 cards share six stage options).

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const RESERVED = /[&<>"']/;
const EVERY_RESERVED = /[&<>"']/g;

/**
 * A value as HTML text: nothing for null and undefined, HTML's reserved characters as the same
 * entities EJS's own escapeXML writes. Most values on a page (numbers, names, dates) hold none and
 * are returned after one test, where escapeXML ran a replace with a callback on each.
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : String(value);
  return RESERVED.test(text) ? text.replace(EVERY_RESERVED, (c) => ENTITIES[c]) : text;
}

/**
 * `<option>` elements for `choices` with `picked` selected, built once per distinct `picked` and
 * reused: a page of forms offering the same choices renders them in one string copy each.
 */
export function optionsHtml(choices: ReadonlyArray<{ value: string; label: string }>): (picked: string) => string {
  const built = new Map<string, string>();
  return (picked) => {
    let html = built.get(picked);
    if (html === undefined) {
      html = choices
        .map((c) => `<option value="${escapeHtml(c.value)}"${c.value === picked ? ' selected' : ''}>${escapeHtml(c.label)}</option>`)
        .join('');
      built.set(picked, html);
    }
    return html;
  };
}
