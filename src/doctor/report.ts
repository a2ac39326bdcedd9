import { type Finding, RISKS, summarise } from './finding.js';

/** `3 findings: 1 high, 2 medium, 0 low`, or `no findings`. */
export function summaryLine(findings: readonly Finding[]): string {
  const s = summarise(findings);
  if (s.total === 0) return 'no findings';
  return `${s.total} finding${s.total === 1 ? '' : 's'}: ${s.high} high, ${s.medium} medium, ${s.low} low`;
}

/** Findings as text for a terminal: grouped by risk, each with its place, message and fix, then the summary line. */
export function formatFindings(findings: readonly Finding[]): string {
  const blocks: string[] = [];
  for (const risk of RISKS) {
    const group = findings.filter((f) => f.risk === risk);
    if (group.length === 0) continue;
    const lines = [`${risk.toUpperCase()} (${group.length})`];
    for (const f of group)
      lines.push(`  ${f.id}  ${f.place}`, `    ${f.message}`, `    fix: ${f.fix}`);
    blocks.push(lines.join('\n'));
  }
  blocks.push(summaryLine(findings));
  return blocks.join('\n\n');
}
