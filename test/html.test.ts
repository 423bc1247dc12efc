import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { escapeHtml, optionsHtml } from '../src/shared/html.js';

describe('HTML built outside templates', () => {
  it('escapes exactly as EJS does', () => {
    const text = `<b title="x">Tom & Jerry's</b> 华东 🚀`;
    expect(escapeHtml(text)).toBe(ejs.render('<%= text %>', { text }));
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
