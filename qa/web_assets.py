"""The page's CSS and its small scripts (chips open the panel; the panel scrolls within itself, never the page; votes stay marked)."""

CSS = """
#chat .convo {max-height: 62vh; overflow-y: auto; padding: 4px 8px; border: 1px solid var(--border-color-primary);
  border-radius: 8px; background: var(--background-fill-primary)}
#chat .hint {color: var(--body-text-color-subdued); padding: 12px}
.turn .q {margin: 10px 0 4px auto; width: fit-content; max-width: 85%; padding: 6px 10px; border-radius: 10px;
  background: var(--color-accent-soft); white-space: pre-wrap}
.turn .a {padding: 8px 10px; border-radius: 8px; border: 1px solid var(--border-color-primary); margin-bottom: 6px}
.turn .quote {margin: 6px 0; white-space: pre-wrap; line-height: 1.45}
.turn .read-as {color: var(--body-text-color-subdued); font-style: italic; font-size: .9em; margin-bottom: 4px}
.turn .group-title {font-weight: 600; margin-top: 10px; border-bottom: 1px solid var(--border-color-primary)}
.turn .refusal {font-weight: 600}
.turn .closest-title {color: var(--body-text-color-subdued); font-size: .9em; margin-top: 8px}
.turn .quote.closest {color: var(--body-text-color-subdued); font-size: .92em}
.turn .error {color: #b00020}
a.chip {display: inline; font-size: .82em; padding: 1px 7px; border-radius: 10px; text-decoration: none; cursor: pointer;
  background: #fff3b0; border: 1px solid #e0a800; color: #4a3700; white-space: normal}
a.chip.closest {background: #eef2f7; border: 1px dashed #7b8da3; color: #2c3a4b}
button.copy, button.vote {font-size: .8em; padding: 0 6px; border: 1px solid var(--border-color-primary); border-radius: 6px;
  background: var(--background-fill-secondary); cursor: pointer}
button.copy.done::after {content: " ✓"}
.turn .actions {display: flex; flex-wrap: wrap; gap: 8px; align-items: center; font-size: .85em; margin-top: 8px;
  color: var(--body-text-color-subdued)}
.turn .actions input.comment {font-size: .9em; padding: 1px 6px; min-width: 8em; border: 1px solid var(--border-color-primary);
  border-radius: 6px}
#panel-col {position: sticky; top: 8px; align-self: flex-start}
#panel .statement {max-height: calc(100vh - 40px); overflow-y: auto; position: relative; padding-right: 6px}
#viewer .statement {max-height: 70vh; overflow-y: auto; position: relative}
.statement .para {padding: 6px 8px; margin: 4px 0; border-radius: 6px; white-space: pre-wrap}
.statement .para.cited {background: #fff3b0; border-left: 4px solid #e0a800}
.statement .para.closest {background: #eef2f7; border-left: 4px dashed #7b8da3}
.statement .num {color: #888; font-weight: bold; margin-right: 6px}
.statement h3 {margin-bottom: 2px}
.table-wrap {overflow-x: auto}
table.statements td, table.statements th {padding: 4px 6px; vertical-align: top; font-size: .9em}
table.statements tr.warn td:last-child {color: #9a5b00}
ul.report {list-style: none; padding-left: 0}
ul.report li.bad {color: #b00020}
ul.report li.warn {color: #9a5b00}
@media (max-width: 767px) { #panel .statement {max-height: 70vh} #chat .convo {max-height: 55vh} }
"""

CHAT_JS = """
const convo = () => element.querySelector('.convo');
const showLast = () => {
  const c = convo(); if (!c) return;
  const turns = c.querySelectorAll('.turn'); const last = turns[turns.length - 1];
  // the conversation scrolls within itself to the newest turn's question, never the page
  if (last) c.scrollTop += last.getBoundingClientRect().top - c.getBoundingClientRect().top;
};
watch('value', () => setTimeout(showLast, 0));
element.addEventListener('click', async (ev) => {
  const chip = ev.target.closest('a.chip');
  if (chip) {
    ev.preventDefault();
    history.replaceState(null, '', chip.getAttribute('href'));
    window.dispatchEvent(new CustomEvent('qa-open', {detail: {sid: chip.dataset.sid, p: Number(chip.dataset.p),
      kind: chip.dataset.kind, lang: convo().dataset.lang}}));
    return;
  }
  const copy = ev.target.closest('button.copy');
  if (copy) {
    const ref = copy.dataset.ref;
    try { await navigator.clipboard.writeText(ref); } catch (err) {
      const area = document.createElement('textarea'); area.value = ref; document.body.appendChild(area);
      area.select(); document.execCommand('copy'); area.remove();
    }
    copy.classList.add('done');
    return;
  }
  const vote = ev.target.closest('button.vote');
  if (vote) {
    const box = vote.closest('.a');
    const said = await server.record_vote({id: box.dataset.answer, vote: vote.dataset.vote,
                                           comment: box.querySelector('input.comment').value, lang: convo().dataset.lang});
    box.querySelector('.voted').textContent = said;
  }
});
"""

PANEL_JS = """
const scrollInside = () => {
  const box = element.querySelector('.statement'); const hit = element.querySelector('.para.cited, .para.closest');
  if (box && hit) box.scrollTop += hit.getBoundingClientRect().top - box.getBoundingClientRect().top - 24;
};
watch('value', () => setTimeout(scrollInside, 0));
window.addEventListener('qa-open', async (ev) => {
  const d = ev.detail;
  props.value = await server.open_statement(d);
  setTimeout(() => {
    scrollInside();
    // a phone shows the panel below the chat: an explicit click brings it into view
    if (window.innerWidth < 768) element.scrollIntoView({block: 'start'});
  }, 50);
});
"""

# Narrow screens: the title wraps at word boundaries with the language switch below it; Ask and New chat share a line
# under the question box. A chosen Yes/No stays highlighted.
APP_CSS = """
#title h3 {overflow-wrap: normal; word-break: normal; hyphens: manual}
button.vote.chosen {background: var(--color-accent); border-color: var(--color-accent); color: #fff; font-weight: 600}
@media (max-width: 600px) {
  #header {flex-direction: column; gap: 4px}
  #header > * {min-width: 100% !important; width: 100%}
  #title h3 {font-size: 1.05em; margin: 0}
  #ask-row {flex-wrap: wrap}
  #ask-row > :has(#question), #ask-row > #question {flex: 1 1 100% !important; min-width: 100% !important}
  #ask-row > #ask, #ask-row > #clear {flex: 1 1 40% !important; min-width: 0 !important}
}
"""
# Remembers each answer's Yes/No in this page, so a redrawn conversation keeps the highlight.
VOTE_JS = """
const chosenVotes = {};
const markVotes = () => element.querySelectorAll('.a[data-answer]').forEach((box) => {
  const said = chosenVotes[box.dataset.answer];
  box.querySelectorAll('button.vote').forEach((b) => {
    const on = b.dataset.vote === said; b.classList.toggle('chosen', on); b.setAttribute('aria-pressed', on ? 'true' : 'false');
  });
});
watch('value', () => setTimeout(markVotes, 0));
element.addEventListener('click', (ev) => {
  const vote = ev.target.closest('button.vote');
  if (!vote) return;
  chosenVotes[vote.closest('.a').dataset.answer] = vote.dataset.vote;
  markVotes();
});
"""
