// app.js: the map viewer. It reads its state from the URL (state.js),
// draws the map (core.js) with its time slider (timebar.js), filters, the
// incident panel, and keeps the accessible twin of the map: the list of the
// incidents in view and in the window.
import { fetchJSON, holderAt, maplibregl, MapView, themeOf } from './core.js';
import { describe } from './describe.js';
import { el, incidentItem, legend, returnTo, showList } from './dom.js';
import { addWords, countryName, eventName, pickLang, t, translate } from './i18n.js';
import { holderColour } from './labels.js';
import { follow } from './live.js';
import { renderIncident, renderPlace } from './panel.js';
import { datetime, readURL, writeURL } from './state.js';
import { showSpan, showWindow, wireSlider } from './timebar.js';

addWords({
  en: {
    title: 'incidentmap: conflict incidents in the Sahel', heading: 'Sahel incidents',
    skip: 'Skip to the list of incidents', otherLang: 'Français', otherLangName: 'Voir en français', theme: 'Theme',
    themeAuto: 'System', themeLight: 'Light', themeDark: 'Dark', presets: 'Window length', day: 'Day', week: 'Week',
    month: 'Month', year: 'Year', all: 'All', play: 'Play', pause: 'Pause', filters: 'Filters', actor: 'Actor',
    minFatalities: 'Minimum fatalities', anyActor: 'Any actor', anyCountry: 'Any country', reset: 'Clear filters',
    listLabel: 'Incidents in view and in the time window', basesHeading: 'Bases in view',
    openOnMap: 'Show on the map',
    listOrder: 'Order', orderDeaths: 'Most deaths', orderRecent: 'Most recent', orderOldest: 'Oldest first',
    listShown: (n, total, order) => `${total} incidents in view and in the window; the ${n} ${
      { deaths: 'with the most deaths', recent: 'most recent', oldest: 'oldest' }[order]} are listed.`,
    listMore: (n) => n ? `and ${n} more in view, not listed.` : 'and more in view, not listed.',
  },
  fr: {
    title: 'incidentmap : incidents armés au Sahel', heading: 'Incidents au Sahel',
    skip: 'Aller à la liste des incidents', otherLang: 'English', otherLangName: 'View in English', theme: 'Thème',
    themeAuto: 'Système', themeLight: 'Clair', themeDark: 'Sombre', presets: 'Durée de la période', day: 'Jour',
    week: 'Semaine', month: 'Mois', year: 'Année', all: 'Tout', play: 'Lecture', pause: 'Pause', filters: 'Filtres',
    actor: 'Acteur', minFatalities: 'Nombre minimal de morts', anyActor: 'Tous les acteurs',
    anyCountry: 'Tous les pays', reset: 'Effacer les filtres',
    listLabel: 'Incidents visibles sur la carte et dans la période', basesHeading: 'Bases visibles',
    openOnMap: 'Montrer sur la carte',
    listOrder: 'Ordre', orderDeaths: 'Les plus meurtriers', orderRecent: 'Les plus récents', orderOldest: 'Les plus anciens',
    listShown: (n, total, order) => `${total} incidents visibles dans la période ; les ${n} ${
      { deaths: 'plus meurtriers', recent: 'plus récents', oldest: 'plus anciens' }[order]} sont listés.`,
    listMore: (n) => n ? `et ${n} autres visibles, non listés.` : 'et d’autres visibles, non listés.',
  },
});

const $ = (id) => document.getElementById(id);
const eventTypes = ['battles', 'explosions_remote_violence', 'violence_against_civilians', 'protests', 'riots', 'strategic_developments'];
const LIST_LIMIT = 100, FACET_LIMIT = 1000;
// listOrders are the orders of the list, by name (the permalink's order),
// as sortby values: the most significant first (deaths, then recency), the
// most recent, the oldest.
const listOrders = { deaths: '-fatalities_best,-starts_at', recent: '-starts_at', oldest: 'starts_at' };
const defaultOrder = 'deaths';

