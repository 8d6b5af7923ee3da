// build.mjs turns static/src and the npm packages into static/dist, which
// the Go binary embeds (static.go). Run it with `npm run build` (make web
// does `npm ci` first). It needs no network:
//
//   src/**                      copied (the pages, their ES modules, CSS, the style template); our
//                               own JS and CSS lose their comments and indentation (slim below)
//   js/embed.js, js/embed-*.js  the embed, bundled by esbuild (bundleEmbed below): the entry holds
//                               what the still embed runs, split from the chunks it imports on
//                               demand (the map with core.js, the slider, the panel)
//   vendor/maplibre-gl/         MapLibre GL JS, ES module build and its worker, pinned in package.json
//   vendor/pmtiles/pmtiles.mjs  the pmtiles protocol for MapLibre (npm pmtiles, pinned), its browser
//                               bundle made an ES module: the page of a published archive reads it
//   basemap/basemap.geojson     the built-in basemap: Natural Earth 1:50m (world-atlas, public domain)
//                               as land, coastline, borders and country label points, one layer per
//                               feature's "layer" property; the Go server cuts it into vector tiles,
//                               with the rivers, lakes and towns (1:10m) that internal/naturalearth embeds
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { feature, mesh } from 'topojson-client';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const modules = join(here, 'node_modules');

// Empty dist/ but keep .gitkeep, which lets `go build` work before the first build.
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name !== '.gitkeep') rmSync(join(dist, name), { recursive: true, force: true });
}

cpSync(join(here, 'src'), dist, { recursive: true });
slimAll(dist);
await bundleEmbed();

const maplibre = join(modules, 'maplibre-gl');
const vendor = join(dist, 'vendor', 'maplibre-gl');
mkdirSync(vendor, { recursive: true });
for (const f of ['dist/maplibre-gl.mjs', 'dist/maplibre-gl-worker.mjs', 'dist/maplibre-gl.css', 'LICENSE.txt']) {
  // The source maps are not shipped: drop the comments that point at them.
  const text = readFileSync(join(maplibre, f), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(vendor, f.replace('dist/', '')), text);
}

writePMTiles(join(dist, 'vendor', 'pmtiles'));
writeBasemap(join(dist, 'basemap'));

// writePMTiles turns the pmtiles package's browser bundle (an IIFE that
// sets a pmtiles variable, its dependencies inlined) into an ES module
// exporting that variable's members, so archive.js imports it without a
// bundler.
function writePMTiles(dir) {
  const pkg = JSON.parse(readFileSync(join(modules, 'pmtiles', 'package.json'), 'utf8'));
  const iife = readFileSync(join(modules, 'pmtiles', 'dist', 'pmtiles.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  if (!/^"use strict";var pmtiles=/.test(iife)) throw new Error('pmtiles: dist/pmtiles.js is not the expected IIFE bundle');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pmtiles.mjs'), `// pmtiles ${pkg.version} (${pkg.license}, ${pkg.homepage}): dist/pmtiles.js as an ES module\n` +
    `${iife}\nexport const { Protocol, PMTiles, FetchSource } = pmtiles;\n`);
}

// bundleEmbed bundles the embed's modules into dist/js/embed.js and the
// chunks it imports on demand or shares with them (dist/js/embed-*.js),
// without white space, names kept, MapLibre left where it is (vendor/).
// The page's module preloads become the entry's own imports, so the still
// embed asks for its few files at once. The viewer keeps the modules as
// they are.
async function bundleEmbed() {
  const out = await build({
    entryPoints: [join(here, 'src', 'js', 'embed.js')], outdir: join(dist, 'js'), bundle: true, splitting: true,
    format: 'esm', chunkNames: 'embed-[name]-[hash]', external: ['/static/vendor/*'], minifyWhitespace: true,
    minifySyntax: true, legalComments: 'none', allowOverwrite: true, metafile: true, logLevel: 'warning',
  });
  const entry = Object.entries(out.metafile.outputs).find(([, o]) => o.entryPoint);
  const preloads = entry[1].imports.filter((i) => i.kind === 'import-statement')
    .map((i) => `<link rel="modulepreload" href="/static/js/${i.path.split('/').pop()}">`);
  const page = join(dist, 'embed.html');
  const html = readFileSync(page, 'utf8').split('\n').filter((l) => !l.startsWith('<link rel="modulepreload"'));
  html.splice(html.findIndex((l) => l.startsWith('<script type="module"')), 0, ...preloads);
  writeFileSync(page, html.join('\n'));
  let bytes = 0;
  for (const o of Object.values(out.metafile.outputs)) bytes += o.bytes;
  console.log(`embed: ${Object.keys(out.metafile.outputs).length} files, ${bytes} bytes of JS`);
}

