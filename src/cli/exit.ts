import { BallastError, type BallastErrorCode, isBallastError } from '../core/errors.js';

/** Exit code of a command that worked. */
export const EXIT_OK = 0;
/** Exit code of a failure: an unreachable store, a missing queue, a runtime error. */
export const EXIT_FAILURE = 1;
/** Exit code of bad input: usage, invalid arguments, validation errors — the caller's to fix. */
export const EXIT_USAGE = 2;

/** Bad input: the command was called wrongly; answered with its usage and exit code 2. */
export class UsageError extends Error {
  /** `message` says what is wrong; `usage` (the command's usage text) is printed after it. */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** BallastError codes that mean the input was wrong (exit 2) rather than that something failed (exit 1). */
const BAD_INPUT: ReadonlySet<BallastErrorCode> = new Set<BallastErrorCode>([
  'InvalidParameterValue',
  'MissingParameter',
  'InvalidStoreUrl',
  'ValidationException',
  'InvalidEventPatternException',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'InvalidIdFormat',
  'InvalidMessageContents',
  'InvalidBatchEntryId',
  'TooManyEntriesInBatchRequest',
  'EmptyBatchRequest',
  'BatchEntryIdsNotDistinct',
  'BatchRequestTooLong',
  'SerializationException',
  'RequestEntityTooLarge',
]);

/**
 * A file named on the command line that cannot be read (missing, a directory, no permission) is
 * bad input (exit 2): the error as `InvalidParameterValue` naming `what`. Other errors as they are.
 */
export function unreadableFile(what: string, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES' && code !== 'ENOTDIR')
    return error;
  return new BallastError(
    'InvalidParameterValue',
    `${what}: cannot read ${path}: ${(error as Error).message}`,
  );
}

/** 2 for a UsageError or a bad-input BallastError, 1 for anything else. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (isBallastError(error) && BAD_INPUT.has(error.code)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** The stderr text for a command's error: `ballast NAME: [CODE: ]message`, then the usage for a UsageError. */
export function errorText(command: string, error: unknown): string {
  const prefix = command === '' ? 'ballast' : `ballast ${command}`;
  if (error instanceof UsageError)
    return `${prefix}: ${error.message}${error.usage ? `\n\n${error.usage}` : ''}`;
  if (isBallastError(error)) return `${prefix}: ${error.code}: ${error.message}`;
  return `${prefix}: ${error instanceof Error ? error.message : String(error)}`;
}
