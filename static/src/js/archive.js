// archive.js: the page of a published archive (incidentmap publish). It
// draws the map from the archive's own files, style.json and two PMTiles
// archives read through the pmtiles protocol with range requests, and
// lists the incidents of incidents.geojson with their claims and sources
// (panel.js). Every URL is relative to the page: any static host serves
// it, and it asks nothing of anyone else.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { Protocol } from '../vendor/pmtiles/pmtiles.mjs';
import { drawLabel } from './labels.js';
import { el, renderIncident } from './panel.js';

const lang = document.documentElement.lang === 'fr' ? 'fr' : 'en';
const here = (file) => new URL(file, document.baseURI).href;

async function fetchJSON(file) {
  const res = await fetch(here(file));
  if (!res.ok) throw new Error(`${file}: ${res.status}`);
  return res.json();
}

// listIncidents renders every incident of the archive, in its order.
function listIncidents(fc) {
  const list = document.getElementById('incident-list');
  list.replaceChildren(...fc.features.map((f) => {
    const item = el('li', { id: `incident-${f.id}`, 'data-id': f.id, tabindex: '-1' });
    renderIncident(item, lang, f, null);
    item.querySelector('#panel-title')?.removeAttribute('id'); // the panel's id, once per page
    return item;
  }));
  if (!fc.features.length) document.getElementById('list-status').textContent = lang === 'fr' ? 'Aucun incident.' : 'No incidents.';
}

// drawMap draws the archive's style, its pmtiles:// sources made absolute
// (the protocol fetches them by range), fitted to the view's bounds.
async function drawMap(container) {
  const protocol = new Protocol();
  maplibregl.addProtocol('pmtiles', protocol.tile);
  const style = await fetchJSON('style.json');
  for (const src of Object.values(style.sources)) {
    if (src.url?.startsWith('pmtiles://')) src.url = `pmtiles://${here(src.url.slice('pmtiles://'.length))}`;
  }
  // The map starts on the view and stays within what the archives cover.
  const box = (v) => { const [w, s, e, n] = v.split(',').map(Number); return [[w, s], [e, n]]; };
  const map = new maplibregl.Map({
    container, style, bounds: box(container.dataset.bounds), maxBounds: box(container.dataset.cover), fitBoundsOptions: { padding: 24 },
    maxZoom: Number(container.dataset.maxzoom) + 3, dragRotate: false, pitchWithRotate: false, maxPitch: 0,
    renderWorldCopies: false, attributionControl: { compact: true },
  });
  // The first idle (style loaded, tiles drawn) is listened for at once:
  // it may come in the very frame that fires load.
  const idle = new Promise((done) => map.once('idle', done));
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.setMissingStyleImageResolver(async (id) => {
    const img = drawLabel(id, devicePixelRatio || 1);
    if (img && !map.hasImage(id)) map.addImage(id, img.image, { pixelRatio: img.pixelRatio });
  });
  // A click on an incident brings its entry in the list into view.
  map.on('click', (ev) => {
    const layers = ['incident-points', 'incident-approx', 'incident-areas'].filter((l) => map.getLayer(l));
    const id = map.queryRenderedFeatures(ev.point, { layers })[0]?.properties.id;
    const item = id && document.getElementById(`incident-${id}`);
    if (item) { item.scrollIntoView({ block: 'start' }); item.focus(); }
  });
  await idle;
  return map;
}

const state = { map: null, errors: [] };
// window.__archive lets the tests wait for the map and the list.
window.__archive = state;
state.ready = Promise.all([
  fetchJSON('incidents.geojson').then(listIncidents),
  drawMap(document.getElementById('map')).then((map) => { state.map = map; }),
]).catch((err) => {
  state.errors.push(String(err));
  console.error(err);
});
