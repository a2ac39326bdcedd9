// Copies the .sql migrations next to the compiled drivers (tsc copies only .ts output).
import { cpSync, existsSync } from 'node:fs';

for (const driver of ['sqlite', 'postgres']) {
  const from = `src/store/${driver}/migrations`;
  if (existsSync(from)) cpSync(from, `dist/store/${driver}/migrations`, { recursive: true });
}
