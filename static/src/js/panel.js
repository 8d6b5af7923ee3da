// panel.js renders an incident, and a base's popup, as DOM built with
// textContent only (dom.js): no text from the data ever goes through innerHTML.
import { el } from './dom.js';
import { addWords, countryName, eventName, formatDay, formatRange, monthNames, parts, t } from './i18n.js';

export { el };

addWords({
  en: {
    eventType: 'Event type', country: 'Country', dates: 'Dates', place: 'Place', fatalities: 'Fatalities',
    actors: 'Actors', summary: 'Summary', claims: 'Claims', sources: 'Sources', claimant: 'Claimant',
    claimedOn: 'Claimed on', figure: 'Figure', statement: 'Statement', source: 'Source', noFigure: 'no figure',
    atLeast: (n) => `at least ${n}`, atMost: (n) => `at most ${n}`,
    fatalityRange: (lo, best, hi) => `best estimate ${best ?? 'unknown'} (range ${lo ?? '?'}-${hi ?? '?'})`,
    unknown: 'unknown', exact: 'exact location', near: (p) => `near ${p}, within about 5 km`,
    admin2: (a, country) => `somewhere in ${a}${country === 'BF' ? ' province' : country === 'ML' ? ' cercle' : ''}`,
    admin1: (a) => `somewhere in the ${a} region`, region: (p) => `somewhere in the region of ${p}`,
    countryWide: (c) => `somewhere in ${c}`, around: (d) => `around ${d} (to within a week)`,
    monthOf: (d) => `${d} (to the month)`, yearOf: (d) => `${d} (to the year)`,
    uncertain: 'The circle on the map is the area the incident may lie in.', holder: 'Held by', from: 'from',
    to: 'to', control: 'Who held it',
  },
  fr: {
    eventType: 'Type d’événement', country: 'Pays', dates: 'Dates', place: 'Lieu', fatalities: 'Morts',
    actors: 'Acteurs', summary: 'Résumé', claims: 'Bilans revendiqués', sources: 'Sources',
    claimant: 'Source du bilan', claimedOn: 'Date', figure: 'Bilan', statement: 'Déclaration', source: 'Source',
    noFigure: 'aucun chiffre', atLeast: (n) => `au moins ${n}`, atMost: (n) => `au plus ${n}`,
    fatalityRange: (lo, best, hi) => `estimation ${best ?? 'inconnue'} (fourchette ${lo ?? '?'}-${hi ?? '?'})`,
    unknown: 'inconnu', exact: 'lieu exact', near: (p) => `près de ${p}, à 5 km environ`,
    admin2: (a, country) => `quelque part dans ${country === 'BF' ? 'la province du ' : country === 'ML' ? 'le cercle de ' : ''}${a}`,
    admin1: (a) => `quelque part dans la région de ${a}`, region: (p) => `quelque part dans la région de ${p}`,
    countryWide: (c) => `quelque part au ${c}`, around: (d) => `vers le ${d} (à une semaine près)`,
    monthOf: (d) => `${d} (au mois près)`, yearOf: (d) => `${d} (à l’année près)`,
    uncertain: 'Le cercle sur la carte est la zone où l’incident a pu avoir lieu.', holder: 'Tenue par', from: 'du',
    to: 'au', control: 'Qui l’a tenue',
  },
});

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

// formatDates writes an incident's dates at their precision.
export function formatDates(lang, startsAt, endsAt, precision) {
  const a = new Date(startsAt), b = new Date(endsAt);
  const months = monthNames(lang);
  switch (precision) {
    case 'week':
      return a.getUTCDate() === b.getUTCDate() && a.getUTCMonth() === b.getUTCMonth()
        ? t(lang, 'around', formatDay(lang, a)) : t(lang, 'around', formatRange(lang, a, b));
    case 'month': {
      const p = parts(a), q = parts(b);
      const s = p.year === q.year && p.month === q.month ? `${months[p.month]} ${p.year}`
        : p.year === q.year ? `${months[p.month]} - ${months[q.month]} ${q.year}`
        : `${months[p.month]} ${p.year} - ${months[q.month]} ${q.year}`;
      return t(lang, 'monthOf', s);
    }
    case 'year': {
      const y = a.getUTCFullYear(), z = b.getUTCFullYear();
      return t(lang, 'yearOf', y === z ? String(y) : `${y}-${z}`);
    }
  }
  return formatRange(lang, a, b);
}

// formatPlace writes where an incident happened at its precision: "Moura",
// "near Hombori", "somewhere in Soum province".
export function formatPlace(lang, p, placeName) {
  switch (p.geo_precision) {
    case 'near': return t(lang, 'near', placeName || p.location);
    case 'admin2': return p.admin2 ? t(lang, 'admin2', p.admin2, p.country) : t(lang, 'region', p.location);
    case 'admin1': return p.admin1 ? t(lang, 'admin1', p.admin1) : t(lang, 'region', p.location);
    case 'region': return t(lang, 'region', p.location);
    case 'country': return t(lang, 'countryWide', countryName(lang, p.country));
  }
  return p.location;
}
