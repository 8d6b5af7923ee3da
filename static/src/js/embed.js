// embed.js: the map for articles (/embed). The page is the server's still
// map (/map.png of the same view, its description as alt) with a caption
// generated from the view, the window and the filters, a credit line
// naming the publishers of the sources shown, a legend and the list of the
// incidents (collapsed). It posts its height to the page that frames it
// ({type: "incidentmap:height", height}; /embed.js on the host sets the
// iframe's height). The interactive map (MapLibre, core.js) replaces the
// still map in place only when the reader asks for it ("Explore the map",
// or a click on the image), or, with interactive=1, once the frame is
// visible; with interactive=0 it never loads. The list, the accessible
// twin of the map, comes from the items API with or without the map.
import { el, incidentItem, legend, returnTo, showList } from './dom.js';
import { addWords, countryName, dayOf, eventName, formatDay, isoDay, t, translate } from './i18n.js';
import { follow } from './live.js';
import { datetime, filterQuery, readURL, themeOf } from './state.js';

addWords({
  en: {
    or: ' or ',
    noteType: (v) => `type: ${v}`, noteCountry: (v) => `country: ${v}`, noteRegion: (v) => `region: ${v}`,
    noteActor: (v) => `actor: ${v}`, noteDeaths: (n) => `at least ${n.toLocaleString('en')} death${n > 1 ? 's' : ''}`,
    noteMatching: (q) => `matching “${q}”`, noteFilter: (f) => `filter: ${f}`, noteAsOf: (d) => `data as of ${d}`, sourcesLine: (l) => `Sources: ${l}`,
    more: (n) => ` and ${n} more`, noSources: 'Sources: no incident shown',
    mapCredit: 'Map: incidentmap · Basemap: Natural Earth', fullMap: 'Full map', newTab: '(opens in a new tab)',
    explore: 'Explore the map', mapLoading: 'Loading the map…',
  },
  fr: {
    or: ' ou ',
    noteType: (v) => `type : ${v}`, noteCountry: (v) => `pays : ${v}`, noteRegion: (v) => `région : ${v}`,
    noteActor: (v) => `acteur : ${v}`,
    noteDeaths: (n) => `au moins ${n.toLocaleString('fr')} mort${n > 1 ? 's' : ''}`,
    noteMatching: (q) => `contenant « ${q} »`, noteFilter: (f) => `filtre : ${f}`, noteAsOf: (d) => `données au ${d}`,
    sourcesLine: (l) => `Sources : ${l}`, more: (n) => ` et ${n} autre${n > 1 ? 's' : ''}`,
    noSources: 'Sources : aucun incident affiché', mapCredit: 'Carte : incidentmap · Fond : Natural Earth',
    fullMap: 'Carte complète', newTab: '(nouvel onglet)', explore: 'Explorer la carte',
    mapLoading: 'Chargement de la carte…',
  },
});

const $ = (id) => document.getElementById(id);
const LIST_LIMIT = 100, SOURCES_FROM = 500, PUBLISHERS_SHOWN = 6;
const BY_SIGNIFICANCE = '-fatalities_best,-starts_at'; // the list's order, as the viewer's default
const query = new URLSearchParams(location.search);
const state = readURL(location.search);
state.lang = document.documentElement.lang; // the server's pick: lang, else the browser's
const interactive = query.get('interactive') !== '0';
// load is when the map loads (the server's pick from interactive): on the
// reader's request ("click"), once the frame is visible ("visible") or
// never (a still map).
const load = $('mapbox').dataset.load;
const title = (query.get('title') || '').trim();
// The ends of the window the URL leaves open: the caption says "since"
// and "until" until the reader moves the slider.
const open = { d0: state.window?.d0 == null, d1: state.window?.d1 == null, kept: true };
const debug = { tileRequests: 0, listRequests: 0, errors: [] };
const listDone = [];
let core, view, timebar; // core.js (MapLibre) and its map once loaded, and timebar.js with slider=1
let listed = []; // the incidents of the last list

