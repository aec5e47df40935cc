// Builds the console into the server's embedded assets (or into the folder given as the first
// argument, which is how the tests check that the committed assets are what the sources build).
// The output depends only on the sources and the locked package versions: no timestamps, no
// absolute paths, no source maps.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '../src/OpenTfa.Server/WebConsole/assets'));
await mkdir(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src/main.js')],
  outfile: join(out, 'console.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
});

for (const file of ['index.html', 'console.css', 'favicon.svg']) {
  await copyFile(join(here, 'src', file), join(out, file));
}
