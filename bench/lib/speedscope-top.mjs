// Summarises a dotnet-trace Speedscope file (dotnet-sampled-thread-time profile): where the
// threads that were running, not waiting, spent their time.
//
//   node speedscope-top.mjs FILE.speedscope.json [--top 40] [--filter TEXT]
//
// Prints inclusive and exclusive shares of the running time per method. A stack whose
// innermost frame is a wait (thread pool idle, socket polling, semaphores, sleeps) counts as
// waiting and is left out.
import { walkRunning } from './speedscope.mjs';

const file = process.argv[2];
const top = Number(process.argv[process.argv.indexOf('--top') + 1] || 40) || 40;
const filterAt = process.argv.indexOf('--filter');
const filter = filterAt > 0 ? process.argv[filterAt + 1] : null;
const inclusive = new Map();
const exclusive = new Map();
let running = 0;
const waiting = walkRunning(file, (stack, span, leaf, native) => {
  if (filter && !stack.some((f) => f.includes(filter))) return;
  running += span;
  const key = (native ? '[native] ' : '') + leaf;
  exclusive.set(key, (exclusive.get(key) ?? 0) + span);
  for (const f of new Set(stack)) inclusive.set(f, (inclusive.get(f) ?? 0) + span);
});

const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(100 * t / running).toFixed(1).padStart(6)}%  ${name.slice(0, 160)}`);
  }
};
console.log(`running ${running.toFixed(0)} ms, waiting ${waiting.toFixed(0)} ms (all threads)`);
show('inclusive', inclusive);
show('exclusive', exclusive);
