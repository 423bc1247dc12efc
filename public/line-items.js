// Line-item forms (src/features/line-items/views/_items.ejs), progressive enhancement only:
// picking a product fills its name and list price, and each line's total is previewed. The
// server prices the document again on save and never reads these numbers.
(function () {
  const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;
  const GROUPED = /^\d{1,3}([, ])\d{3}(?:\1\d{3})*(?=\.|$)/;
  // "33.3" → 3330n: hundredths as BigInt, so the preview never shows a float artefact. Read as the
  // server reads it (shared/money.ts): full-width digits, a leading ¥ and "1,200" or "1 200" too.
  function hundredths(text) {
    const typed = String(text || '').normalize('NFKC').trim().replace(/^[¥$€£]\s*/, '');
    const match = DECIMAL.exec(GROUPED.test(typed) ? typed.replace(/[, ]/g, '') : typed);
    if (!match) return null;
    return BigInt(match[1]) * 100n + BigInt((match[2] || '').padEnd(2, '0'));
  }
  function divRound(a, b) {
    const q = a / b;
    return (a % b) * 2n >= b ? q + 1n : q;
  }
  function format(cents) {
    return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
  }
  function lineNet(row) {
    const quantity = hundredths(row.querySelector('[data-line-quantity]').value);
    const price = hundredths(row.querySelector('[data-line-price]').value);
    const discountText = row.querySelector('[data-line-discount]').value.trim();
    const discount = discountText === '' ? 0n : hundredths(discountText);
    if (quantity === null || price === null || discount === null || discount > 10000n) return null;
    return divRound(quantity * price * (10000n - discount), 100n * 10000n);
  }
  function refresh(fieldset) {
    let total = 0n;
    let complete = true;
    for (const row of fieldset.querySelectorAll('[data-line-item]')) {
      const net = lineNet(row);
      const cell = row.querySelector('[data-line-total]');
      cell.textContent = net === null ? '' : format(net);
      if (net !== null) total += net;
      else if (row.querySelector('[data-line-quantity]').value.trim() !== '') complete = false;
    }
    const summary = fieldset.querySelector('[data-line-items-total]');
    if (summary) summary.textContent = complete ? format(total) : '';
  }
  document.addEventListener('change', (event) => {
    const select = event.target;
    if (!select || !select.matches || !select.matches('[data-line-product]')) return;
    const option = select.options[select.selectedIndex];
    const row = select.closest('[data-line-item]');
    if (option && option.value && row) {
      row.querySelector('[data-line-name]').value = option.dataset.name || '';
      row.querySelector('[data-line-price]').value = option.dataset.price || '';
      const quantity = row.querySelector('[data-line-quantity]');
      if (quantity.value.trim() === '') quantity.value = '1';
    }
    const fieldset = select.closest('[data-line-items]');
    if (fieldset) refresh(fieldset);
  });
  document.addEventListener('input', (event) => {
    const fieldset = event.target && event.target.closest ? event.target.closest('[data-line-items]') : null;
    if (fieldset) refresh(fieldset);
  });
  for (const fieldset of document.querySelectorAll('[data-line-items]')) refresh(fieldset);
})();
