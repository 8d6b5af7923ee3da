// state.js: the view as a URL. Every view is a permalink: the query string
// holds the view (bbox), the window (datetime, whole UTC days), the
// filters, the language, the theme and the highlighted incident.
import { dayOf, isoDay } from './i18n.js';

export const filterNames = ['event_type', 'actor', 'country', 'min_fatalities'];
// cql2Names are the CQL2 filter (OGC API Features Part 3): like datetime,
// it applies to every request, the facets' included.
export const cql2Names = ['filter', 'filter-lang', 'filter-crs'];
// passThrough are filters the viewer has no control for but keeps and sends.
const passThrough = ['sub_event_type', 'admin1', 'q', 'as_of', ...cql2Names];

// readURL parses the query string into a state.
export function readURL(search) {
  const q = new URLSearchParams(search);
  const s = { lang: q.get('lang') || '', theme: q.get('theme') || 'auto', highlight: q.get('highlight') || '', filters: {} };
  if (q.get('order')) s.order = q.get('order'); // the list's order (app.js checks it)
  const bbox = (q.get('bbox') || '').split(',').map(Number);
  if (bbox.length === 4 && bbox.every(Number.isFinite)) s.bbox = bbox;
  if (q.has('datetime')) s.window = parseWindow(q.get('datetime'));
  for (const name of [...filterNames, ...passThrough]) {
    if (q.get(name)) s.filters[name] = q.get(name);
  }
  return s;
}

// parseWindow reads an OGC datetime into whole days {d0, d1}; an open side is null.
export function parseWindow(v) {
  const [a, b] = v.includes('/') ? v.split('/') : [v, v];
  const side = (x) => (!x || x === '..' ? null : Number.isFinite(dayOf(x)) ? dayOf(x) : null);
  return { d0: side(a), d1: side(b) };
}

export function datetime(w) {
  return `${isoDay(w.d0)}/${isoDay(w.d1)}`;
}

// themeOf is the theme to draw: auto follows the reader's setting.
export const themeOf = (theme) =>
  theme !== 'auto' ? theme : matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

// filterQuery is the filters as query parameters (for tiles and items).
export function filterQuery(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    if (v !== '' && v != null) q.set(k, v);
  }
  return q;
}

// writeURL replaces the address with the permalink of state s.
export function writeURL(s, bounds) {
  const q = new URLSearchParams();
  q.set('datetime', datetime(s.window));
  if (bounds) q.set('bbox', bounds.map((x) => +x.toFixed(4)).join(','));
  for (const [k, v] of filterQuery(s.filters)) q.set(k, v);
  q.set('lang', s.lang);
  if (s.theme !== 'auto') q.set('theme', s.theme);
  if (s.highlight) q.set('highlight', s.highlight);
  if (s.order) q.set('order', s.order);
  const url = `${location.pathname}?${q.toString().replaceAll('%2F', '/').replaceAll('%2C', ',')}`;
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  return url;
}
