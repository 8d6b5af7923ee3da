// core.js: the map that the viewer (app.js) and the embed (embed.js) share.
// MapView draws /style.json with MapLibre, keeps a time window over the
// data's span, filters the loaded tiles on the client (t0/t1) and asks the
// server for new tiles only when it must, draws bases with their holder at
// the window's end, and builds the query of the incidents in view.
import * as maplibregl from '/static/vendor/maplibre-gl/maplibre-gl.mjs';
import { dayOf } from './i18n.js';
import { drawLabel } from './labels.js';
import { cql2Names, datetime, filterQuery, themeOf } from './state.js';

export { maplibregl, themeOf };
export const clickable = ['incident-points', 'incident-approx', 'incident-areas', 'clusters'];

export const fetchJSON = async (url, opts) => {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, ...opts });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
};

// holderAt is who held a place at the end of day d: periods are [from, to).
export function holderAt(control, d) {
  for (const c of control || []) {
    if ((c.from == null || dayOf(c.from) <= d) && (c.to == null || d < dayOf(c.to))) return c.holder;
  }
  return '';
}

const timeFilter = (w) => ['all', ['>=', ['get', 't1'], w.d0], ['<=', ['get', 't0'], w.d1]];

export class MapView {
  // state is the page's state (state.js: window, filters, lang, theme,
  // highlight); debug collects counters and errors for the tests.
  constructor(state, debug) {
    Object.assign(this, { state, debug, map: null, span: null, loaded: null, meta: {}, places: new Map(), lastLat: 15 });
  }

  // loadSpan reads the incidents' temporal extent: the slider's span, and
  // the window's open ends. It returns the collection.
  async loadSpan() {
    const s = this.state;
    const collection = await fetchJSON('/collections/incidents');
    const [[first, last]] = collection.extent?.temporal?.interval || [[null, null]];
    const today = Math.floor(Date.now() / 864e5);
    const span = { d0: first ? dayOf(first) : today - 365, d1: last ? dayOf(last) : today };
    const w = s.window || {};
    span.d0 = Math.min(span.d0, w.d0 ?? span.d0);
    span.d1 = Math.max(span.d1, w.d1 ?? span.d1);
    s.window = { d0: w.d0 ?? span.d0, d1: w.d1 ?? span.d1 };
    this.span = span;
    this.loaded = { ...s.window };
    return collection;
  }

  // loadStyle fetches our style for the window the tiles are loaded for
  // and, when it names an external basemap, puts that style under ours.
  async loadStyle() {
    const s = this.state;
    const q = filterQuery(s.filters);
    q.set('datetime', datetime(this.loaded));
    q.set('lang', s.lang);
    q.set('theme', themeOf(s.theme));
    const ours = await fetchJSON(`/style.json?${q}`);
    this.meta = ours.metadata || {};
    const external = this.meta['incidentmap:basemap-style'];
    if (!external) return ours;
    const base = await fetchJSON(external);
    return { ...base, metadata: ours.metadata, sources: { ...base.sources, ...ours.sources }, layers: [...base.layers, ...ours.layers] };
  }

