// timebar.js: the time slider of the viewer and the embed, two range inputs
// over the data's span (#t-start, #t-end) with the window's label.
import { formatDay, formatRange } from './i18n.js';

const $ = (id) => document.getElementById(id);

// showSpan sets the slider's span and writes its ends.
export function showSpan(lang, span) {
  for (const id of ['t-start', 't-end']) Object.assign($(id), { min: span.d0, max: span.d1 });
  $('span-start').textContent = formatDay(lang, span.d0 * 864e5);
  $('span-end').textContent = formatDay(lang, span.d1 * 864e5);
}

// showWindow moves the handles to the window w and writes it.
export function showWindow(lang, span, w) {
  const s = $('t-start'), e = $('t-end');
  s.value = w.d0;
  e.value = w.d1;
  s.setAttribute('aria-valuetext', formatDay(lang, w.d0 * 864e5));
  e.setAttribute('aria-valuetext', formatDay(lang, w.d1 * 864e5));
  $('window-label').value = formatRange(lang, w.d0 * 864e5, w.d1 * 864e5);
  const total = Math.max(1, span.d1 - span.d0);
  $('range-fill').style.left = `${((w.d0 - span.d0) / total) * 100}%`;
  $('range-fill').style.width = `${((w.d1 - w.d0) / total) * 100}%`;
}

// wireSlider calls change(d0, d1, settle) as the handles move (settle
// false) and when they are let go (true). A handle pushes the other.
export function wireSlider(change) {
  const read = (ev, settle) => {
    let d0 = Number($('t-start').value), d1 = Number($('t-end').value);
    if (d0 > d1) {
      if (ev.target.id === 't-start') d1 = d0;
      else d0 = d1;
    }
    change(d0, d1, settle);
  };
  for (const id of ['t-start', 't-end']) {
    $(id).addEventListener('input', (e) => read(e, false));
    $(id).addEventListener('change', (e) => read(e, true));
  }
}