const state = readURL(location.search);
state.lang = pickLang(state.lang);
if (!Object.hasOwn(listOrders, state.order ?? '') || state.order === defaultOrder) delete state.order;
const debug = { tileRequests: 0, listRequests: 0, errors: [] };
const view = new MapView(state, debug);
let playing = null;

// ---- time -------------------------------------------------------------

// applyWindow shows the window on the slider and the map, and keeps the
// URL and the list in step.
function applyWindow({ settle }) {
  showWindow(state.lang, view.span, state.window);
  if (!view.map) return;
  view.applyWindow(settle, !!playing);
  writeURL(state, view.bounds());
  if (settle || !playing) scheduleList();
}

function setWindow(d0, d1, settle) {
  const span = view.span;
  d0 = Math.max(span.d0, Math.min(span.d1, d0));
  d1 = Math.max(d0, Math.min(span.d1, d1));
  state.window = { d0, d1 };
  applyWindow({ settle });
}

function preset(value) {
  stop();
  const span = view.span;
  if (value === 'all') return setWindow(span.d0, span.d1, true);
  const n = Number(value);
  let d0 = state.window.d0;
  if (d0 + n - 1 > span.d1) d0 = Math.max(span.d0, span.d1 - n + 1);
  setWindow(d0, d0 + n - 1, true);
}

function play() {
  if (playing) return stop();
  const span = view.span;
  if (state.window.d1 >= span.d1 || (state.window.d0 === span.d0 && state.window.d1 === span.d1)) {
    const len = state.window.d1 - state.window.d0 >= span.d1 - span.d0 ? 30 : state.window.d1 - state.window.d0 + 1;
    state.window = { d0: span.d0, d1: span.d0 + len - 1 };
  }
  const step = () => {
    const len = state.window.d1 - state.window.d0 + 1;
    if (state.window.d1 >= span.d1) return stop();
    setWindow(state.window.d0 + len, state.window.d1 + len, false);
  };
  playing = setInterval(step, 1200);
  $('play').setAttribute('aria-pressed', 'true');
  $('play').textContent = t(state.lang, 'pause');
  setWindow(state.window.d0, state.window.d1, false);
}

function stop() {
  if (!playing) return;
  clearInterval(playing);
  playing = null;
  $('play').setAttribute('aria-pressed', 'false');
  $('play').textContent = t(state.lang, 'play');
  applyWindow({ settle: true });
}

// ---- places -------------------------------------------------------------

async function openPlace(id, lngLat) {
  const f = await fetchJSON(`/collections/places/items/${encodeURIComponent(id)}`);
  const holder = holderAt(f.properties.control, state.window.d1);
  new maplibregl.Popup({ maxWidth: '320px', focusAfterOpen: true })
    .setLngLat(lngLat || f.geometry.coordinates)
    .setDOMContent(renderPlace(state.lang, f, holder))
    .addTo(view.map);
}

// ---- the list: the accessible twin of the map ----------------------------

let listTimer, listAbort;
const listDone = [];

function scheduleList() {
  clearTimeout(listTimer);
  listTimer = setTimeout(updateList, 250);
}

const hasFilters = () => Object.values(state.filters).some((v) => v !== '' && v != null);

async function updateList() {
  if (!state.window) return; // the span is not read yet: the map's load lists
  listAbort?.abort();
  const abort = (listAbort = new AbortController());
  debug.listRequests++;
  try {
    // Without filters, the list is the first page of the facets' sample.
    const sortby = listOrders[state.order || defaultOrder];
    const facets = await fetchJSON(view.itemsURL(FACET_LIMIT, false, hasFilters() ? '' : sortby), { signal: abort.signal });
    const list = hasFilters() ? await fetchJSON(view.itemsURL(LIST_LIMIT, true, sortby), { signal: abort.signal }) : facets;
    if (abort.signal.aborted) return;
    renderList(list);
    renderFacets(facets.features);
    renderBases();
    await describe(view);
  } catch (err) {
    if (abort.signal.aborted) return;
    $('list-status').textContent = t(state.lang, 'listError');
    $('list-more').hidden = true;
    debug.errors.push(String(err));
  }
  while (listDone.length) listDone.shift()();
}