  // start draws the map in container, fitted to bbox; options go to
  // MapLibre (interactive: false for a still map).
  async start(container, bbox, padding, options = {}) {
    const style = await this.loadStyle();
    const map = (this.map = new maplibregl.Map({
      container, style, bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]], fitBoundsOptions: { padding },
      dragRotate: false, pitchWithRotate: false, maxPitch: 0, renderWorldCopies: false, ...options,
    }));
    // Labels are drawn on demand (labels.js); MapLibre asks the resolver
    // before it lays out the symbols that need them.
    map.setMissingStyleImageResolver(async (id) => {
      const img = drawLabel(id, devicePixelRatio || 1);
      if (img && !map.hasImage(id)) map.addImage(id, img.image, { pixelRatio: img.pixelRatio });
    });
    map.on('load', () => {
      this.setLayerFilters();
      this.updateHolders();
    });
    map.on('moveend', () => this.updateUncertainty());
    return map;
  }

  // applyWindow filters the loaded tiles to the window, and fetches new
  // ones only when the window leaves the range they were built for, or,
  // once it settles, when clusters in view were built for a wider range
  // (their counts would be wrong). playing fetches further ahead.
  applyWindow(settle, playing) {
    if (!this.map) return;
    const w = this.state.window, span = this.span, loaded = this.loaded;
    this.setLayerFilters();
    this.updateHolders();
    const inside = loaded.d0 <= w.d0 && w.d1 <= loaded.d1;
    const exact = loaded.d0 === w.d0 && loaded.d1 === w.d1;
    if (!inside && !settle) {
      const len = w.d1 - w.d0 + 1;
      this.loadTiles({ d0: Math.max(span.d0, w.d0 - (playing ? 0 : len)), d1: Math.min(span.d1, w.d1 + (playing ? 4 : 1) * len) });
    } else if (!inside || (settle && !exact && this.map.queryRenderedFeatures({ layers: ['clusters'] }).length > 0)) {
      this.loadTiles({ ...w });
    }
  }

  setLayerFilters() {
    const style = this.map.getStyle();
    if (!style) return; // not loaded yet: the load handler comes back here
    for (const layer of style.layers) {
      const meta = layer.metadata || {};
      if (!meta['incidentmap:time']) continue;
      let base = meta['incidentmap:filter'] ?? ['all'];
      if (layer.id === 'highlight') base = ['all', ['!', ['has', 'cluster']], ['==', ['get', 'id'], this.state.highlight || '']];
      this.map.setFilter(layer.id, ['all', base, timeFilter(this.state.window)]);
    }
  }

  // loadTiles points the incident tiles at a new window (and the filters).
  loadTiles(range) {
    this.loaded = range;
    const src = this.map.getSource('incidentmap');
    const [url] = src.tiles[0].split('?');
    const q = filterQuery(this.state.filters);
    q.set('datetime', datetime(range));
    this.debug.tileRequests++;
    src.setTiles([`${url}?${q}`]);
  }

  // loadPlaces reads the gazetteer once (names and control periods); every
  // caller awaits the same load, so a panel never opens before the names.
  loadPlaces() {
    this.placesLoaded ??= fetchJSON('/collections/places/items?limit=10000').then((fc) => {
      for (const f of fc.features) this.places.set(f.id, { ...f.properties, coordinates: f.geometry.coordinates });
      this.updateHolders();
    });
    return this.placesLoaded;
  }

  // updateHolders draws each base with its holder at the window's end: the
  // tiles know the holder at the end of the range they were built for, the
  // places' control periods give it for any day.
  updateHolders() {
    const map = this.map;
    if (!map || !this.places.size || !map.getLayer('place-labels')) return;
    const theme = this.meta['incidentmap:theme'] || 'light';
    const icon = ['match', ['get', 'id']];
    const bases = [];
    for (const [id, p] of this.places) {
      const h = holderAt(p.control, this.state.window.d1);
      icon.push(id, h ? `lbl|${theme}|base|${h}|${p.name}` : `lbl|${theme}|place||${p.name}`);
      if (h) bases.push(id);
    }
    icon.push(['concat', `lbl|${theme}|place||`, ['get', 'name']]);
    map.setLayoutProperty('place-labels', 'icon-image', icon);
    this.bases = bases;
    this.placeLabels();
  }

  // prioritize lets the labels of the named places (those of the incidents
  // listed) win their collisions with other labels, beside their incidents.
  prioritize(names) {
    this.named = names;
    this.placeLabels();
  }

  // placeLabels puts a base's label on it (the label draws its diamond),
  // and a place's beside its dot, or beside the incident drawn on it.
  placeLabels() {
    const map = this.map, named = ['in', ['get', 'name'], ['literal', this.named || []]];
    if (!map?.getLayer('place-labels')) return;
    // Until the places are read, the tiles say which places are bases.
    const base = this.bases ? ['in', ['get', 'id'], ['literal', this.bases]] : ['has', 'holder'];
    const key = (this.sortKey ??= map.getLayoutProperty('place-labels', 'symbol-sort-key'));
    const at = (x) => ['literal', [x, 0]];
    map.setLayoutProperty('place-labels', 'symbol-sort-key', ['case', named, -1, key]);
    map.setLayoutProperty('place-labels', 'icon-offset', ['case', base, at(-10), named, at(12), at(4)]);
  }

  // restyle draws the map again in the current theme and language.
  async restyle() {
    document.documentElement.dataset.theme = themeOf(this.state.theme);
    this.map.setStyle(await this.loadStyle(), { diff: true });
    this.map.once('styledata', () => { this.setLayerFilters(); this.updateHolders(); });
  }

  // bounds is the view as [west, south, east, north], within the world.
  bounds() {
    if (!this.map) return this.state.bbox;
    const b = this.map.getBounds();
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85, 85), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85, 85)];
  }

  // itemsURL asks for the incidents in view, in the window and matching
  // the CQL2 filter; withFilters adds the other filters; sortby, when
  // given, orders them.
  itemsURL(limit, withFilters = true, sortby = '') {
    const f = this.state.filters;
    const q = filterQuery(withFilters ? f : Object.fromEntries(cql2Names.map((k) => [k, f[k]])));
    q.set('bbox', this.bounds().map((x) => x.toFixed(5)).join(','));
    q.set('datetime', datetime(this.state.window));
    q.set('limit', limit);
    if (sortby) q.set('sortby', sortby);
    return `/collections/incidents/items?${q}`;
  }

  // pick is what is under a point: an incident or a cluster, else a place.
  pick(point) {
    const [f] = this.map.queryRenderedFeatures(point, { layers: clickable });
    if (f) return f;
    const [p] = this.map.queryRenderedFeatures(point, { layers: ['place-labels', 'place-dots'] });
    return p && { place: p.properties.id };
  }

  // pointer shows a hand over what can be clicked.
  pointer() {
    for (const layer of clickable) {
      this.map.on('mouseenter', layer, () => { this.map.getCanvas().style.cursor = 'pointer'; });
      this.map.on('mouseleave', layer, () => { this.map.getCanvas().style.cursor = ''; });
    }
  }

  // updateUncertainty keeps the areas of uncertainty true to size in metres:
  // a Mercator pixel covers cos(latitude) less ground away from the equator.
  updateUncertainty() {
    const lat = this.map.getCenter().lat;
    if (Math.abs(lat - this.lastLat) < 1 || !this.map.getLayer('incident-areas')) return;
    this.lastLat = lat;
    const k = (1000 * 512) / (40075016.686 * Math.cos((lat * Math.PI) / 180));
    this.map.setPaintProperty('incident-areas', 'circle-radius', ['interpolate', ['exponential', 2], ['zoom'],
      0, ['*', ['get', 'uncertainty_km'], k], 24, ['*', ['get', 'uncertainty_km'], k * 2 ** 24]]);
  }

  // rendered are the incidents the map draws (for the tests).
  rendered() {
    return this.map ? this.map.queryRenderedFeatures({ layers: clickable })
      .map((f) => ({ id: f.properties.id, location: f.properties.location, cluster: !!f.properties.cluster })) : [];
  }

  // settled resolves once the map is still and has drawn everything,
  // labels included (they are drawn on request, after the tiles).
  settled() {
    return new Promise((resolve) => {
      const wait = () => {
        if (!this.map?.loaded() || this.map.isMoving()) return setTimeout(wait, 50);
        this.map.once('idle', resolve);
        this.map.triggerRepaint();
      };
      wait();
    });
  }
}
