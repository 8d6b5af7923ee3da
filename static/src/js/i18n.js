// i18n.js: the viewer's words in English and French, and the formatting of
// dates, date precision and place precision.

const words = {
  en: {
    title: 'incidentmap: conflict incidents in the Sahel',
    heading: 'Sahel incidents',
    skip: 'Skip to the list of incidents',
    otherLang: 'Français',
    otherLangName: 'Voir en français',
    theme: 'Theme', themeAuto: 'System', themeLight: 'Light', themeDark: 'Dark',
    mapLabel: 'Map of incidents. The list of incidents in view follows the map.',
    time: 'Time window', start: 'Start of the window', end: 'End of the window',
    presets: 'Window length', day: 'Day', week: 'Week', month: 'Month', year: 'Year', all: 'All',
    play: 'Play', pause: 'Pause',
    filters: 'Filters', eventType: 'Event type', actor: 'Actor', country: 'Country',
    minFatalities: 'Minimum fatalities', anyActor: 'Any actor', anyCountry: 'Any country', reset: 'Clear filters',
    listLabel: 'Incidents in view and in the time window',
    listHeading: 'Incidents in view',
    listCount: (n, total) => n === total ? `${n} incident${n === 1 ? '' : 's'} in view and in the window.`
      : `${total} incidents in view and in the window; the first ${n} are listed.`,
    listEmpty: 'No incident in view and in the window. Widen the window or zoom out.',
    listError: 'The list could not be loaded.',
    basesHeading: 'Bases in view',
    close: 'Close', openOnMap: 'Show on the map',
    dates: 'Dates', place: 'Place', fatalities: 'Fatalities', actors: 'Actors', summary: 'Summary',
    claims: 'Claims', sources: 'Sources',
    claimant: 'Claimant', claimedOn: 'Claimed on', figure: 'Figure', statement: 'Statement', source: 'Source',
    noFigure: 'no figure', atLeast: (n) => `at least ${n}`, atMost: (n) => `at most ${n}`,
    fatalityRange: (lo, best, hi) => `best estimate ${best ?? 'unknown'} (range ${lo ?? '?'}-${hi ?? '?'})`,
    unknown: 'unknown',
    exact: 'exact location', near: (p) => `near ${p}, within about 5 km`,
    admin2: (a, country) => `somewhere in ${a}${country === 'BF' ? ' province' : country === 'ML' ? ' cercle' : ''}`,
    admin1: (a) => `somewhere in the ${a} region`, region: (p) => `somewhere in the region of ${p}`,
    countryWide: (c) => `somewhere in ${c}`,
    around: (d) => `around ${d} (to within a week)`, monthOf: (d) => `${d} (to the month)`, yearOf: (d) => `${d} (to the year)`,
    uncertain: 'The circle on the map is the area the incident may lie in.',
    cluster: (n) => `${n} incidents; zoom in to see them`,
    holder: 'Held by', since: (d) => `since ${d}`, until: (d) => `until ${d}`, from: 'from', to: 'to',
    control: 'Who held it', loading: 'Loading…', failed: 'Could not load this incident.',
    legendExact: 'Exact place', legendArea: 'Approximate place (area)', legendCluster: 'Group of incidents',
    legendBase: 'Base, coloured by holder',
    events: {
      battles: 'Battles', explosions_remote_violence: 'Explosions and remote violence',
      violence_against_civilians: 'Violence against civilians', protests: 'Protests', riots: 'Riots',
      strategic_developments: 'Strategic developments',
    },
  },
  fr: {
    title: 'incidentmap : incidents armés au Sahel',
    heading: 'Incidents au Sahel',
    skip: 'Aller à la liste des incidents',
    otherLang: 'English',
    otherLangName: 'View in English',
    theme: 'Thème', themeAuto: 'Système', themeLight: 'Clair', themeDark: 'Sombre',
    mapLabel: 'Carte des incidents. La liste des incidents visibles suit la carte.',
    time: 'Période', start: 'Début de la période', end: 'Fin de la période',
    presets: 'Durée de la période', day: 'Jour', week: 'Semaine', month: 'Mois', year: 'Année', all: 'Tout',
    play: 'Lecture', pause: 'Pause',
    filters: 'Filtres', eventType: 'Type d’événement', actor: 'Acteur', country: 'Pays',
    minFatalities: 'Nombre minimal de morts', anyActor: 'Tous les acteurs', anyCountry: 'Tous les pays',
    reset: 'Effacer les filtres',
    listLabel: 'Incidents visibles sur la carte et dans la période',
    listHeading: 'Incidents visibles',
    listCount: (n, total) => n === total ? `${n} incident${n > 1 ? 's' : ''} visible${n > 1 ? 's' : ''} dans la période.`
      : `${total} incidents visibles dans la période ; les ${n} premiers sont listés.`,
    listEmpty: 'Aucun incident visible dans la période. Élargissez la période ou dézoomez.',
    listError: 'La liste n’a pas pu être chargée.',
    basesHeading: 'Bases visibles',
    close: 'Fermer', openOnMap: 'Montrer sur la carte',
    dates: 'Dates', place: 'Lieu', fatalities: 'Morts', actors: 'Acteurs', summary: 'Résumé',
    claims: 'Bilans revendiqués', sources: 'Sources',
    claimant: 'Source du bilan', claimedOn: 'Date', figure: 'Bilan', statement: 'Déclaration', source: 'Source',
    noFigure: 'aucun chiffre', atLeast: (n) => `au moins ${n}`, atMost: (n) => `au plus ${n}`,
    fatalityRange: (lo, best, hi) => `estimation ${best ?? 'inconnue'} (fourchette ${lo ?? '?'}-${hi ?? '?'})`,
    unknown: 'inconnu',
    exact: 'lieu exact', near: (p) => `près de ${p}, à 5 km environ`,
    admin2: (a, country) => `quelque part dans ${country === 'BF' ? 'la province du ' : country === 'ML' ? 'le cercle de ' : ''}${a}`,
    admin1: (a) => `quelque part dans la région de ${a}`, region: (p) => `quelque part dans la région de ${p}`,
    countryWide: (c) => `quelque part au ${c}`,
    around: (d) => `vers le ${d} (à une semaine près)`, monthOf: (d) => `${d} (au mois près)`, yearOf: (d) => `${d} (à l’année près)`,
    uncertain: 'Le cercle sur la carte est la zone où l’incident a pu avoir lieu.',
    cluster: (n) => `${n} incidents ; zoomez pour les voir`,
    holder: 'Tenue par', since: (d) => `depuis le ${d}`, until: (d) => `jusqu’au ${d}`, from: 'du', to: 'au',
    control: 'Qui l’a tenue', loading: 'Chargement…', failed: 'Impossible de charger cet incident.',
    legendExact: 'Lieu exact', legendArea: 'Lieu approximatif (zone)', legendCluster: 'Groupe d’incidents',
    legendBase: 'Base, couleur du détenteur',
    events: {
      battles: 'Combats', explosions_remote_violence: 'Explosions et violences à distance',
      violence_against_civilians: 'Violences contre les civils', protests: 'Manifestations', riots: 'Émeutes',
      strategic_developments: 'Développements stratégiques',
    },
  },
};

export const languages = Object.keys(words);

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

export function t(lang, key, ...args) {
  const w = words[lang][key] ?? words.en[key];
  return typeof w === 'function' ? w(...args) : w;
}

export function eventName(lang, type) {
  return words[lang].events[type] ?? type;
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

const monthNames = (lang) =>
  Array.from({ length: 12 }, (_, m) => new Intl.DateTimeFormat(lang, { month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, m, 1)));

function parts(d) {
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
