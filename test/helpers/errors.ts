import { isBallastError } from '../../src/core/errors.js';

/** The BallastError code a promise rejects with ('resolved' when it does not reject). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isBallastError(error) ? error.code : `not a BallastError: ${String(error)}`;
  }
  return 'resolved';
}