// renderList shows the first LIST_LIMIT incidents in the chosen order,
// how many there are in all, and how many are not listed: numberMatched,
// which the server leaves out when it stops counting (then "more").
function renderList(fc) {
  const lang = state.lang, order = state.order || defaultOrder;
  const shown = fc.features.slice(0, LIST_LIMIT);
  const total = fc.numberMatched;
  const rest = total != null ? total - shown.length : fc.features.length > shown.length || fc.links?.some((l) => l.rel === 'next') ? null : 0;
  const num = (n) => new Intl.NumberFormat(lang).format(n);
  $('list-status').textContent = !shown.length ? t(lang, 'listEmpty') : rest === 0 ? t(lang, 'listCount', shown.length, shown.length)
    : t(lang, 'listShown', shown.length, total != null ? num(total) : `${num(fc.features.length)}+`, order);
  $('list-more').hidden = !shown.length || rest === 0;
  $('list-more').textContent = rest ? t(lang, 'listMore', num(rest)) : t(lang, 'listMore', '');
  showList($('incident-list'), shown.map((f) => incidentItem(lang, f, true, f.id === state.highlight)));
  view.prioritize(shown.map((f) => f.properties.location));
}

// setOrder lists the incidents in view in another order (listOrders).
function setOrder(order) {
  if (order === defaultOrder || !Object.hasOwn(listOrders, order)) delete state.order;
  else state.order = order;
  $('list-order').value = state.order || defaultOrder;
  writeURL(state, view.bounds());
  scheduleList();
}

function renderBases() {
  const [w, s, e, n] = view.bounds();
  const items = [];
  for (const [id, p] of view.places) {
    const [x, y] = p.coordinates;
    const h = holderAt(p.control, state.window.d1);
    if (h && x >= w && x <= e && y >= s && y <= n) items.push({ id, p, h });
  }
  $('bases-heading').hidden = items.length === 0;
  $('base-list').replaceChildren(...items.map(({ id, p, h }) => el('li', {},
    el('button', { type: 'button', class: 'item', 'data-place': id },
      el('span', { class: 'diamond', 'aria-hidden': 'true', 'data-holder': h }), el('span', { class: 'where' }, `${p.name} · ${h}`)))));
  for (const d of document.querySelectorAll('#base-list .diamond')) d.style.background = holderColour(d.dataset.holder);
}

// ---- filters ---------------------------------------------------------------

const fold = (s) => String(s).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

// matches applies the filters, except the one named, to an incident: what a
// filter's count would be if that filter alone changed.
function matches(p, except) {
  const f = state.filters;
  if (except !== 'event_type' && f.event_type && !f.event_type.split(',').includes(p.event_type)) return false;
  if (except !== 'country' && f.country && f.country.toUpperCase() !== p.country) return false;
  if (except !== 'actor' && f.actor && !(p.actors || []).some((a) => fold(a).includes(fold(f.actor)))) return false;
  if (except !== 'min_fatalities' && f.min_fatalities !== undefined && f.min_fatalities !== '' &&
    !((p.fatalities_best ?? -1) >= Number(f.min_fatalities))) return false;
  return true;
}

function count(features, except, key) {
  const n = new Map();
  for (const f of features) {
    if (!matches(f.properties, except)) continue;
    for (const v of key(f.properties)) n.set(v, (n.get(v) || 0) + 1);
  }
  return n;
}

