// AssemblyScript, compiled to dist/src/tf/simd/kernels.wasm with SIMD (npm run build). The module
// imports the tfjs wasm backend's own memory and works on tensors where they lie: every argument
// that ends in `At` is a byte offset into that heap. It owns no memory: no data segment, no
// allocation, no globals written, so it cannot clobber the backend's heap (kernels.ts checks the
// compiled module has no data segment before using it).
//
// Float32 arithmetic lane by lane is IEEE float32 (wasm has no fused multiply-add and no flush to
// zero), so each kernel equals the tfjs kernels it replaces to the bit when it does the same
// operations in the same order.

/**
 * Adam, tfjs's arithmetic term for term: m ← m·β₁ + g·(1−β₁); v ← v·β₂ + g²·(1−β₂);
 * out ← (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) · (−lr) + x. `out` may be `x`.
 */
export function adam(
  xAt: usize,
  outAt: usize,
  gAt: usize,
  mAt: usize,
  vAt: usize,
  n: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  oneMinusAcc1: f32,
  oneMinusAcc2: f32,
  epsilon: f32,
  minusLr: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const a1 = f32x4.splat(oneMinusAcc1);
  const a2 = f32x4.splat(oneMinusAcc2);
  const e = f32x4.splat(epsilon);
  const lr = f32x4.splat(minusLr);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const g = v128.load(gAt + o);
    const m = f32x4.add(f32x4.mul(v128.load(mAt + o), b1), f32x4.mul(g, c1));
    const v = f32x4.add(f32x4.mul(v128.load(vAt + o), b2), f32x4.mul(f32x4.mul(g, g), c2));
    v128.store(mAt + o, m);
    v128.store(vAt + o, v);
    const step = f32x4.mul(f32x4.div(f32x4.div(m, a1), f32x4.add(f32x4.sqrt(f32x4.div(v, a2)), e)), lr);
    v128.store(outAt + o, f32x4.add(step, v128.load(xAt + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const g = load<f32>(gAt + o);
    const m = load<f32>(mAt + o) * beta1 + g * oneMinusBeta1;
    const v = load<f32>(vAt + o) * beta2 + g * g * oneMinusBeta2;
    store<f32>(mAt + o, m);
    store<f32>(vAt + o, v);
    store<f32>(outAt + o, ((m / oneMinusAcc1) / (Mathf.sqrt(v / oneMinusAcc2) + epsilon)) * minusLr + load<f32>(xAt + o));
  }
}

/**
 * C = Aᵀ·B for A [rows × k] and B [rows × n] (row-major), C [k × n]: the weight gradient xᵀ·dy of a
 * dense layer without transposing the activations first. Each C entry is accumulated over the rows
 * in order, starting from zero, one product added at a time: the order of XNNPACK's products, so the
 * result is the tfjs-wasm kernel's to the bit. Tiles of 4 rows of C × 8 columns stay in registers.
 */
export function matmulTN(aAt: usize, bAt: usize, cAt: usize, rows: i32, k: i32, n: i32): void {
  const aStride = (<usize>k) << 2;
  const bStride = (<usize>n) << 2;
  let j: i32 = 0;
  for (; j + 8 <= n; j += 8) {
    let i: i32 = 0;
    for (; i + 4 <= k; i += 4) tile4x8(aAt + ((<usize>i) << 2), bAt + ((<usize>j) << 2), cAt + ((<usize>(i * n + j)) << 2), rows, aStride, bStride, bStride);
    for (; i < k; i++) tile1x8(aAt + ((<usize>i) << 2), bAt + ((<usize>j) << 2), cAt + ((<usize>(i * n + j)) << 2), rows, aStride, bStride);
  }
  for (; j + 4 <= n; j += 4) {
    for (let i: i32 = 0; i < k; i++) tile1x4(aAt + ((<usize>i) << 2), bAt + ((<usize>j) << 2), cAt + ((<usize>(i * n + j)) << 2), rows, aStride, bStride);
  }
  for (; j < n; j++) {
    for (let i: i32 = 0; i < k; i++) {
      let acc: f32 = 0;
      let a = aAt + ((<usize>i) << 2);
      let b = bAt + ((<usize>j) << 2);
      for (let r: i32 = 0; r < rows; r++, a += aStride, b += bStride) acc += load<f32>(a) * load<f32>(b);
      store<f32>(cAt + ((<usize>(i * n + j)) << 2), acc);
    }
  }
}

// @ts-ignore: decorator
@inline
function tile4x8(a: usize, b: usize, c: usize, rows: i32, aStride: usize, bStride: usize, cStride: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let r: i32 = 0; r < rows; r++, a += aStride, b += bStride) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a);
    const a1 = v128.load32_splat(a, 4);
    const a2 = v128.load32_splat(a, 8);
    const a3 = v128.load32_splat(a, 12);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + cStride, c10);
  v128.store(c + cStride, c11, 16);
  v128.store(c + 2 * cStride, c20);
  v128.store(c + 2 * cStride, c21, 16);
  v128.store(c + 3 * cStride, c30);
  v128.store(c + 3 * cStride, c31, 16);
}

// @ts-ignore: decorator
@inline
function tile1x8(a: usize, b: usize, c: usize, rows: i32, aStride: usize, bStride: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  for (let r: i32 = 0; r < rows; r++, a += aStride, b += bStride) {
    const a0 = v128.load32_splat(a);
    c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(b)));
    c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(b, 16)));
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

// @ts-ignore: decorator
@inline
function tile1x4(a: usize, b: usize, c: usize, rows: i32, aStride: usize, bStride: usize): void {
  let c0 = f32x4.splat(0);
  for (let r: i32 = 0; r < rows; r++, a += aStride, b += bStride) c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a), v128.load(b)));
  v128.store(c, c0);
}

/**
 * out[o, i] = Σ_r x[o, r, i] for x [outer × r × inner]: a sum over a leading or middle axis, the
 * rows added in order from zero (as tfjs-wasm's Sum adds them after transposing the axis last).
 */
export function sumMiddle(xAt: usize, outAt: usize, outer: i32, r: i32, inner: i32): void {
  const stride = (<usize>inner) << 2;
  for (let o: i32 = 0; o < outer; o++) {
    const x0 = xAt + (<usize>o) * (<usize>r) * stride;
    const out = outAt + (<usize>o) * stride;
    let i: i32 = 0;
    for (; i + 4 <= inner; i += 4) {
      let acc = f32x4.splat(0);
      let x = x0 + ((<usize>i) << 2);
      for (let k: i32 = 0; k < r; k++, x += stride) acc = f32x4.add(acc, v128.load(x));
      v128.store(out + ((<usize>i) << 2), acc);
    }
    for (; i < inner; i++) {
      let acc: f32 = 0;
      let x = x0 + ((<usize>i) << 2);
      for (let k: i32 = 0; k < r; k++, x += stride) acc += load<f32>(x);
      store<f32>(out + ((<usize>i) << 2), acc);
    }
  }
}
