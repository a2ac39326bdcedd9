import { readFile } from 'node:fs/promises';
import { parseJsonText } from './json-text.js';
import type { ConfigProblem } from './problems.js';

/** A JSON file's value, or the one problem that stops it being read (whole-document path `''`). */
export type JsonFileResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: ConfigProblem };

/** Reads and parses a JSON config file: `cannot read the file (ENOENT)`, or a located syntax error. */
export async function readJsonFile(path: string): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ok: false, problem: { path: '', message: `cannot read the file (${code})` } };
  }
  const parsed = parseJsonText(text);
  return parsed.ok ? parsed : { ok: false, problem: { path: '', message: parsed.error.message } };
}