function renderFacets(features) {
  const lang = state.lang;
  const types = count(features, 'event_type', (p) => [p.event_type]);
  const chosen = (state.filters.event_type || '').split(',').filter(Boolean);
  $('event-types').replaceChildren(...eventTypes.map((type) => el('li', {}, el('label', {},
    el('input', { type: 'checkbox', name: 'event_type', value: type, checked: chosen.includes(type) }),
    el('span', { class: `sw sw-${type}`, 'aria-hidden': 'true' }),
    `${eventName(lang, type)} `, el('span', { class: 'count' }, `(${types.get(type) || 0})`)))));
  const fill = (select, anyKey, counts, current, label) => {
    const values = [...counts.keys()];
    if (current && !values.includes(current)) values.push(current);
    values.sort((a, b) => label(a).localeCompare(label(b), lang));
    select.replaceChildren(el('option', { value: '' }, t(lang, anyKey)),
      ...values.map((v) => el('option', { value: v, selected: v === current }, `${label(v)} (${counts.get(v) || 0})`)));
  };
  fill($('actor'), 'anyActor', count(features, 'actor', (p) => p.actors || []), state.filters.actor || '', (v) => v);
  fill($('country'), 'anyCountry', count(features, 'country', (p) => [p.country]), (state.filters.country || '').toUpperCase(),
    (v) => countryName(lang, v));
  $('min-fatalities').value = state.filters.min_fatalities ?? '';
}

function readFilters() {
  const form = $('filters');
  const types = [...form.querySelectorAll('input[name=event_type]:checked')].map((i) => i.value);
  state.filters = { ...state.filters, event_type: types.join(','), actor: $('actor').value, country: $('country').value };
  const min = $('min-fatalities').value;
  state.filters.min_fatalities = min !== '' && Number(min) >= 0 ? String(Math.floor(Number(min))) : '';
  for (const k of Object.keys(state.filters)) if (state.filters[k] === '') delete state.filters[k];
  view.loadTiles({ ...state.window });
  writeURL(state, view.bounds());
  scheduleList();
}

// ---- the incident panel --------------------------------------------------------

let panelReturn = null;

async function openIncident(id, { fly = false } = {}) {
  if (!id) return;
  panelReturn = document.activeElement;
  state.highlight = id;
  if (view.map) view.setLayerFilters();
  writeURL(state, view.bounds());
  const panel = $('panel'), body = $('panel-body');
  panel.hidden = false;
  body.replaceChildren(el('p', {}, t(state.lang, 'loading')));
  try {
    const f = await fetchJSON(`/collections/incidents/items/${encodeURIComponent(id)}`);
    await view.loadPlaces().catch(() => {}); // "near Hombori" needs the place's name
    renderIncident(body, state.lang, f, view.places.get(f.properties.place_id)?.name);
    body.append(el('button', { type: 'button', class: 'fly', 'data-fly': f.geometry ? JSON.stringify(centerOf(f.geometry)) : null },
      t(state.lang, 'openOnMap')));
    if (fly && f.geometry) view.map.easeTo({ center: centerOf(f.geometry), zoom: Math.max(view.map.getZoom(), 7) });
  } catch (err) {
    body.replaceChildren(el('h2', { id: 'panel-title' }, t(state.lang, 'failed')));
    debug.errors.push(String(err));
  }
  panel.focus();
  for (const b of document.querySelectorAll('#incident-list button')) b.toggleAttribute('aria-current', b.dataset.id === id);
}

function centerOf(g) {
  if (g.type === 'Point') return g.coordinates;
  const pts = JSON.stringify(g.coordinates).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g).map((s) => s.split(',').map(Number));
  return [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];
}

function closePanel() {
  $('panel').hidden = true;
  state.highlight = '';
  if (view.map) view.setLayerFilters();
  writeURL(state, view.bounds());
  returnTo(panelReturn, $('incident-list'))?.focus();
}

// ---- language and theme ---------------------------------------------------------

function applyLanguage() {
  const lang = state.lang;
  translate(lang);
  document.title = t(lang, 'title');
  const other = lang === 'fr' ? 'en' : 'fr';
  const a = $('lang');
  a.textContent = t(lang, 'otherLang');
  a.lang = a.hreflang = other;
  const q = new URLSearchParams(location.search);
  q.set('lang', other);
  a.href = `?${q}`;
  $('play').textContent = t(lang, playing ? 'pause' : 'play');
  $('map').querySelector('canvas')?.setAttribute('aria-label', t(lang, 'mapLabel'));
  $('legend').replaceChildren(...legend(lang));
  if (view.span) {
    showSpan(lang, view.span);
    showWindow(lang, view.span, state.window);
  }
}

