// app.js: the map viewer. It reads its state from the URL (state.js),
// draws /style.json with MapLibre, keeps a time window over the data's span,
// filters the loaded tiles on the client (t0/t1) and asks the server for new
// tiles only when it must, and keeps the accessible twin of the map: the list
// of the incidents in view and in the window.
import * as maplibregl from '/static/vendor/maplibre-gl/maplibre-gl.mjs';
import { countryName, dayOf, eventName, formatDay, formatRange, pickLang, t } from './i18n.js';
import { drawLabel, holderColour } from './labels.js';
import { el, renderIncident, renderPlace } from './panel.js';
import { datetime, filterQuery, readURL, writeURL } from './state.js';

const $ = (id) => document.getElementById(id);
const eventTypes = ['battles', 'explosions_remote_violence', 'violence_against_civilians', 'protests', 'riots', 'strategic_developments'];
const LIST_LIMIT = 100, FACET_LIMIT = 1000;
const clickable = ['incident-points', 'incident-approx', 'incident-areas', 'clusters'];

const state = readURL(location.search);
state.lang = pickLang(state.lang);
const debug = { tileRequests: 0, listRequests: 0, errors: [] };
let map, span, loaded, places = new Map(), styleMeta = {}, playing = null;

const fetchJSON = async (url, opts) => {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, ...opts });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
};

