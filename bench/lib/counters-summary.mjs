// Summarises a dotnet-counters CSV: per counter, the mean and the largest value seen.
//
//   node counters-summary.mjs counters.csv
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const series = new Map();
for (const line of lines.slice(1)) {
  // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment — names may hold commas inside quotes.
  const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
  const [, provider, counter, type, value] = cells;
  const number = Number(value);
  if (!counter || Number.isNaN(number)) continue;
  const key = `${provider} ${counter} (${type})`;
  const s = series.get(key) ?? { sum: 0, n: 0, max: -Infinity };
  s.sum += number; s.n++; s.max = Math.max(s.max, number);
  series.set(key, s);
}
console.log('\ncounters (mean / max per interval)');
for (const [key, s] of [...series].sort((a, b) => a[0].localeCompare(b[0]))) {
  console.log(`  ${key.padEnd(110)} ${(s.sum / s.n).toFixed(2).padStart(14)} ${s.max.toFixed(2).padStart(14)}`);
}
