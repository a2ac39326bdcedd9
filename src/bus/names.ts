import { BallastError } from '../core/errors.js';

const SIMPLE = /^[.\-_A-Za-z0-9]+$/;
const BUS = /^[/.\-_A-Za-z0-9]+$/;

/** Checks a name against EventBridge's pattern and length; throws `ValidationException`. */
function checkName(kind: string, value: unknown, max: number, pattern: RegExp): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max || !pattern.test(value)) {
    throw new BallastError(
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at '${kind}' failed to satisfy constraint: Member must have length between 1 and ${max} and match pattern ${pattern.source}`,
    );
  }
  return value;
}

/** Rule names: 1–64 of `[.\-_A-Za-z0-9]`. */
export const ruleName = (v: unknown): string => checkName('name', v, 64, SIMPLE);
/** Target ids: 1–64 of `[.\-_A-Za-z0-9]`. */
export const targetId = (v: unknown): string => checkName('targets.member.id', v, 64, SIMPLE);
/** Bus names: 1–256 of `[/.\-_A-Za-z0-9]`. */
export const busName = (v: unknown): string => checkName('name', v, 256, BUS);
/** Archive names: 1–48 of `[.\-_A-Za-z0-9]`. */
export const archiveName = (v: unknown): string => checkName('archiveName', v, 48, SIMPLE);
/** Replay names: 1–64 of `[.\-_A-Za-z0-9]`. */
export const replayName = (v: unknown): string => checkName('replayName', v, 64, SIMPLE);
/** Connection and API destination names: 1–64 of `[.\-_A-Za-z0-9]`. */
export const resourceName = (v: unknown): string => checkName('name', v, 64, SIMPLE);

/** An optional description of at most `max` characters. */
export function description(v: unknown, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > max) {
    throw new BallastError(
      'ValidationException',
      `Description must be a string of at most ${max} characters`,
    );
  }
  return v;
}

/** Most tags one bus or rule holds (EventBridge's limit). */
export const MAX_TAGS = 50;

/** Checks a whole tag set: at most 50, keys 1–128 characters not starting with `aws:`, values up to 256. */
export function checkTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS)
    throw new BallastError(
      'LimitExceededException',
      `A resource can have at most ${MAX_TAGS} tags (${keys.length} requested).`,
    );
  for (const key of keys) {
    if (key.length < 1 || key.length > 128)
      throw new BallastError('ValidationException', `Tag key must be 1 to 128 characters: ${key}`);
    if (key.toLowerCase().startsWith('aws:'))
      throw new BallastError(
        'ValidationException',
        `Tag keys starting with aws: are reserved: ${key}`,
      );
    const value = tags[key];
    if (typeof value !== 'string' || value.length > 256)
      throw new BallastError(
        'ValidationException',
        `Tag value of ${key} must be a string of at most 256 characters.`,
      );
  }
  return { ...tags };
}
