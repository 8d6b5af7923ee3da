// panel.js renders an incident, and a base's popup, as DOM built with
// textContent only: no text from the data ever goes through innerHTML.
import { countryName, eventName, formatDates, formatDay, formatPlace, t } from './i18n.js';

// el makes an element with attributes and children (strings become text).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === '') continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// safeURL returns u when it is an absolute http(s) URL, the only kind we link.
export function safeURL(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function link(href, text) {
  const u = safeURL(href);
  return u ? el('a', { href: u, rel: 'noopener noreferrer external', target: '_blank' }, text || new URL(u).host) : text || href;
}

function figure(lang, c) {
  const lo = c.fatalities_low, hi = c.fatalities_high;
  if (lo == null && hi == null) return t(lang, 'noFigure');
  if (hi == null) return t(lang, 'atLeast', lo);
  if (lo == null) return t(lang, 'atMost', hi);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

function dayOrDash(lang, d) {
  return d ? formatDay(lang, d) : '-';
}

// renderIncident fills body with a GeoJSON incident. placeName names the
// place_id (for "near Hombori").
export function renderIncident(body, lang, f, placeName) {
  const p = f.properties;
  const rows = [
    [t(lang, 'dates'), formatDates(lang, p.starts_at, p.ends_at, p.date_precision)],
    [t(lang, 'place'), p.geo_precision === 'exact' ? p.location
      : [p.location, el('br'), el('span', { class: 'precision' }, formatPlace(lang, p, placeName))]],
    [t(lang, 'eventType'), eventName(lang, p.event_type)],
    [t(lang, 'country'), [countryName(lang, p.country), p.admin1, p.admin2].filter(Boolean).join(', ')],
    [t(lang, 'fatalities'), t(lang, 'fatalityRange', p.fatalities_low, p.fatalities_best, p.fatalities_high)],
  ];
  if (p.actors?.length) rows.push([t(lang, 'actors'), p.actors.join('; ')]);
  const claims = p.claims || [];
  const sources = p.sources || [];
  body.replaceChildren(
    el('h2', { id: 'panel-title' }, p.title),
    el('dl', { class: 'facts' }, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    p.geo_precision !== 'exact' ? el('p', { class: 'note' }, t(lang, 'uncertain')) : null,
    p.summary ? el('p', { class: 'summary' }, p.summary) : null,
    claims.length ? el('h3', {}, `${t(lang, 'claims')} (${claims.length})`) : null,
    claims.length ? el('ol', { class: 'claims' }, claims.map((c) => el('li', { class: 'claim' },
      el('p', { class: 'claimant' }, c.claimant || t(lang, 'unknown')),
      el('p', { class: 'figure' }, figure(lang, c)),
      el('dl', {},
        el('dt', {}, t(lang, 'claimedOn')), el('dd', {}, dayOrDash(lang, c.claimed_on)),
        el('dt', {}, t(lang, 'source')), el('dd', {}, c.source ? link(c.source, null) : '-')),
      c.statement ? el('p', { class: 'statement' }, c.statement) : null))) : null,
    sources.length ? el('h3', {}, `${t(lang, 'sources')} (${sources.length})`) : null,
    sources.length ? el('ul', { class: 'sources' }, sources.map((s) => el('li', {},
      s.url ? link(s.url, s.title || s.publisher || null) : el('span', {}, s.title || s.publisher || '-'),
      s.title && s.publisher ? ` (${s.publisher})` : !s.url || s.title ? '' : ` (${s.publisher || ''})`,
      s.published_on ? `, ${formatDay(lang, s.published_on)}` : '',
      s.language ? el('span', { class: 'lang' }, ` [${s.language}]`) : '',
      s.note ? el('p', { class: 'source-note' }, s.note) : null))) : null,
  );
}

// renderPlace returns a base's popup content: its holders over time.
export function renderPlace(lang, f, holder) {
  const p = f.properties;
  const periods = p.control || [];
  return el('div', { class: 'popup' },
    el('h2', {}, p.name),
    holder ? el('p', {}, `${t(lang, 'holder')} ${holder}`) : null,
    periods.length ? el('h3', {}, t(lang, 'control')) : null,
    periods.length ? el('ul', {}, periods.map((c) => el('li', {},
      el('strong', {}, c.holder), ' ',
      c.from && c.to ? `${t(lang, 'from')} ${formatDay(lang, c.from)} ${t(lang, 'to')} ${formatDay(lang, c.to)}`
        : c.from ? t(lang, 'since', formatDay(lang, c.from)) : c.to ? t(lang, 'until', formatDay(lang, c.to)) : '',
      c.source ? el('span', { class: 'source-note' }, ` (${c.source})`) : null))) : null,
    p.note ? el('p', { class: 'source-note' }, p.note) : null);
}
