// The pipeline board's drag and drop (progressive enhancement: each card's own form works without
// this file). Dropping a card on another column sets the card form's stage select to that column's
// stage and submits the form, so the server's stage rules decide exactly as for a click.
(() => {
  const board = document.querySelector('.pipeline-board');
  if (!board) return;
  let dragged = null;

  board.addEventListener('dragstart', (event) => {
    const card = event.target instanceof window.Element ? event.target.closest('.pipeline-card') : null;
    if (!card) return;
    dragged = card;
    card.classList.add('is-dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', card.dataset.opportunityId || '');
  });

  board.addEventListener('dragend', () => {
    if (dragged) dragged.classList.remove('is-dragging');
    dragged = null;
    for (const column of board.querySelectorAll('.pipeline-column.is-drop-target')) column.classList.remove('is-drop-target');
  });

  const columnOf = (event) => (event.target instanceof window.Element ? event.target.closest('.pipeline-column') : null);

  board.addEventListener('dragover', (event) => {
    const column = columnOf(event);
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    column.classList.add('is-drop-target');
  });

  board.addEventListener('dragleave', (event) => {
    const column = columnOf(event);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove('is-drop-target');
  });

  board.addEventListener('drop', (event) => {
    const column = columnOf(event);
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove('is-drop-target');
    const form = dragged.querySelector('form.pipeline-move');
    const select = form && form.querySelector('select[name="stage_id"]');
    const stageId = column.dataset.stageId;
    if (!form || !select || !stageId || select.value === stageId) return;
    select.value = stageId;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });
})();
