// describe.js keeps the map's accessible description: the visually hidden
// paragraph #map-description, which the map's region names in
// aria-describedby. The viewer's server writes it for the first view (the
// embed's page carries its words as the still image's alt); describe asks
// /map.txt, the text twin of /map.png, for the description of the view and
// window shown now. The pages call it from their list update, which is
// already debounced: a request at most per settled view, the last one
// winning.
import { datetime, filterQuery } from './state.js';

let abort, asked;

const fit = (v, lo) => Math.round(Math.max(lo, Math.min(2000, v)));

// describe updates the description for view (core.js MapView) and resolves
// with the caption of the view ("Incidents in Moura, 27-31 March 2022"), or
// null when nothing changed or the answer failed. when is the datetime to
// describe ("" for all dates), the view's window when left out.
export async function describe(view, when = datetime(view.state.window)) {
  const map = view.map;
  if (!map) return null;
  const q = filterQuery(view.state.filters), box = map.getContainer();
  q.set('bbox', view.bounds().map((x) => x.toFixed(4)));
  if (when) q.set('datetime', when);
  q.set('lang', view.state.lang);
  q.set('width', fit(box.clientWidth, 200));
  q.set('height', fit(box.clientHeight, 150));
  return describeQuery(q);
}

// describeQuery is describe for a query of /map.png's parameters (the
// still map's, before the map has loaded).
export async function describeQuery(q) {
  const out = document.getElementById('map-description');
  if (!out) return null;
  const url = `/map.txt?${q}`;
  if (url === asked) return null;
  abort?.abort();
  abort = new AbortController();
  try {
    const res = await fetch(url, { signal: abort.signal });
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
