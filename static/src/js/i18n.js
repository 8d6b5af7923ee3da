// i18n.js: the words in English and French that the viewer and the embed
// share, and the formatting of days and ranges of days. Each page and the
// incident panel add their own words (addWords) when they load.

const words = {
  en: {
    mapLabel: 'Map of incidents. The list of incidents in view follows the map.', time: 'Time window',
    start: 'Start of the window', end: 'End of the window', listHeading: 'Incidents in view',
    listCount: (n, total) => n === total ? `${n} incident${n === 1 ? '' : 's'} in view and in the window.`
      : `${total} incidents in view and in the window; the first ${n} are listed.`,
    listEmpty: 'No incident in view and in the window. Widen the window or zoom out.',
    listError: 'The list could not be loaded.', close: 'Close', since: (d) => `since ${d}`,
    until: (d) => `until ${d}`, loading: 'Loading…', failed: 'Could not load this incident.',
    legendExact: 'Exact place', legendArea: 'Approximate place (area)', legendCluster: 'Group of incidents',
    legendBase: 'Base, coloured by holder', liveUpdated: 'Updated',
  },
  fr: {
    mapLabel: 'Carte des incidents. La liste des incidents visibles suit la carte.', time: 'Période',
    start: 'Début de la période', end: 'Fin de la période', listHeading: 'Incidents visibles',
    listCount: (n, total) => n === total ? `${n} incident${n > 1 ? 's' : ''} visible${n > 1 ? 's' : ''} dans la période.`
      : `${total} incidents visibles dans la période ; les ${n} premiers sont listés.`,
    listEmpty: 'Aucun incident visible dans la période. Élargissez la période ou dézoomez.',
    listError: 'La liste n’a pas pu être chargée.', close: 'Fermer', since: (d) => `depuis le ${d}`,
    until: (d) => `jusqu’au ${d}`, loading: 'Chargement…', failed: 'Impossible de charger cet incident.',
    legendExact: 'Lieu exact', legendArea: 'Lieu approximatif (zone)', legendCluster: 'Groupe d’incidents',
    legendBase: 'Base, couleur du détenteur', liveUpdated: 'Mise à jour :',
  },
};

export const languages = Object.keys(words);

// eventNames names the ACLED event types in each language, in the order of
// languages (English, French).
const eventNames = {
  battles: ['Battles', 'Combats'],
  explosions_remote_violence: ['Explosions and remote violence', 'Explosions et violences à distance'],
  violence_against_civilians: ['Violence against civilians', 'Violences contre les civils'],
  protests: ['Protests', 'Manifestations'],
  riots: ['Riots', 'Émeutes'],
  strategic_developments: ['Strategic developments', 'Développements stratégiques'],
};

// addWords adds a module's words, {en: {...}, fr: {...}}, to the shared ones.
export function addWords(more) {
  for (const lang of languages) Object.assign(words[lang], more[lang]);
}

// pickLang is lang when the viewer speaks it, else the browser's language,
// else English.
export function pickLang(lang) {
  if (words[lang]) return lang;
  for (const l of navigator.languages || [navigator.language]) {
    const short = String(l).slice(0, 2).toLowerCase();
    if (words[short]) return short;
  }
  return 'en';
}

// translate writes the page's fixed words in lang: elements marked
// data-i18n (text) and data-i18n-label (aria-label).
export function translate(lang) {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(lang, e.dataset.i18n);
  for (const e of document.querySelectorAll('[data-i18n-label]')) e.setAttribute('aria-label', t(lang, e.dataset.i18nLabel));
}

export function t(lang, key, ...args) {
  const w = words[lang][key] ?? words.en[key];
  return typeof w === 'function' ? w(...args) : w;
}

export function eventName(lang, type) {
  return eventNames[type]?.[languages.indexOf(lang)] ?? type;
}

export function countryName(lang, code) {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

const DAY = 86400000;

// dayOf is the whole UTC day (days since 1970-01-01) of a Date or RFC 3339 string.
export const dayOf = (d) => Math.floor(new Date(d).getTime() / DAY);
export const dateOfDay = (n) => new Date(n * DAY);
export const isoDay = (n) => dateOfDay(n).toISOString().slice(0, 10);

// monthNames are the months of lang, made once (an Intl formatter is slow
// to make, and every day written needs them).
const months = {};
export const monthNames = (lang) => (months[lang] ??= Array.from({ length: 12 },
  (_, m) => new Intl.DateTimeFormat(lang, { month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, m, 1))));

export function parts(d) {
  return { day: d.getUTCDate(), month: d.getUTCMonth(), year: d.getUTCFullYear() };
}

function dayNum(lang, day) {
  return lang === 'fr' && day === 1 ? '1er' : String(day);
}

// formatDay writes one day: "27 March 2022", "1er avril 2022".
export function formatDay(lang, d) {
  const p = parts(new Date(d));
  return `${dayNum(lang, p.day)} ${monthNames(lang)[p.month]} ${p.year}`;
}

// formatRange writes a range of whole days the way people do:
// "27-31 March 2022", "27 March - 3 April 2022", "27-31 mars 2022".
export function formatRange(lang, a, b) {
  const p = parts(new Date(a)), q = parts(new Date(b));
  const months = monthNames(lang);
  if (p.year === q.year && p.month === q.month && p.day === q.day) return formatDay(lang, a);
  if (p.year === q.year && p.month === q.month) return `${dayNum(lang, p.day)}-${dayNum(lang, q.day)} ${months[q.month]} ${q.year}`;
  if (p.year === q.year) return `${dayNum(lang, p.day)} ${months[p.month]} - ${dayNum(lang, q.day)} ${months[q.month]} ${q.year}`;
  return `${formatDay(lang, a)} - ${formatDay(lang, b)}`;
}
