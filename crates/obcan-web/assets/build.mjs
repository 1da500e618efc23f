// Builds dist/ from the pinned Gov Design System packages and src/: selects the
// parts the portal uses, names every file by its content hash (so the server
// can let browsers cache them forever), and writes manifest.json, which the
// Rust build embeds. Run `npm ci && npm run build` after changing src/ or the
// pinned versions; the test suite fails while dist/ is stale.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const gds = 'node_modules/@gov-design-system-ce';
const dist = 'dist';

const styles = [
  'styles/lib/tokens.css',
  'styles/lib/html/styles.css',
  'styles/lib/html/layout.css',
  ...[
    'breadcrumbs', 'button', 'card', 'container', 'error-code', 'form-checkbox',
    'form-control', 'form-group', 'form-input', 'form-label', 'form-message',
    'form-radio', 'grid', 'grid-item', 'icon', 'link', 'message', 'tag', 'tile',
  ].map((name) => `styles/lib/html/components/gov-${name}.css`),
];

// Roboto in the weights the design system uses, Latin and Latin Extended
// (Czech needs the latter).
const fonts = ['regular', 'medium', 'bold'].flatMap((w) => [`roboto-${w}.woff2`, `roboto-${w}-ext.woff2`]);

const icons = {
  'my-data': 'complex/my-state-data.svg',
  submissions: 'complex/my-filing.svg',
  documents: 'complex/documents.svg',
  payments: 'complex/coins.svg',
  notifications: 'complex/bell.svg',
  'notice-board': 'complex/news.svg',
  visits: 'complex/queue.svg',
  participation: 'complex/doc-petition.svg',
};

const manifest = {};

function emit(logicalName, bytes) {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const ext = extname(logicalName);
  const hashed = `${basename(logicalName, ext)}.${hash}${ext}`;
  writeFileSync(join(dist, hashed), bytes);
  manifest[logicalName] = hashed;
  return hashed;
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);

const fontFaces = readFileSync(`${gds}/fonts/lib/roboto.css`, 'utf8')
  .split('@font-face')
  .slice(1)
  .map((block) => `@font-face${block.slice(0, block.indexOf('}') + 1)}`)
  .filter((block) => fonts.some((file) => block.includes(`url('${file}')`)))
  .map((block) => {
    const file = fonts.find((f) => block.includes(`url('${f}')`));
    const hashed = emit(file, readFileSync(`${gds}/fonts/lib/${file}`));
    // Served from the binary, never from the visitor's own fonts.
    return block.replace(/src:[^;]*;/, `src: url('${hashed}') format('woff2');`);
  });

const css = [
  `/* Gov Design System CE (EUPL-1.2), © Digitální a informační agentura */`,
  ...fontFaces,
  ...styles.map((file) => readFileSync(`${gds}/${file}`, 'utf8').replace(/^\uFEFF/, '')),
  readFileSync('src/obcan.css', 'utf8'),
].join('\n');
emit('obcan.css', Buffer.from(css));

for (const [name, file] of Object.entries(icons)) {
  emit(`icon-${name}.svg`, readFileSync(`${gds}/icons/lib/${file}`));
}
emit('coat-of-arms.svg', readFileSync('src/coat-of-arms.svg'));
emit('autosubmit.js', readFileSync('src/autosubmit.js'));
emit('upload.js', readFileSync('src/upload.js'));

const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(join(dist, 'manifest.json'), `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`dist/: ${Object.keys(sorted).length} files`);
