/**
 * How deeply a parsed JSON value nests, measured without recursion (a hostile value cannot
 * overflow the stack): a scalar is 0, `{}` and `[]` are 1, each level of objects or arrays adds 1.
 * Stops counting once past `limit` and returns `limit + 1`.
 */
export function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  const stack: { v: object; depth: number }[] = [{ v: value, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return limit + 1;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null)
        stack.push({ v: child as object, depth: depth + 1 });
    }
  }
  return deepest;
}
