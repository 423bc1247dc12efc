import ejs from 'ejs';

// HTML built outside a template, for the few places where rendering the same markup per row costs
// more than building it once (the board's 40 cards share six stage options). Escaped with EJS's own
// function, as `<%= %>` would.
const escape = (text: string): string => ejs.escapeXML(text);

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
        .map((c) => `<option value="${escape(c.value)}"${c.value === picked ? ' selected' : ''}>${escape(c.label)}</option>`)
        .join('');
      built.set(picked, html);
    }
    return html;
  };
}