// getJSON reads JSON from our API (core.js has its own, with the map).
async function getJSON(url, opts) {
  const res = await fetch(url, { ...opts, headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

// ---- caption and credit -----------------------------------------------

// caption is what the map shows, from its data: the server's for the first
// view, then /map.txt's (describe.js) for the view and window shown.
let caption = (title ? $('detail') : $('headline')).textContent.trim();

// windowQuery is the window as datetime: the URL's open ends stay open
// until the reader moves the slider ("" when both are).
function windowQuery() {
  const w = state.window;
  if (!open.kept) return datetime(w);
  if (open.d0 && open.d1) return '';
  return `${open.d0 ? '..' : isoDay(w.d0)}/${open.d1 ? '..' : isoDay(w.d1)}`;
}

// describeView asks /map.txt for the caption and description of what is
// shown: the map's view once it has loaded, else the still map's own query.
async function describeView() {
  const { describe, describeQuery } = await import('./describe.js');
  if (view?.map) return describe(view, windowQuery());
  const still = $('still');
  if (!still) return null;
  const words = await describeQuery(new URL(still.currentSrc || still.src, location.href).searchParams);
  if (words) still.alt = $('map-description').textContent || still.alt; // the description of this window
  return words;
}

// filterNote names the filters the caption does not say.
function filterNote() {
  const lang = state.lang, f = state.filters;
  const list = (v, name = (x) => x) => v.split(',').map((x) => x.trim()).filter(Boolean).map(name).join(t(lang, 'or'));
  const types = (f.event_type || '').split(',').filter(Boolean);
  return [
    types.length > 1 && list(f.event_type, (x) => eventName(lang, x)),
    f.sub_event_type && t(lang, 'noteType', list(f.sub_event_type, (x) => x.replaceAll('_', ' '))),
    f.country && t(lang, 'noteCountry', list(f.country, (c) => countryName(lang, c.toUpperCase()))),
    f.admin1 && t(lang, 'noteRegion', list(f.admin1)),
    f.actor && t(lang, 'noteActor', list(f.actor)),
    Number(f.min_fatalities) > 0 && t(lang, 'noteDeaths', Number(f.min_fatalities)),
    f.q && t(lang, 'noteMatching', f.q.trim()),
    f.filter && (f['filter-lang'] || 'cql2-text') === 'cql2-text' && t(lang, 'noteFilter', f.filter.trim()),
    f.as_of && t(lang, 'noteAsOf', formatDay(lang, f.as_of)),
  ].filter(Boolean).join(' · ');
}

// showCaption writes what the map shows: "Incidents in Moura, 27-31 March
// 2022", under the title when there is one.
function showCaption() {
  const detail = [title && caption, filterNote()].filter(Boolean).join(' · ');
  $('headline').textContent = document.title = title || caption;
  $('detail').textContent = detail;
  $('detail').hidden = !detail;
}

// showSources names the publishers of the incidents shown, those cited by
// the most incidents first.
function showSources(features) {
  const n = new Map();
  for (const f of features) {
    for (const s of f.properties.sources || []) {
      const name = (s.publisher || '').trim();
      if (!name) continue;
      const c = n.get(name) || { ids: new Set(), cites: 0 };
      c.ids.add(f.id);
      c.cites++;
      n.set(name, c);
    }
  }
  const names = [...n.keys()].sort((a, b) => n.get(b).ids.size - n.get(a).ids.size || n.get(b).cites - n.get(a).cites || (a < b ? -1 : 1));
  const more = names.length - PUBLISHERS_SHOWN;
  $('sources').textContent = names.length
    ? t(state.lang, 'sourcesLine', names.slice(0, PUBLISHERS_SHOWN).join(', ') + (more > 0 ? t(state.lang, 'more', more) : ''))
    : t(state.lang, 'noSources');
}

// showLegend explains the symbols on the map, and only those (the still
// map draws its own legend).
function showLegend(features) {
  if (!view?.map) return;
  const shown = new Set(features.map((f) => (f.properties.geo_precision === 'exact' ? 'Exact' : 'Area')));
  if (view.map.getLayer('clusters') && view.map.queryRenderedFeatures({ layers: ['clusters'] }).length) shown.add('Cluster');
  const [w, s, e, n] = view.bounds();
  for (const p of view.places.values()) {
    const [x, y] = p.coordinates;
    if (core.holderAt(p.control, state.window.d1) && x >= w && x <= e && y >= s && y <= n) shown.add('Base');
  }
  $('legend').replaceChildren(...legend(state.lang, shown));
}

// ---- the list: the accessible twin of the map ----------------------------

let listTimer, listAbort;

function scheduleList() {
  clearTimeout(listTimer);
  listTimer = setTimeout(updateList, 200);
}

// listURL asks for the incidents in view: the map's, else the still
// map's (the URL's bbox), in the window and matching the filters.
function listURL() {
  if (view?.map) return view.itemsURL(SOURCES_FROM, true, BY_SIGNIFICANCE);
  const q = filterQuery(state.filters), w = state.window;
  if (state.bbox) q.set('bbox', state.bbox.join(','));
  if (w?.d0 != null && w?.d1 != null) q.set('datetime', datetime(w));
  else if (query.get('datetime')) q.set('datetime', query.get('datetime'));
  q.set('limit', SOURCES_FROM);
  q.set('sortby', BY_SIGNIFICANCE);
  return `/collections/incidents/items?${q}`;
}

async function updateList() {
  listAbort?.abort();
  const abort = (listAbort = new AbortController());
  debug.listRequests++;
  try {
    const fc = await getJSON(listURL(), { signal: abort.signal });
    if (abort.signal.aborted) return;
    const lang = state.lang, shown = fc.features.slice(0, LIST_LIMIT), total = fc.numberMatched ?? shown.length;
    $('list-count').textContent = `(${total})`;
    $('list-status').textContent = shown.length ? t(lang, 'listCount', shown.length, total) : t(lang, 'listEmpty');
    showList($('incident-list'), shown.map((f) => incidentItem(lang, f, interactive, f.id === state.highlight)));
    showSources(fc.features);
    caption = (await describeView()) || caption;
    showCaption();
    view?.prioritize(shown.map((f) => f.properties.location));
    showLegend((listed = fc.features));
  } catch (err) {
    if (abort.signal.aborted) return;
    $('list-status').textContent = t(state.lang, 'listError');
    debug.errors.push(String(err));
  }
  while (listDone.length) listDone.shift()();
}

// ---- time ---------------------------------------------------------------

let span; // the data's days {d0, d1}: the slider's ends (slider=1)

// startSlider reads the span of the data, closes the window's open ends on
// it and wires the slider. Before the map loads (or with interactive=0,
// which never loads it) the slider moves the list and the still map.
async function startSlider() {
  const [collection, bar] = await Promise.all([getJSON('/collections/incidents'), import('./timebar.js')]);
  const today = Math.floor(Date.now() / 864e5), w = state.window || {};
  const [[first, last]] = collection.extent?.temporal?.interval || [[null, null]];
  span = { d0: first ? dayOf(first) : today - 365, d1: last ? dayOf(last) : today };
  span = { d0: Math.min(span.d0, w.d0 ?? span.d0), d1: Math.max(span.d1, w.d1 ?? span.d1) };
  state.window = { d0: w.d0 ?? span.d0, d1: w.d1 ?? span.d1 };
  timebar = bar;
  timebar.showSpan(state.lang, span);
  timebar.showWindow(state.lang, span, state.window);
  timebar.wireSlider(setWindow);
}

function setWindow(d0, d1, settle) {
  d0 = Math.max(span.d0, Math.min(span.d1, d0));
  d1 = Math.max(d0, Math.min(span.d1, d1));
  state.window = { d0, d1 };
  open.kept = false;
  timebar.showWindow(state.lang, span, state.window);
  if (view?.map) view.applyWindow(settle, false);
  else if (settle) showStill();
  showCaption();
  scheduleList();
}

// showStill points the still map (and its dark twin) at the window.
function showStill() {
  const at = (u) => {
    const url = new URL(u, location.href);
    url.searchParams.set('datetime', datetime(state.window));
    return url.href;
  };
  const set = (s) => s.split(', ').map((c) => c.split(' ')).map(([u, w]) => `${at(u)} ${w}`).join(', ');
  const still = $('still');
  Object.assign(still, { src: at(still.src), srcset: set(still.srcset) });
  for (const source of $('still-box').querySelectorAll('source')) source.srcset = set(source.srcset);
}

// ---- the incident panel ---------------------------------------------------

let panelReturn = null;

async function openIncident(id) {
  panelReturn = document.activeElement;
  const { renderIncident } = await import('./panel.js');
  const panel = $('panel'), body = $('panel-body');
  panel.hidden = false;
  body.replaceChildren(el('p', {}, t(state.lang, 'loading')));
  try {
    const f = await getJSON(`/collections/incidents/items/${encodeURIComponent(id)}`);
    renderIncident(body, state.lang, f, await placeName(f.properties.place_id));
  } catch (err) {
    body.replaceChildren(el('h2', { id: 'panel-title' }, t(state.lang, 'failed')));
    debug.errors.push(String(err));
  }
  panel.focus();
}

// placeName is the name of the place of an incident ("near Hombori"):
// from the map's gazetteer once loaded, else asked of the API; "" if none.
async function placeName(id) {
  if (!id) return '';
  if (view) {
    await view.loadPlaces().catch(() => {});
    return view.places.get(id)?.name || '';
  }
  return getJSON(`/collections/places/items/${encodeURIComponent(id)}`).then((p) => p.properties.name, () => '');
}

function closePanel() {
  $('panel').hidden = true;
  returnTo(panelReturn, $('incident-list'))?.focus();
}

// ---- the frame's height -----------------------------------------------------

let posted = 0;

// postHeight tells the framing page how tall the embed is, when it changed.
function postHeight() {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (height === posted || parent === window) return;
  posted = height;
  parent.postMessage({ type: 'incidentmap:height', height }, '*');
}

// ---- start ------------------------------------------------------------------

// MapLibre's own words in French (it speaks English): the hint shown when a
// reader scrolls over the map without Ctrl (the page must scroll, not the
// map), and the zoom buttons.
const mapWords = (lang) => lang !== 'fr' ? {} : {
  'CooperativeGesturesHandler.WindowsHelpText': 'Ctrl + molette pour zoomer la carte',
  'CooperativeGesturesHandler.MacHelpText': '⌘ + molette pour zoomer la carte',
  'CooperativeGesturesHandler.MobileHelpText': 'Deux doigts pour déplacer la carte',
  'NavigationControl.ZoomIn': 'Zoomer', 'NavigationControl.ZoomOut': 'Dézoomer',
};

// startMap loads MapLibre and draws the interactive map in place of the
// still one, which it hides once the map has drawn. It runs once; the
// promise it returns settles when the map is set up.
let mapStarted;
function startMap() {
  mapStarted ??= drawMap().catch((err) => {
    debug.errors.push(String(err));
    $('list-status').textContent = t(state.lang, 'listError');
    throw err;
  });
  return mapStarted;
}

async function drawMap() {
  const explore = $('explore');
  if (explore) {
    explore.disabled = true;
    explore.textContent = t(state.lang, 'mapLoading');
  }
  const css = el('link', { rel: 'stylesheet', href: '/static/vendor/maplibre-gl/maplibre-gl.css' });
  const styled = new Promise((resolve) => css.addEventListener('load', resolve, { once: true }));
  document.head.append(css);
  core = await import('./core.js');
  const { MapView, maplibregl } = core;
  view = new MapView(state, debug);
  await sliderReady;
  const collection = await view.loadSpan();
  span = view.span;
  await styled;
  $('map').hidden = false;
  const bbox = state.bbox || collection.extent?.spatial?.bbox?.[0] || [-12.5, 9.5, 4.5, 21.5];
  const map = await view.start('map', bbox, state.bbox ? 0 : 24, {
    attributionControl: false, interactive, cooperativeGestures: interactive, locale: mapWords(state.lang), fadeDuration: 0,
  });
  if (interactive) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    view.pointer();
    map.on('click', (e) => {
      const f = view.pick(e.point);
      if (f?.properties?.cluster) map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, map.getMaxZoom()) });
      else if (f?.properties) openIncident(f.properties.id);
    });
    map.on('moveend', scheduleList);
  }
  map.on('resize', scheduleList); // a narrower frame shows less
  map.on('load', () => {
    map.getCanvas().setAttribute('aria-label', t(state.lang, 'mapLabel'));
    view.applyWindow(true, false);
    scheduleList();
  });
  map.once('idle', () => {
    $('still-box').hidden = true;
    explore?.remove();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => state.theme === 'auto' && view.restyle());
  view.loadPlaces().then(() => {
    showCaption();
    showLegend(listed);
  }).catch((err) => debug.errors.push(String(err)));
}