function effectiveTheme() {
  if (state.theme !== 'auto') return state.theme;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// styleURL asks for our style with the window the tiles are loaded for.
function styleURL(range) {
  const q = filterQuery(state.filters);
  q.set('datetime', datetime(range));
  q.set('lang', state.lang);
  q.set('theme', effectiveTheme());
  return `/style.json?${q}`;
}

// loadStyle fetches our style and, when it names an external basemap,
// puts that style's sources and layers under ours.
async function loadStyle(range) {
  const ours = await fetchJSON(styleURL(range));
  styleMeta = ours.metadata || {};
  const external = styleMeta['incidentmap:basemap-style'];
  if (!external) return ours;
  const base = await fetchJSON(external);
  return { ...base, metadata: ours.metadata, sources: { ...base.sources, ...ours.sources }, layers: [...base.layers, ...ours.layers] };
}

// ---- time -------------------------------------------------------------

const timeFilter = (w) => ['all', ['>=', ['get', 't1'], w.d0], ['<=', ['get', 't0'], w.d1]];

// applyWindow shows the window: filters the loaded tiles, and fetches new
// ones only when the window leaves the range they were built for, or, once
// the window settles, when clusters in view were built for a wider range
// (their counts would be wrong).
function applyWindow({ settle }) {
  const w = state.window;
  updateTimeUI();
  if (!map) return;
  setLayerFilters();
  updateHolders();
  const inside = loaded.d0 <= w.d0 && w.d1 <= loaded.d1;
  const exact = loaded.d0 === w.d0 && loaded.d1 === w.d1;
  if (!inside && !settle) {
    // Moving (dragging, playing): fetch ahead so that the next steps need nothing.
    const len = w.d1 - w.d0 + 1;
    loadTiles({ d0: Math.max(span.d0, w.d0 - (playing ? 0 : len)), d1: Math.min(span.d1, w.d1 + (playing ? 4 : 1) * len) });
  } else if (!inside || (settle && !exact && map.queryRenderedFeatures({ layers: ['clusters'] }).length > 0)) {
    loadTiles({ ...w });
  }
  writeURL(state, bounds());
  if (settle || !playing) scheduleList();
}

function setLayerFilters() {
  const style = map.getStyle();
  if (!style) return; // not loaded yet: the load handler comes back here
  for (const layer of style.layers) {
    const meta = layer.metadata || {};
    if (!meta['incidentmap:time']) continue;
    let base = meta['incidentmap:filter'] ?? ['all'];
    if (layer.id === 'highlight') base = ['all', ['!', ['has', 'cluster']], ['==', ['get', 'id'], state.highlight || '']];
    map.setFilter(layer.id, ['all', base, timeFilter(state.window)]);
  }
}

// loadTiles points the incident tiles at a new window (and the filters).
function loadTiles(range) {
  loaded = range;
  const src = map.getSource('incidentmap');
  const [url] = src.tiles[0].split('?');
  const q = filterQuery(state.filters);
  q.set('datetime', datetime(range));
  debug.tileRequests++;
  src.setTiles([`${url}?${q}`]);
}

function updateTimeUI() {
  const w = state.window;
  const s = $('t-start'), e = $('t-end');
  s.value = w.d0;
  e.value = w.d1;
  s.setAttribute('aria-valuetext', formatDay(state.lang, w.d0 * 864e5));
  e.setAttribute('aria-valuetext', formatDay(state.lang, w.d1 * 864e5));
  $('window-label').value = formatRange(state.lang, w.d0 * 864e5, w.d1 * 864e5);
  const total = Math.max(1, span.d1 - span.d0);
  $('range-fill').style.left = `${((w.d0 - span.d0) / total) * 100}%`;
  $('range-fill').style.width = `${((w.d1 - w.d0) / total) * 100}%`;
}

function setWindow(d0, d1, settle) {
  d0 = Math.max(span.d0, Math.min(span.d1, d0));
  d1 = Math.max(d0, Math.min(span.d1, d1));
  state.window = { d0, d1 };
  applyWindow({ settle });
}

function onSlider(ev, settle) {
  let d0 = Number($('t-start').value), d1 = Number($('t-end').value);
  if (d0 > d1) {
    if (ev.target.id === 't-start') d1 = d0;
    else d0 = d1;
  }
  setWindow(d0, d1, settle);
}

function preset(value) {
  stop();
  if (value === 'all') return setWindow(span.d0, span.d1, true);
  const n = Number(value);
  let d0 = state.window.d0;
  if (d0 + n - 1 > span.d1) d0 = Math.max(span.d0, span.d1 - n + 1);
  setWindow(d0, d0 + n - 1, true);
}

function play() {
  if (playing) return stop();
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

// ---- places and holders ------------------------------------------------

// holderAt is who held a place at the end of day d: periods are [from, to).
function holderAt(control, d) {
  for (const c of control || []) {
    if ((c.from == null || dayOf(c.from) <= d) && (c.to == null || d < dayOf(c.to))) return c.holder;
  }
  return '';
}

// updateHolders draws each base with its holder at the window's end: the
// tiles know the holder at the end of the range they were built for, the
// places' control periods give it for any day.
function updateHolders() {
  if (!map || !places.size || !map.getLayer('place-labels')) return;
  const theme = styleMeta['incidentmap:theme'] || 'light';
  const icon = ['match', ['get', 'id']];
  const bases = [];
  for (const [id, p] of places) {
    const h = holderAt(p.control, state.window.d1);
    icon.push(id, h ? `lbl|${theme}|base|${h}|${p.name}` : `lbl|${theme}|place||${p.name}`);
    if (h) bases.push(id);
  }
  icon.push(['concat', `lbl|${theme}|place||`, ['get', 'name']]);
  map.setLayoutProperty('place-labels', 'icon-image', icon);
  map.setLayoutProperty('place-labels', 'icon-offset',
    bases.length ? ['match', ['get', 'id'], bases, ['literal', [-10, 0]], ['literal', [4, 0]]] : ['literal', [4, 0]]);
}

async function openPlace(id, lngLat) {
  const f = await fetchJSON(`/collections/places/items/${encodeURIComponent(id)}`);
  const holder = holderAt(f.properties.control, state.window.d1);
  new maplibregl.Popup({ maxWidth: '320px', focusAfterOpen: true })
    .setLngLat(lngLat || f.geometry.coordinates)
    .setDOMContent(renderPlace(state.lang, f, holder))
    .addTo(map);
}

// ---- the list: the accessible twin of the map ----------------------------

let listTimer, listAbort;
const listDone = [];

function scheduleList() {
  clearTimeout(listTimer);
  listTimer = setTimeout(updateList, 250);
}

function bounds() {
  if (!map) return state.bbox;
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)];
}

