// live.js: keeps an open map up to date. It follows /changes/stream
// (server-sent events of the published changes); on each change it reloads
// only the incident tiles the change touched (map.refreshTiles) and the
// list, and it shows when the data last changed ("Updated 14:32"). A view
// of the data as of an instant (as_of) never changes: no stream then.
import { t } from './i18n.js';

const ZOOM = 20; // the zoom of the tile ranges of an event (server.LiveZoom)
const MAX_TILES = 4000; // more tiles in one change: reload them all
const BATCH_MS = 150; // changes that come together are applied together
const RETRY_MS = [2e3, 5e3, 15e3, 30e3]; // reopening a stream the server refused (429, 503)
const PROXY_HOLD_MS = 1100; // how long a caching proxy may keep a tile, and a little more

// follow opens the stream and returns a handle {relabel, close, stats}, or
// null for an as_of view. Options: map() returns the MapLibre map (or
// null while there is none), source is its incident source's id,
// refresh() reloads the list, lang() the page's language, mount(node)
// puts the "updated" line (a tag element, span by default) in the page.
export function follow({ map, source = 'incidentmap', refresh, lang, mount, asOf, tag = 'span' }) {
  if (asOf || typeof EventSource !== 'function') return null;
  const line = document.createElement(tag);
  line.className = 'live-status';
  line.setAttribute('role', 'status');
  line.setAttribute('aria-live', 'polite');
  line.hidden = true;
  mount(line);
  // stats are for the tests: counts, and when the last event came and was applied (ms since the epoch).
  const stats = { changes: 0, resets: 0, refreshed: 0, lastSeq: null, updated: null, heardAt: 0, appliedAt: 0 };
  let es = null, tries = 0, pending = null, timer = null;

  const show = () => {
    if (!stats.updated) return;
    const at = new Date(stats.updated), l = lang();
    const sameDay = at.toDateString() === new Date().toDateString();
    const when = new Intl.DateTimeFormat(l, sameDay ? { hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(at);
    const time = document.createElement('time');
    time.dateTime = at.toISOString();
    time.textContent = when;
    line.replaceChildren(t(l, 'liveUpdated'), ' ', time);
    line.hidden = false;
  };
  const apply = () => {
    const batch = pending;
    pending = null;
    timer = null;
    const m = map();
    if (m?.getSource(source)) {
      const ids = batch.all ? undefined : [...batch.tiles.values()];
      m.refreshTiles(source, ids);
      // A caching proxy may serve a tile for up to a second after it
      // fetched it (docs/scaling.md): ask once more after that second.
      setTimeout(() => m.getSource(source) && m.refreshTiles(source, ids), PROXY_HOLD_MS);
      stats.refreshed++;
    }
    refresh();
    show();
    stats.appliedAt = Date.now();
  };
  const queue = (all, ranges) => {
    pending ||= { all: false, tiles: new Map() };
    pending.all ||= all || !addTiles(pending.tiles, ranges, map()?.getSource(source)?.maxzoom ?? 14);
    timer ||= setTimeout(apply, BATCH_MS);
  };
  const onEvent = (e, fn) => {
    const data = JSON.parse(e.data);
    if (e.lastEventId) stats.lastSeq = e.lastEventId;
    if (data.updated) stats.updated = data.updated;
    stats.heardAt = Date.now();
    fn(data);
  };
  const open = () => {
    const q = stats.lastSeq ? `?since=${encodeURIComponent(stats.lastSeq)}` : '';
    es = new EventSource(`/changes/stream${q}`);
    es.addEventListener('hello', (e) => onEvent(e, () => { tries = 0; show(); }));
    es.addEventListener('change', (e) => onEvent(e, (c) => {
      stats.changes++;
      queue(c.all, [...c.tiles.was, ...c.tiles.is]);
    }));
    es.addEventListener('reset', (e) => onEvent(e, () => {
      stats.resets++;
      queue(true, []);
    }));
    // The browser reconnects by itself after a network error; after a
    // refusal (429, 503 while an instance drains) it gives up: reopen.
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED) return;
      setTimeout(open, RETRY_MS[Math.min(tries++, RETRY_MS.length - 1)] * (0.5 + Math.random()));
    };
  };
  open();
  // A page left for another (or kept in the back-forward cache) closes its
  // stream: it would hold one of the browser's few connections to the
  // server (six per host over HTTP/1.1). Shown again, it resumes.
  addEventListener('pagehide', () => es?.close());
  addEventListener('pageshow', (e) => e.persisted && open());
  return { relabel: show, close: () => es?.close(), stats };
}

// addTiles adds to tiles the tiles of zooms 0..maxzoom that the ranges
// (of zoom ZOOM) cover or lie within an eighth of a tile of: the server
// spaces a tile's marks by what lies in that margin of its neighbours
// (tiles/spacing.go). False when they are too many to list.
function addTiles(tiles, ranges, maxzoom) {
  for (const [x0, y0, x1, y1] of ranges) {
    for (let z = 0; z <= Math.min(maxzoom, ZOOM); z++) {
      const s = 2 ** (ZOOM - z), m = Math.ceil(s / 8), last = 2 ** z - 1;
      const lo = (v) => Math.max(Math.floor((v - m) / s), 0), hi = (v) => Math.min(Math.floor((v + m) / s), last);
      if ((hi(x1) - lo(x0) + 1) * (hi(y1) - lo(y0) + 1) + tiles.size > MAX_TILES) return false;
      for (let x = lo(x0); x <= hi(x1); x++) {
        for (let y = lo(y0); y <= hi(y1); y++) tiles.set(`${z}/${x}/${y}`, { x, y, z });
      }
    }
  }
  return true;
}
