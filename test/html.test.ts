import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { optionsHtml } from '../src/shared/html.js';

describe('HTML built outside templates', () => {
  it('escapes labels exactly as a template does', () => {
    const label = `<b title="x">Tom & Jerry's</b> 华东 🚀`;
    expect(optionsHtml([{ value: '1', label }])('1')).toBe(`<option value="1" selected>${ejs.render('<%= label %>', { label })}</option>`);
  });

  it('builds options with the picked one selected, labels escaped', () => {
    const options = optionsHtml([
      { value: '1', label: 'Proposal <50%>' },
      { value: '2', label: '谈判 & "close"' },
    ]);
    expect(options('2')).toBe('<option value="1">Proposal &lt;50%&gt;</option><option value="2" selected>谈判 &amp; &#34;close&#34;</option>');
    expect(options('9')).not.toContain('selected');
    expect(options('2')).toBe(options('2'));
  });
});
