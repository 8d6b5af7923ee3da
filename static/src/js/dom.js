// dom.js: DOM built with textContent only (no text from the data ever goes
// through innerHTML), and the pieces the viewer and the embed both show.
import { formatRange, t } from './i18n.js';

// el makes an element with attributes and children (strings become text).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === '') continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// incidentItem is an incident of the list: a button that opens it, or
// plain text when nothing can be opened.
export function incidentItem(lang, f, button, current) {
  const p = f.properties;
  const parts = [el('span', { class: `sw sw-${p.event_type}`, 'aria-hidden': 'true' }),
    el('span', { class: 'where' }, p.location), el('span', { class: 'what' }, p.title),
    el('span', { class: 'when' }, formatRange(lang, p.starts_at, p.ends_at))];
  const attrs = { class: 'item', 'aria-current': current ? 'true' : null };
  return el('li', {}, button ? el('button', { type: 'button', 'data-id': f.id, ...attrs }, parts) : el('div', attrs, parts));
}

// showList replaces the items of list, keeping the keyboard's place: when
// an incident's button had the focus, its new button takes it (the list
// redraws as the map moves or resizes, under a reader who tabs through it).
export function showList(list, items) {
  const id = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  list.replaceChildren(...items);
  if (id) itemOf(list, id)?.focus();
}

// returnTo is where the focus goes back to when a panel closes: el, or,
// when the list redrew meanwhile, the new button of the same incident.
export function returnTo(el, list) {
  if (el?.isConnected) return el;
  return el?.dataset?.id ? itemOf(list, el.dataset.id) : null;
}

const itemOf = (list, id) => [...list.querySelectorAll('button[data-id]')].find((b) => b.dataset.id === id);

// legend is what the map's symbols mean: all of them, or those shown.
export const legend = (lang, shown) => ['Exact', 'Area', 'Cluster', 'Base'].filter((k) => !shown || shown.has(k)).map((k) =>
  el('li', {}, el('span', { class: `lg lg-${k.toLowerCase()}`, 'aria-hidden': 'true' }), t(lang, `legend${k}`)));