// writeBasemap converts world-atlas's TopoJSON into one GeoJSON file.
function writeBasemap(dir) {
  const topo = JSON.parse(readFileSync(join(modules, 'world-atlas', 'countries-50m.json'), 'utf8'));
  const countries = require('i18n-iso-countries');
  const features = [];
  const add = (layer, geometry, props = {}) =>
    features.push({ type: 'Feature', properties: { layer, ...props }, geometry: round(geometry) });

  for (const f of feature(topo, topo.objects.land).features) add('land', f.geometry);
  add('coastline', mesh(topo, topo.objects.land));
  add('borders', mesh(topo, topo.objects.countries, (a, b) => a !== b));
  for (const f of feature(topo, topo.objects.countries).features) {
    const label = labelPoint(f.geometry);
    if (!label) continue;
    const a2 = countries.numericToAlpha2(f.id) || '';
    add('country_labels', { type: 'Point', coordinates: label.point }, {
      iso_a2: a2,
      name_en: (a2 && countries.getName(a2, 'en', { select: 'alias' })) || f.properties.name,
      name_fr: (a2 && countries.getName(a2, 'fr')) || f.properties.name,
      minzoom: label.area > 100 ? 2 : label.area > 20 ? 3 : label.area > 3 ? 4 : label.area > 0.5 ? 5 : 6,
    });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'basemap.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
  console.log(`basemap: ${features.length} features`);
}

// labelPoint is the area-weighted centroid of a country's largest polygon
// (planar lon/lat, which is good enough to place a name), and that area.
function labelPoint(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let best = null;
  for (const rings of polys) {
    const ring = rings[0];
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const k = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += k; cx += (ring[j][0] + ring[i][0]) * k; cy += (ring[j][1] + ring[i][1]) * k;
    }
    if (a === 0) continue;
    const area = Math.abs(a / 2);
    if (!best || area > best.area) best = { area, point: [cx / (3 * a), cy / (3 * a)] };
  }
  return best;
}

// round keeps 3 decimals (about 110 m): the data's own grid is about 390 m.
function round(g) {
  const r = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1e3) / 1e3, Math.round(c[1] * 1e3) / 1e3] : c.map(r));
  return { type: g.type, coordinates: r(g.coordinates) };
}

// slimAll drops from our own JS and CSS what only a reader of the source
// needs: full-line comments, indentation and blank lines, about a fifth of
// their bytes (the embed's own HTML, CSS and JS must stay under 50 KB). It is
// not a minifier: lines, names and trailing comments stay, so the served code
// still reads. embed-host.js, which other sites include, keeps its comment.
function slimAll(dir) {
  for (const name of readdirSync(join(dir, 'js'))) {
    const file = join(dir, 'js', name);
    writeFileSync(file, slimJS(readFileSync(file, 'utf8')));
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`slimming broke ${file}:\n${check.stderr}`);
  }
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.css'))) {
    const file = join(dir, name);
    writeFileSync(file, slimCSS(readFileSync(file, 'utf8')));
  }
}

// slimJS trims lines and drops comment and blank lines, except inside a
// template literal that spans lines (an odd number of backticks opens or
// closes one). Newlines stay between statements, so semicolon insertion
// reads the code as before.
function slimJS(text) {
  const out = [];
  let inTemplate = false;
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!inTemplate && (s === '' || s.startsWith('//'))) continue;
    out.push(inTemplate ? line : s);
    if ((line.match(/`/g) || []).length % 2 === 1) inTemplate = !inTemplate;
  }
  return out.join('\n') + '\n';
}

function slimCSS(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').split('\n').map((l) => l.trim()).filter(Boolean).join('\n') + '\n';
}
