// Summarises a dotnet-trace Speedscope file (dotnet-sampled-thread-time profile): where the
// threads that were running, not waiting, spent their time.
//
//   node speedscope-top.mjs FILE.speedscope.json [--top 40] [--filter TEXT]
//
// Prints inclusive and exclusive shares of the running time per method. A stack whose
// innermost frame is a wait (thread pool idle, socket polling, semaphores, sleeps) counts as
// waiting and is left out.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[process.argv.indexOf('--top') + 1] || 40) || 40;
const filterAt = process.argv.indexOf('--filter');
const filter = filterAt > 0 ? process.argv[filterAt + 1] : null;
const data = JSON.parse(readFileSync(file, 'utf8'));
const names = data.shared.frames.map((f) => f.name);
// The exporter ends every stack in a pseudo-frame: CPU_TIME (managed code running) or
// UNMANAGED_CODE_TIME (native code, running or blocked). Native time counts as waiting when the
// innermost managed frame is a wait.
const WAIT = /(WaitHandle|LowLevelLifoSemaphore|LowLevelMonitor|Monitor\.Wait|Thread\.Sleep|WaitForSignal|WaitOneCore|WaitNative|ManualResetEventSlim\.Wait|Thread\.Join|SocketAsyncEngine\.EventLoop|WorkerThreadStart\(\)$|\?!\?|Thread \(\d+\)$|WaitForSocketEvents|Interop\+Sys\.Poll|TimerQueue|Console|ReadFile|Read\(|Threads$)/;
const inclusive = new Map();
const exclusive = new Map();
let running = 0;
let waiting = 0;
for (const profile of data.profiles) {
  if (profile.type !== 'evented') continue;
  const stack = [];
  let last = profile.startValue;
  for (const e of profile.events) {
    const span = e.at - last;
    if (span > 0 && stack.length > 0) {
      let leaf = names[stack[stack.length - 1]];
      const native = leaf === 'UNMANAGED_CODE_TIME';
      if (leaf === 'CPU_TIME' || native) leaf = stack.length > 1 ? names[stack[stack.length - 2]] : leaf;
      if (native && WAIT.test(leaf)) {
        waiting += span;
      } else if (!filter || stack.some((f) => names[f].includes(filter))) {
        running += span;
        exclusive.set((native ? '[native] ' : '') + leaf, (exclusive.get((native ? '[native] ' : '') + leaf) ?? 0) + span);
        for (const f of new Set(stack.slice(0, -1))) inclusive.set(names[f], (inclusive.get(names[f]) ?? 0) + span);
      }
    }
    last = e.at;
    if (e.type === 'O') stack.push(e.frame); else stack.pop();
  }
}

const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(100 * t / running).toFixed(1).padStart(6)}%  ${name.slice(0, 160)}`);
  }
};
console.log(`running ${running.toFixed(0)} ms, waiting ${waiting.toFixed(0)} ms (all threads)`);
show('inclusive', inclusive);
show('exclusive', exclusive);
