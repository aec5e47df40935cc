// Reads a dotnet-trace Speedscope file (dotnet-sampled-thread-time profile) and walks its
// samples, for speedscope-top.mjs and speedscope-stages.mjs.
import { readFileSync } from 'node:fs';

// The exporter ends every stack in a pseudo-frame: CPU_TIME (managed code running) or
// UNMANAGED_CODE_TIME (native code, running or blocked). Native time counts as waiting when the
// innermost managed frame is a wait.
const WAIT = /(WaitHandle|LowLevelLifoSemaphore|LowLevelMonitor|Monitor\.Wait|Thread\.Sleep|WaitForSignal|WaitOneCore|WaitNative|ManualResetEventSlim\.Wait|Thread\.Join|SocketAsyncEngine\.EventLoop|WorkerThreadStart\(\)$|\?!\?|Thread \(\d+\)$|WaitForSocketEvents|Interop\+Sys\.Poll|TimerQueue|Console|ReadFile|Read\(|Threads$)/;

/**
 * Calls visit(stack, span, leaf, native) for every span of a running thread (waits are left
 * out and only counted), where stack holds frame names, outermost first, without the pseudo-frame.
 * Returns the waiting time in ms.
 */
export function walkRunning(file, visit) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const names = data.shared.frames.map((f) => f.name);
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
        } else {
          visit(stack.slice(0, -1).map((f) => names[f]), span, leaf, native);
        }
      }
      last = e.at;
      if (e.type === 'O') stack.push(e.frame); else stack.pop();
    }
  }
  return waiting;
}
