// labels.js draws the map's labels without glyphs: MapLibre asks for an
// image it lacks (the missing style image resolver) and we draw the text with
// the browser's own fonts on a canvas and hand it over with addImage. Image ids
// are "lbl|THEME|KIND|ARG|TEXT", set by the style's icon-image expressions:
// KIND is country, place, base (ARG: the holder) or count (ARG: the
// language's label field; TEXT: the count, drawn abbreviated).

const colours = {
  light: { text: '#2b2f33', country: '#6b5d69', halo: 'rgba(255,255,255,0.92)', count: '#ffffff' },
  dark: { text: '#e6e9ec', country: '#b7a9b5', halo: 'rgba(16,22,27,0.92)', count: '#10161b' },
};

// holderColours are the holders' colours; others get one from their name.
const holderColours = { France: '#2f5ec4', Mali: '#1b9e4b', 'Burkina Faso': '#c2185b', Niger: '#e07b00' };

export function holderColour(holder) {
  if (holderColours[holder]) return holderColours[holder];
  let h = 0;
  for (const ch of holder) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 45%)`;
}

const font = (px, weight = 500, style = '') =>
  `${style} ${weight} ${px}px system-ui, -apple-system, "Segoe UI", "Liberation Sans", "DejaVu Sans", sans-serif`;

// compactCount abbreviates a count to fit its disc: 1.2K; 1,2 k in French
// (arg: the style's label field).
const compactCount = (text, arg) => Number.isFinite(+text)
  ? new Intl.NumberFormat(arg === 'name_fr' ? 'fr' : 'en', { notation: 'compact', maximumFractionDigits: 1 }).format(+text) : text;

// drawLabel returns the ImageData and pixel ratio of a label image id, or
// null when the id is not ours.
export function drawLabel(id, ratio) {
  const [tag, theme, kind, arg, ...rest] = id.split('|');
  if (tag !== 'lbl') return null;
  const text = rest.join('|');
  const c = colours[theme] || colours.light;
  const r = Math.max(1, Math.min(3, Math.round(ratio)));
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  const size = kind === 'country' ? 13 : kind === 'count' ? 12 : 12.5;
  const weight = kind === 'count' || kind === 'base' ? 700 : kind === 'country' ? 600 : 500;
  const f = font(size * r, weight, kind === 'country' ? 'italic' : '');
  const spacing = kind === 'country' ? `${r}px` : '0px';
  ctx.font = f;
  ctx.letterSpacing = spacing;
  const shown = kind === 'base' ? `${text} · ${arg}` : kind === 'country' ? text.toUpperCase()
    : kind === 'count' ? compactCount(text, arg) : text;
  const marker = kind === 'base' ? 14 * r : 0;
  const pad = 3 * r;
  const w = Math.ceil(ctx.measureText(shown).width + 2 * pad + marker + (marker ? 3 * r : 0));
  const h = Math.ceil(size * r * 1.5 + 2 * pad);
  canvas.width = w;
  canvas.height = h;
  ctx.font = f; // resizing the canvas reset its state
  ctx.letterSpacing = spacing;
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  if (marker) {
    // A diamond in the holder's colour: the base's symbol.
    const cx = pad + marker / 2, cy = h / 2, s = marker / 2;
    ctx.beginPath();
    ctx.moveTo(cx, cy - s); ctx.lineTo(cx + s, cy); ctx.lineTo(cx, cy + s); ctx.lineTo(cx - s, cy); ctx.closePath();
    ctx.fillStyle = holderColour(arg);
    ctx.strokeStyle = c.halo;
    ctx.lineWidth = 2 * r;
    ctx.stroke();
    ctx.fill();
  }
  const x = pad + marker + (marker ? 3 * r : 0);
  if (kind === 'count') {
    ctx.fillStyle = c.count;
    ctx.fillText(shown, x, h / 2);
  } else {
    ctx.strokeStyle = c.halo;
    ctx.lineWidth = 3 * r;
    ctx.strokeText(shown, x, h / 2);
    ctx.fillStyle = kind === 'country' ? c.country : c.text;
    ctx.fillText(shown, x, h / 2);
  }
  return { image: ctx.getImageData(0, 0, w, h), pixelRatio: r };
}