async function setLanguage(lang) {
  state.lang = lang;
  applyLanguage();
  writeURL(state, view.bounds());
  if (view.map) await view.restyle();
  scheduleList();
  if (!$('panel').hidden && state.highlight) openIncident(state.highlight);
  live?.relabel();
}

// ---- start -------------------------------------------------------------------

async function start() {
  applyLanguage();
  $('theme').value = state.theme;
  document.documentElement.dataset.theme = themeOf(state.theme);
  const collection = await view.loadSpan();
  applyLanguage();
  const bbox = state.bbox || collection.extent?.spatial?.bbox?.[0] || [-12.5, 9.5, 4.5, 21.5];
  const map = await view.start('map', bbox, state.bbox ? 0 : 40, { attributionControl: { compact: true } });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.ScaleControl({}), 'bottom-left');
  view.pointer();
  map.on('load', () => {
    $('map').querySelector('canvas')?.setAttribute('aria-label', t(state.lang, 'mapLabel'));
    // The compact attribution starts open and covers the map on a phone: fold it.
    for (const a of document.querySelectorAll('.maplibregl-ctrl-attrib')) {
      a.classList.remove('maplibregl-compact-show');
      a.removeAttribute('open');
    }
    applyWindow({ settle: true });
  });
  map.on('moveend', () => {
    writeURL(state, view.bounds());
    scheduleList();
  });
  map.on('click', (e) => {
    const f = view.pick(e.point);
    if (f?.properties?.cluster) return map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, map.getMaxZoom()) });
    if (f?.properties) return openIncident(f.properties.id);
    if (f && view.places.get(f.place)?.control?.length) openPlace(f.place, e.lngLat);
  });
  view.loadPlaces().then(renderBases).catch((err) => debug.errors.push(String(err)));
  if (state.highlight) openIncident(state.highlight);
}

function wire() {
  wireSlider((d0, d1, settle) => setWindow(d0, d1, settle));
  $('play').addEventListener('click', play);
  for (const b of document.querySelectorAll('[data-preset]')) b.addEventListener('click', () => preset(b.dataset.preset));
  $('filters').addEventListener('change', readFilters);
  $('list-order').value = state.order || defaultOrder;
  $('list-order').addEventListener('change', () => setOrder($('list-order').value));
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  $('filters').addEventListener('reset', () => setTimeout(() => {
    state.filters = {};
    readFilters();
  }));
  $('incident-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-id]');
    if (b) openIncident(b.dataset.id, { fly: true });
  });
  $('base-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-place]');
    if (b) openPlace(b.dataset.place);
  });
  $('panel-close').addEventListener('click', closePanel);
  $('panel').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-fly]');
    if (b) view.map.easeTo({ center: JSON.parse(b.dataset.fly), zoom: Math.max(view.map.getZoom(), 8) });
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('panel').hidden) closePanel();
  });
  $('lang').addEventListener('click', (e) => {
    e.preventDefault();
    setLanguage(state.lang === 'fr' ? 'en' : 'fr');
  });
  $('theme').addEventListener('change', () => {
    state.theme = $('theme').value;
    writeURL(state, view.bounds());
    view.restyle();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => state.theme === 'auto' && view.restyle());
}

// The test hooks: the map, what it draws, and a promise of a settled view.
window.__incidentmap = {
  get map() { return view.map; },
  state, debug, live: () => live?.stats,
  tileRange: () => view.loaded && datetime(view.loaded),
  rendered: () => view.rendered(),
  settled: () => new Promise((resolve) => {
    listDone.push(() => view.settled().then(resolve));
    scheduleList();
  }),
  setLanguage, setWindow: (d0, d1) => setWindow(d0, d1, true),
};

// Changes made while the page is open show without a reload (live.js).
const live = follow({ map: () => view.map, refresh: updateList, lang: () => state.lang, asOf: state.filters.as_of,
  tag: 'p', mount: (line) => $('list-status').before(line) });

wire();
start().catch((err) => {
  debug.errors.push(String(err));
  $('list-status').textContent = t(state.lang, 'listError');
  throw err;
});
