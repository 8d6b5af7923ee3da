// describe.js keeps the map's accessible description: the visually hidden
// paragraph #map-description, which the map's region names in
// aria-describedby. The server writes it from the data (package story) for
// the first view; describe asks /map.txt, the text twin of /map.png, for
// the description of the view and window shown now. The pages call it from
// their list update, which is already debounced: a request at most per
// settled view, the last one winning.
import { datetime, filterQuery } from './state.js';

let abort = null, asked = '';

const clamp = (v, lo, hi) => Math.round(Math.max(lo, Math.min(hi, v)));

// describe updates the description for view (core.js MapView) and resolves
// with the caption of the view ("Incidents in Moura, 27-31 March 2022"), or
// null when nothing changed or the answer failed. when is the datetime to
// describe ("" for all dates), the view's window when left out.
export async function describe(view, when = datetime(view.state.window)) {
  const out = document.getElementById('map-description');
  if (!out || !view.map) return null;
  const s = view.state, q = filterQuery(s.filters), box = view.map.getContainer();
  q.set('bbox', view.bounds().map((x) => x.toFixed(4)).join(','));
  if (when) q.set('datetime', when);
  q.set('lang', s.lang);
  q.set('width', clamp(box.clientWidth, 200, 2000));
  q.set('height', clamp(box.clientHeight, 150, 2000));
  const url = `/map.txt?${q}`;
  if (url === asked) return null;
  abort?.abort();
  const mine = (abort = new AbortController());
  try {
    const res = await fetch(url, { signal: mine.signal });
    if (!res.ok) return null;
    // The headline (title, then caption), a blank line, the description.
    const [head, ...rest] = (await res.text()).split('\n\n');
    out.textContent = rest.join('\n\n').trim();
    asked = url;
    return head.trim().split('\n').pop();
  } catch {
    return null;
  }
}
