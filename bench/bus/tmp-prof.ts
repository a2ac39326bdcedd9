import { generateData } from './match-data.js';
import { generateRules } from './match-rules.js';
import { PatternMatcher } from '../../src/patterns/index.js';
const d = generateData(20000, 1);
const fam = (process.argv[2] ?? 'cidr') as never;
const m = new PatternMatcher();
for (const r of generateRules(fam, Number(process.argv[3] ?? 1000), d, 1)) m.add(r.id, r.pattern);
let n = 0; const t0 = performance.now();
while (performance.now() - t0 < 3000) { for (let k = 0; k < 256; k++) { m.match(d.events[n % d.events.length]!); n++; } }
console.log(fam, Math.round(n / ((performance.now() - t0) / 1000)), m.stats.candidates / m.stats.events, m.stats.matches / m.stats.events);