function itemsURL(limit, withFilters) {
  const q = withFilters ? filterQuery(state.filters) : new URLSearchParams();
  q.set('bbox', bounds().map((x) => x.toFixed(5)).join(','));
  q.set('datetime', datetime(state.window));
  q.set('limit', limit);
  return `/collections/incidents/items?${q}`;
}

const hasFilters = () => Object.values(state.filters).some((v) => v !== '' && v != null);

async function updateList() {
  listAbort?.abort();
  const abort = (listAbort = new AbortController());
  debug.listRequests++;
  const status = $('list-status');
  try {
    const facets = await fetchJSON(itemsURL(FACET_LIMIT, false), { signal: abort.signal });
    const list = hasFilters() ? await fetchJSON(itemsURL(LIST_LIMIT, true), { signal: abort.signal }) : facets;
    if (abort.signal.aborted) return;
    renderList(list);
    renderFacets(facets.features);
    renderBases();
  } catch (err) {
    if (abort.signal.aborted) return;
    status.textContent = t(state.lang, 'listError');
    debug.errors.push(String(err));
  }
  while (listDone.length) listDone.shift()();
}

function renderList(fc) {
  const shown = fc.features.slice(0, LIST_LIMIT);
  const total = fc.numberMatched ?? shown.length;
  $('list-status').textContent = shown.length ? t(state.lang, 'listCount', shown.length, total) : t(state.lang, 'listEmpty');
  $('incident-list').replaceChildren(...shown.map((f) => {
    const p = f.properties;
    return el('li', {}, el('button', { type: 'button', class: 'item', 'data-id': f.id, 'aria-current': f.id === state.highlight ? 'true' : null },
      el('span', { class: `sw sw-${p.event_type}`, 'aria-hidden': 'true' }),
      el('span', { class: 'where' }, p.location),
      el('span', { class: 'what' }, p.title),
      el('span', { class: 'when' }, formatRange(state.lang, p.starts_at, p.ends_at))));
  }));
}

