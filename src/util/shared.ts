// Typed arrays moved into shared memory, so that worker threads read the one copy the main thread
// built (a message carrying a SharedArrayBuffer-backed array shares it instead of copying it)
// instead of each building the same world again: at 6M users a world is gigabytes and tens of seconds.
type Typed =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

const isPlain = (x: object) => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null || Array.isArray(x);
};

function shared<T extends Typed>(a: T): T {
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/**
 * Replace, in place, every typed array reachable from `root` through plain objects and arrays by a
 * copy in shared memory (an array reached twice becomes one copy); returns `root`. What it holds must
 * be read-only from then on: every thread sees a write.
 */
export function shareArrays<T extends object>(root: T): T {
  // Weak: an array replaced can be collected during the walk, so the peak is one copy and the largest array, not two copies.
  const done = new WeakMap<Typed, Typed>();
  const seen = new Set<object>();
  const visit = (node: Record<string | number, unknown>) => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (v === null || typeof v !== 'object') continue;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const a = v as Typed;
        if (a.buffer instanceof SharedArrayBuffer) continue;
        let s = done.get(a);
        if (!s) done.set(a, (s = shared(a)));
        node[key] = s;
      } else if (isPlain(v)) visit(v as Record<string, unknown>);
    }
  };
  visit(root as Record<string, unknown>);
  return root;
}
