/**
 * Scopes for array consistency. Every element of an array that is an object or an array opens a
 * scope (its parent is the scope the array sits in); scalars in an array stay in the enclosing
 * scope, because consistency is about fields *within objects* in different elements. Scope 0 is
 * the event itself. Two leaves can be matched together unless they sit in different elements of
 * the same array.
 */

/** Growable scope tables, reused across events. */
export class ScopeTables {
  /** Parent scope of each scope (scope 0 has -1). */
  parent: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** The array each scope is an element of (-1 for scope 0). */
  arrayOf: Int32Array<ArrayBuffer> = new Int32Array(64);
  /** How many scope elements (objects or arrays) each array has. */
  elements: Int32Array<ArrayBuffer> = new Int32Array(16);
  /** Scopes in use, including scope 0. */
  size = 1;
  /** Arrays in use. */
  arrays = 0;

  /** Forgets everything but scope 0. */
  reset(): void {
    this.size = 1;
    this.arrays = 0;
    this.parent[0] = -1;
    this.arrayOf[0] = -1;
  }

  /** Starts a new array and returns its id. */
  openArray(): number {
    if (this.arrays === this.elements.length) this.elements = grow(this.elements);
    this.elements[this.arrays] = 0;
    return this.arrays++;
  }

  /** Opens a scope for the next object-or-array element of `array`, inside `parent`. */
  openElement(parent: number, array: number): number {
    if (this.size === this.parent.length) {
      this.parent = grow(this.parent);
      this.arrayOf = grow(this.arrayOf);
    }
    const scope = this.size++;
    this.parent[scope] = parent;
    this.arrayOf[scope] = array;
    this.elements[array]!++;
    return scope;
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