// whenAsked starts the map when the reader asks for it: the "Explore the
// map" button or a click on the still map; the focus then goes to the map.
function whenAsked() {
  const go = () => startMap().then(() => view.map.getCanvas().focus());
  $('explore').addEventListener('click', go);
  $('still').addEventListener('click', go);
}

// whenVisible starts the map once the frame shows part of it and the still
// map has been drawn (it stays the page's first and largest paint).
function whenVisible() {
  const still = $('still');
  const drawn = still.complete ? Promise.resolve() : new Promise((done) => {
    still.addEventListener('load', done, { once: true });
    still.addEventListener('error', done, { once: true });
  });
  new IntersectionObserver((entries, watch) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    watch.disconnect();
    drawn.then(() => requestAnimationFrame(() => setTimeout(startMap)));
  }).observe($('mapbox'));
}

document.documentElement.dataset.theme = themeOf(state.theme);
translate(state.lang);
$('credit').textContent = t(state.lang, 'mapCredit');
$('panel-close').addEventListener('click', closePanel);
$('incident-list').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-id]');
  if (b) openIncident(b.dataset.id);
});
document.addEventListener('keydown', (e) => e.key === 'Escape' && !$('panel').hidden && closePanel());
new ResizeObserver(postHeight).observe(document.documentElement);
addEventListener('load', postHeight);

// The test hooks: the map, what it draws, and a promise of a settled view.
window.__incidentmap = {
  get map() { return view?.map; },
  state, debug, live: () => live?.stats,
  rendered: () => view?.rendered() || [],
  settled: () => new Promise((resolve) => {
    listDone.push(() => (mapStarted ? mapStarted.then(() => view.settled()) : Promise.resolve()).then(resolve));
    scheduleList();
  }),
  startMap,
};

const sliderReady = $('time') ? startSlider().catch((err) => debug.errors.push(String(err))) : null;
updateList();
if (load === 'visible') {
  whenAsked();
  whenVisible();
} else if (load === 'click') whenAsked();

// Changes made while the embed is open show without a reload, unless live=0
// (live.js): the touched tiles of the map, and the list.
const live = query.get('live') !== '0' && follow({ map: () => view?.map, refresh: () => { updateList(); },
  lang: () => state.lang, asOf: state.filters.as_of, mount: (line) => $('credit').after(' ', line) });
