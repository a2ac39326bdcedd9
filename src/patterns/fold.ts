/** Case folding for the `equals-ignore-case` family. */

/**
 * Folds case for comparison: lower-case then upper-case (String.prototype, locale-free). The
 * round trip maps every case variant of a letter to one form, including those one direction
 * alone misses (the Kelvin sign, Greek final sigma), and does not depend on context.
 */
export function foldCase(s: string): string {
  return s.toLowerCase().toUpperCase();
}