function renderBases() {
  const [w, s, e, n] = bounds();
  const items = [];
  for (const [id, p] of places) {
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
  const keep = { ...state.filters };
  state.filters = { ...keep, event_type: types.join(','), actor: $('actor').value, country: $('country').value };
  const min = $('min-fatalities').value;
  state.filters.min_fatalities = min !== '' && Number(min) >= 0 ? String(Math.floor(Number(min))) : '';
  for (const k of Object.keys(state.filters)) if (state.filters[k] === '') delete state.filters[k];
  loadTiles({ ...state.window });
  writeURL(state, bounds());
  scheduleList();
}

// ---- the incident panel --------------------------------------------------------

let panelReturn = null;

async function openIncident(id, { fly = false } = {}) {
  if (!id) return;
  panelReturn = document.activeElement;
  state.highlight = id;
  if (map) setLayerFilters();
  writeURL(state, bounds());
  const panel = $('panel'), body = $('panel-body');
  panel.hidden = false;
  body.replaceChildren(el('p', {}, t(state.lang, 'loading')));
  try {
    const f = await fetchJSON(`/collections/incidents/items/${encodeURIComponent(id)}`);
    renderIncident(body, state.lang, f, places.get(f.properties.place_id)?.name);
    body.append(el('button', { type: 'button', class: 'fly', 'data-fly': f.geometry ? JSON.stringify(centerOf(f.geometry)) : null },
      t(state.lang, 'openOnMap')));
    if (fly && f.geometry) map.easeTo({ center: centerOf(f.geometry), zoom: Math.max(map.getZoom(), 7) });
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
  if (map) setLayerFilters();
  writeURL(state, bounds());
  if (panelReturn?.isConnected) panelReturn.focus();
}

// ---- language and theme ---------------------------------------------------------

function applyLanguage() {
  const lang = state.lang;
  document.documentElement.lang = lang;
  document.title = t(lang, 'title');
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(lang, e.dataset.i18n);
  for (const e of document.querySelectorAll('[data-i18n-label]')) e.setAttribute('aria-label', t(lang, e.dataset.i18nLabel));
  const other = lang === 'fr' ? 'en' : 'fr';
  const a = $('lang');
  a.textContent = t(lang, 'otherLang');
  a.lang = a.hreflang = other;
  const q = new URLSearchParams(location.search);
  q.set('lang', other);
  a.href = `?${q}`;
  $('play').textContent = t(lang, playing ? 'pause' : 'play');
  $('map').querySelector('canvas')?.setAttribute('aria-label', t(lang, 'mapLabel'));
  $('legend').replaceChildren(
    el('li', {}, el('span', { class: 'lg lg-exact', 'aria-hidden': 'true' }), t(lang, 'legendExact')),
    el('li', {}, el('span', { class: 'lg lg-area', 'aria-hidden': 'true' }), t(lang, 'legendArea')),
    el('li', {}, el('span', { class: 'lg lg-cluster', 'aria-hidden': 'true' }), t(lang, 'legendCluster')),
    el('li', {}, el('span', { class: 'lg lg-base', 'aria-hidden': 'true' }), t(lang, 'legendBase')));
  if (span) {
    $('span-start').textContent = formatDay(lang, span.d0 * 864e5);
    $('span-end').textContent = formatDay(lang, span.d1 * 864e5);
    updateTimeUI();
  }
}

async function restyle() {
  document.documentElement.dataset.theme = effectiveTheme();
  const style = await loadStyle(loaded);
  map.setStyle(style, { diff: true });
  map.once('styledata', () => { setLayerFilters(); updateHolders(); });
}

async function setLanguage(lang) {
  state.lang = lang;
  applyLanguage();
  writeURL(state, bounds());
  if (map) await restyle();
  scheduleList();
  if (!$('panel').hidden && state.highlight) openIncident(state.highlight);
}

// ---- start -------------------------------------------------------------------

async function start() {
  applyLanguage();
  $('theme').value = state.theme;
  document.documentElement.dataset.theme = effectiveTheme();
  const collection = await fetchJSON('/collections/incidents');
  const [[first, last]] = collection.extent?.temporal?.interval || [[null, null]];
  const today = Math.floor(Date.now() / 864e5);
  span = { d0: first ? dayOf(first) : today - 365, d1: last ? dayOf(last) : today };
  const w = state.window || {};
  span.d0 = Math.min(span.d0, w.d0 ?? span.d0);
  span.d1 = Math.max(span.d1, w.d1 ?? span.d1);
  state.window = { d0: w.d0 ?? span.d0, d1: w.d1 ?? span.d1 };
  for (const id of ['t-start', 't-end']) Object.assign($(id), { min: span.d0, max: span.d1 });
  applyLanguage();
  loaded = { ...state.window };
  const bbox = state.bbox || collection.extent?.spatial?.bbox?.[0] || [-12.5, 9.5, 4.5, 21.5];
  const style = await loadStyle(loaded);
  map = new maplibregl.Map({
    container: 'map', style, bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]],
    fitBoundsOptions: { padding: state.bbox ? 0 : 40 }, attributionControl: { compact: true },
    dragRotate: false, pitchWithRotate: false, maxPitch: 0, renderWorldCopies: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.ScaleControl({}), 'bottom-left');
  // Labels are drawn on demand (labels.js); MapLibre 6 asks the resolver
  // before it lays out the symbols that need them.
  map.setMissingStyleImageResolver(async (id) => {
    const img = drawLabel(id, devicePixelRatio || 1);
    if (img && !map.hasImage(id)) map.addImage(id, img.image, { pixelRatio: img.pixelRatio });
  });
  map.on('load', () => {
    $('map').querySelector('canvas')?.setAttribute('aria-label', t(state.lang, 'mapLabel'));
    // The compact attribution starts open and covers the map on a phone: fold it.
    for (const a of document.querySelectorAll('.maplibregl-ctrl-attrib')) {
      a.classList.remove('maplibregl-compact-show');
      a.removeAttribute('open');
    }
    setLayerFilters();
    updateHolders();
    applyWindow({ settle: true });
  });
  map.on('moveend', () => {
    writeURL(state, bounds());
    scheduleList();
    updateUncertainty();
  });
  for (const layer of clickable) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  map.on('click', (e) => {
    const [f] = map.queryRenderedFeatures(e.point, { layers: clickable });
    if (f?.properties.cluster) return map.easeTo({ center: e.lngLat, zoom: Math.min(map.getZoom() + 2, 14) });
    if (f) return openIncident(f.properties.id);
    const [p] = map.queryRenderedFeatures(e.point, { layers: ['place-labels', 'place-dots'] });
    if (p && places.get(p.properties.id)?.control?.length) openPlace(p.properties.id, e.lngLat);
  });
  fetchJSON('/collections/places/items?limit=10000').then((fc) => {
    for (const f of fc.features) places.set(f.id, { ...f.properties, coordinates: f.geometry.coordinates });
    updateHolders();
    renderBases();
  }).catch((err) => debug.errors.push(String(err)));
  if (state.highlight) openIncident(state.highlight);
}

let lastLat = 15;
// updateUncertainty keeps the areas of uncertainty true to size in metres:
// a Mercator pixel covers cos(latitude) less ground away from the equator.
function updateUncertainty() {
  const lat = map.getCenter().lat;
  if (Math.abs(lat - lastLat) < 1 || !map.getLayer('incident-areas')) return;
  lastLat = lat;
  const k = (1000 * 512) / (40075016.686 * Math.cos((lat * Math.PI) / 180));
  map.setPaintProperty('incident-areas', 'circle-radius', ['interpolate', ['exponential', 2], ['zoom'],
    0, ['*', ['get', 'uncertainty_km'], k], 24, ['*', ['get', 'uncertainty_km'], k * 2 ** 24]]);
}

function wire() {
  $('t-start').addEventListener('input', (e) => onSlider(e, false));
  $('t-end').addEventListener('input', (e) => onSlider(e, false));
  $('t-start').addEventListener('change', (e) => onSlider(e, true));
  $('t-end').addEventListener('change', (e) => onSlider(e, true));
  $('play').addEventListener('click', play);
  for (const b of document.querySelectorAll('[data-preset]')) b.addEventListener('click', () => preset(b.dataset.preset));
  $('filters').addEventListener('change', readFilters);
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
    if (b) map.easeTo({ center: JSON.parse(b.dataset.fly), zoom: Math.max(map.getZoom(), 8) });
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
    writeURL(state, bounds());
    restyle();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => state.theme === 'auto' && restyle());
}

// The test hooks: the map, what it draws, and a promise of a settled view.
window.__incidentmap = {
  get map() { return map; },
  state, debug,
  tileRange: () => loaded && datetime(loaded),
  rendered: () => (map ? map.queryRenderedFeatures({ layers: ['incident-points', 'incident-approx', 'incident-areas', 'clusters'] })
    .map((f) => ({ id: f.properties.id, location: f.properties.location, cluster: !!f.properties.cluster })) : []),
  settled: () => new Promise((resolve) => {
    const wait = () => (map && map.loaded() && !map.isMoving() ? resolve() : setTimeout(wait, 50));
    listDone.push(() => setTimeout(wait, 0));
    scheduleList();
  }),
  setLanguage, setWindow: (d0, d1) => setWindow(d0, d1, true),
};

wire();
start().catch((err) => {
  debug.errors.push(String(err));
  $('list-status').textContent = t(state.lang, 'listError');
  throw err;
});
