// AssemblyScript, compiled twice by npm run build: dist/src/tf/simd/kernels.wasm with SIMD, and
// kernels-fma.wasm with relaxed SIMD too (the products' multiply-add fused: `madd`). The module
// imports the tfjs wasm backend's own memory and works on tensors where they lie: every argument
// that ends in `At` is a byte offset into that heap. It owns no memory: no data segment, no
// allocation, no globals written, so it cannot clobber the backend's heap (kernels.ts checks the
// compiled module has no data segment before using it).
//
// Float32 arithmetic lane by lane is IEEE float32 (plain wasm SIMD has no fused multiply-add and no
// flush to zero), so each kernel of the exact build equals the tfjs kernels it replaces to the bit
// when it does the same operations in the same order.

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

// The products share one tile loop. A tile is 4 rows × 8 columns of C held in registers while the
// shared dimension is walked in order: per step, 4 values of A (`aLane` bytes apart) times one
// 8-wide row of B. For C = A·B the 4 values are one column of 4 rows of A; for C = Aᵀ·B they are 4
// adjacent values of one row of A. Each entry starts from zero and adds one product per step, no
// fused multiply-add: XNNPACK's order, so the results are the tfjs-wasm kernels' to the bit. The
// bias either starts the sum (as tfjs's fused kernel, XNNPACK's fully-connected operator, does) or is
// added after it (as the unfused graph's Add does); then ReLU if asked.

/** C [k × n] = Aᵀ·B for A [rows × k] and B [rows × n] (row-major). */
export function matmulTN(aAt: usize, bAt: usize, cAt: usize, rows: i32, k: i32, n: i32): void {
  // Tile rows of C are columns of A (4 bytes apart); each step is the next row of A and of B.
  products(aAt, 4, (<usize>k) << 2, bAt, (<usize>n) << 2, cAt, k, n, rows, 0, false, false);
}

/** C [rows × n] = A·B (+ bias, first or last) (then ReLU) for A [rows × k], B [k × n]; `biasAt` 0 for none. */
export function matmulNN(aAt: usize, bAt: usize, cAt: usize, biasAt: usize, rows: i32, k: i32, n: i32, relu: bool, biasFirst: bool): void {
  // Tile rows of C are rows of A (a row apart); each step is the next column of A and row of B.
  products(aAt, (<usize>k) << 2, 4, bAt, (<usize>n) << 2, cAt, rows, n, k, biasAt, relu, biasFirst);
}

// @ts-ignore: decorator
@inline
function products(aAt: usize, aLane: usize, aStep: usize, bAt: usize, bStep: usize, cAt: usize, m: i32, n: i32, steps: i32, biasAt: usize, relu: bool, biasFirst: bool): void {
  const cStride = (<usize>n) << 2;
  let j: i32 = 0;
  for (; j + 8 <= n; j += 8) {
    const b = bAt + ((<usize>j) << 2);
    const bias = biasAt ? biasAt + ((<usize>j) << 2) : 0;
    let i: i32 = 0;
    for (; i + 4 <= m; i += 4) tile4x8(aAt + (<usize>i) * aLane, aLane, aStep, b, bStep, cAt + (<usize>i) * cStride + ((<usize>j) << 2), cStride, steps, bias, relu, biasFirst);
    for (; i < m; i++) tile1x8(aAt + (<usize>i) * aLane, aStep, b, bStep, cAt + (<usize>i) * cStride + ((<usize>j) << 2), steps, bias, relu, biasFirst);
  }
  // The last columns, 4 at a time, then the 1–3 left over as the lanes of one vector (the other
  // lanes neither loaded nor stored).
  for (; j < n; j += 4) {
    const lanes = min(4, n - j);
    const b = bAt + ((<usize>j) << 2);
    const bias = biasAt ? biasAt + ((<usize>j) << 2) : 0;
    let i: i32 = 0;
    for (; i + 4 <= m; i += 4) tile4x4(aAt + (<usize>i) * aLane, aLane, aStep, b, bStep, cAt + (<usize>i) * cStride + ((<usize>j) << 2), cStride, steps, bias, relu, biasFirst, lanes);
    for (; i < m; i++) tile1x4(aAt + (<usize>i) * aLane, aStep, b, bStep, cAt + (<usize>i) * cStride + ((<usize>j) << 2), steps, bias, relu, biasFirst, lanes);
  }
}

/** The first `lanes` (1–4) floats at p, the other lanes zero. */
// @ts-ignore: decorator
@inline
function loadLanes(p: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(p);
  if (lanes == 1) return v128.load32_zero(p);
  if (lanes == 2) return v128.load64_zero(p);
  return v128.load32_lane(p + 8, v128.load64_zero(p), 2);
}

/** Store the first `lanes` (1–4) lanes of v at p. */
// @ts-ignore: decorator
@inline
function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v);
  else if (lanes == 1) v128.store32_lane(p, v, 0);
  else if (lanes == 2) v128.store64_lane(p, v, 0);
  else {
    v128.store64_lane(p, v, 0);
    v128.store32_lane(p + 8, v, 2);
  }
}

// @ts-ignore: decorator
@inline
function startLanes(bias: usize, biasFirst: bool, lanes: i32): v128 {
  return bias && biasFirst ? loadLanes(bias, lanes) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline
function finishLanes(acc: v128, bias: usize, relu: bool, biasFirst: bool, lanes: i32): v128 {
  const out = bias && !biasFirst ? f32x4.add(acc, loadLanes(bias, lanes)) : acc;
  return relu ? f32x4.max(out, f32x4.splat(0)) : out;
}

/**
 * acc + a·b in every lane. The build compiles this file twice: without relaxed SIMD the product is
 * rounded before the sum (bit-identical to tfjs's own kernels and to every golden number); with it,
 * `relaxed_madd` rounds once where the CPU fuses (x86 FMA3, Arm), one instruction instead of two.
 */
// @ts-ignore: decorator
@inline
function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline
function tile4x4(a: usize, aLane: usize, aStep: usize, b: usize, bStep: usize, c: usize, cStride: usize, steps: i32, bias: usize, relu: bool, biasFirst: bool, lanes: i32): void {
  const s = startLanes(bias, biasFirst, lanes);
  let c0 = s, c1 = s, c2 = s, c3 = s;
  const l2 = aLane + aLane;
  const l3 = l2 + aLane;
  for (let r: i32 = 0; r < steps; r++, a += aStep, b += bStep) {
    const bv = loadLanes(b, lanes);
    c0 = madd(c0, v128.load32_splat(a), bv);
    c1 = madd(c1, v128.load32_splat(a + aLane), bv);
    c2 = madd(c2, v128.load32_splat(a + l2), bv);
    c3 = madd(c3, v128.load32_splat(a + l3), bv);
  }
  storeLanes(c, finishLanes(c0, bias, relu, biasFirst, lanes), lanes);
  storeLanes(c + cStride, finishLanes(c1, bias, relu, biasFirst, lanes), lanes);
  storeLanes(c + 2 * cStride, finishLanes(c2, bias, relu, biasFirst, lanes), lanes);
  storeLanes(c + 3 * cStride, finishLanes(c3, bias, relu, biasFirst, lanes), lanes);
}

// @ts-ignore: decorator
@inline
function start(bias: usize, offset: usize, biasFirst: bool): v128 {
  return bias && biasFirst ? v128.load(bias + offset) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline
function finish(acc: v128, bias: usize, offset: usize, relu: bool, biasFirst: bool): v128 {
  let out = bias && !biasFirst ? f32x4.add(acc, v128.load(bias + offset)) : acc;
  return relu ? f32x4.max(out, f32x4.splat(0)) : out;
}

// @ts-ignore: decorator
@inline
function tile4x8(a: usize, aLane: usize, aStep: usize, b: usize, bStep: usize, c: usize, cStride: usize, steps: i32, bias: usize, relu: bool, biasFirst: bool): void {
  const s0 = start(bias, 0, biasFirst);
  const s1 = start(bias, 16, biasFirst);
  let c00 = s0, c01 = s1, c10 = s0, c11 = s1, c20 = s0, c21 = s1, c30 = s0, c31 = s1;
  const a1At = aLane;
  const a2At = aLane + aLane;
  const a3At = a2At + aLane;
  for (let r: i32 = 0; r < steps; r++, a += aStep, b += bStep) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a);
    const a1 = v128.load32_splat(a + a1At);
    const a2 = v128.load32_splat(a + a2At);
    const a3 = v128.load32_splat(a + a3At);
    c00 = madd(c00, a0, b0);
    c01 = madd(c01, a0, b1);
    c10 = madd(c10, a1, b0);
    c11 = madd(c11, a1, b1);
    c20 = madd(c20, a2, b0);
    c21 = madd(c21, a2, b1);
    c30 = madd(c30, a3, b0);
    c31 = madd(c31, a3, b1);
  }
  v128.store(c, finish(c00, bias, 0, relu, biasFirst));
  v128.store(c, finish(c01, bias, 16, relu, biasFirst), 16);
  v128.store(c + cStride, finish(c10, bias, 0, relu, biasFirst));
  v128.store(c + cStride, finish(c11, bias, 16, relu, biasFirst), 16);
  v128.store(c + 2 * cStride, finish(c20, bias, 0, relu, biasFirst));
  v128.store(c + 2 * cStride, finish(c21, bias, 16, relu, biasFirst), 16);
  v128.store(c + 3 * cStride, finish(c30, bias, 0, relu, biasFirst));
  v128.store(c + 3 * cStride, finish(c31, bias, 16, relu, biasFirst), 16);
}

// @ts-ignore: decorator
@inline
function tile1x8(a: usize, aStep: usize, b: usize, bStep: usize, c: usize, steps: i32, bias: usize, relu: bool, biasFirst: bool): void {
  let c0 = start(bias, 0, biasFirst), c1 = start(bias, 16, biasFirst);
  for (let r: i32 = 0; r < steps; r++, a += aStep, b += bStep) {
    const a0 = v128.load32_splat(a);
    c0 = madd(c0, a0, v128.load(b));
    c1 = madd(c1, a0, v128.load(b, 16));
  }
  v128.store(c, finish(c0, bias, 0, relu, biasFirst));
  v128.store(c, finish(c1, bias, 16, relu, biasFirst), 16);
}

// @ts-ignore: decorator
@inline
function tile1x4(a: usize, aStep: usize, b: usize, bStep: usize, c: usize, steps: i32, bias: usize, relu: bool, biasFirst: bool, lanes: i32): void {
  let c0 = startLanes(bias, biasFirst, lanes);
  for (let r: i32 = 0; r < steps; r++, a += aStep, b += bStep) c0 = madd(c0, v128.load32_splat(a), loadLanes(b, lanes));
  storeLanes(c, finishLanes(c0, bias, relu, biasFirst, lanes), lanes);
}

/** out = dy · step(y) (1 where y > 0, NaN where y is NaN, else 0): tfjs's ReLU gradient. */
export function reluGrad(dyAt: usize, yAt: usize, outAt: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const y = v128.load(yAt + o);
    const step = v128.bitselect(y, v128.bitselect(one, zero, f32x4.gt(y, zero)), f32x4.ne(y, y));
    v128.store(outAt + o, f32x4.mul(v128.load(dyAt + o), step));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const y = load<f32>(yAt + o);
    const step: f32 = y != y ? y : y > 0 ? 1 : 0;
    store<f32>(outAt + o, load<f32>(dyAt + o) * step);
  }
}

/** out [cols × rows] = xᵀ for x [rows × cols]. */
export function transpose(xAt: usize, outAt: usize, rows: i32, cols: i32): void {
  for (let r: i32 = 0; r < rows; r++) {
    for (let c: i32 = 0; c < cols; c++) store<f32>(outAt + ((<usize>(c * rows + r)) << 2), load<f32>(xAt + ((<usize>(r * cols + c)) << 2)));
  }
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

/**
 * out[b, :] (+)= e[b, :] · gate[b, k] for rows b, `h` wide; gate is [rows × n]. With `first` the row
 * starts from zero. Called for k = 0, 1, … it adds one expert at a time, in order: the sum tfjs
 * forms for Σ_k gate_k · e_k from a stack, a product and a sum over the experts' axis.
 */
export function mixAdd(outAt: usize, eAt: usize, gateAt: usize, n: i32, k: i32, rows: i32, h: i32, first: bool): void {
  const zero = f32x4.splat(0);
  for (let b: i32 = 0; b < rows; b++) {
    const g = load<f32>(gateAt + ((<usize>(b * n + k)) << 2));
    const gv = f32x4.splat(g);
    const row = (<usize>(b * h)) << 2;
    let j: i32 = 0;
    for (; j + 4 <= h; j += 4) {
      const o = row + ((<usize>j) << 2);
      const acc = first ? zero : v128.load(outAt + o);
      v128.store(outAt + o, f32x4.add(acc, f32x4.mul(v128.load(eAt + o), gv)));
    }
    for (; j < h; j++) {
      const o = row + ((<usize>j) << 2);
      const acc: f32 = first ? 0 : load<f32>(outAt + o);
      store<f32>(outAt + o, acc + load<f32>(eAt + o) * g);
    }
  }
}

/** The gradients of the mix for expert k: dE[b, :] = dy[b, :] · gate[b, k], dGate[b, k] = Σ_j dy[b, j] · e[b, j] (in order). */
export function mixGrad(dyAt: usize, eAt: usize, gateAt: usize, dEAt: usize, dGateAt: usize, n: i32, k: i32, rows: i32, h: i32): void {
  for (let b: i32 = 0; b < rows; b++) {
    const gi = (<usize>(b * n + k)) << 2;
    const g = load<f32>(gateAt + gi);
    const gv = f32x4.splat(g);
    const row = (<usize>(b * h)) << 2;
    let dot: f32 = 0;
    let j: i32 = 0;
    for (; j + 4 <= h; j += 4) {
      const o = row + ((<usize>j) << 2);
      const dy = v128.load(dyAt + o);
      v128.store(dEAt + o, f32x4.mul(dy, gv));
      const p = f32x4.mul(dy, v128.load(eAt + o));
      dot += f32x4.extract_lane(p, 0);
      dot += f32x4.extract_lane(p, 1);
      dot += f32x4.extract_lane(p, 2);
      dot += f32x4.extract_lane(p, 3);
    }
    for (; j < h; j++) {
      const o = row + ((<usize>j) << 2);
      const dy = load<f32>(dyAt + o);
      store<f32>(dEAt + o, dy * g);
      dot += dy * load<f32>(eAt + o);
    }
    store<f32>(dGateAt + gi, dot);
  }
}

/** out = −x. */
export function neg(xAt: usize, outAt: usize, n: i32): void {
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) v128.store(outAt + ((<usize>i) << 2), f32x4.neg(v128.load(xAt + ((<usize>i) << 2))));
  for (; i < n; i++) store<f32>(outAt + ((<usize>i) << 2), -load<f32>(xAt + ((<usize>i) << 2)));
}

/**
 * The embedded features of a batch, [B × (fc·dim + fn)]: each row's fc table rows (int32 ids) times
 * the row's mask, then its fn numeric values. Returns the number of ids outside [0, tableRows).
 */
export function embedRows(tableAt: usize, idsAt: usize, maskAt: usize, numAt: usize, outAt: usize, rows: i32, fc: i32, fn: i32, dim: i32, tableRows: i32): i32 {
  let bad: i32 = 0;
  const width = fc * dim + fn;
  for (let b: i32 = 0; b < rows; b++) {
    const out = outAt + ((<usize>(b * width)) << 2);
    for (let f: i32 = 0; f < fc; f++) {
      const id = load<i32>(idsAt + ((<usize>(b * fc + f)) << 2));
      const m = load<f32>(maskAt + ((<usize>(b * fc + f)) << 2));
      const o = out + ((<usize>(f * dim)) << 2);
      if (id < 0 || id >= tableRows) {
        bad++;
        for (let c: i32 = 0; c < dim; c++) store<f32>(o + ((<usize>c) << 2), 0);
        continue;
      }
      const src = tableAt + ((<usize>(id * dim)) << 2);
      for (let c: i32 = 0; c < dim; c++) store<f32>(o + ((<usize>c) << 2), load<f32>(src + ((<usize>c) << 2)) * m);
    }
    const nf = out + ((<usize>(fc * dim)) << 2);
    const ns = numAt + ((<usize>(b * fn)) << 2);
    for (let j: i32 = 0; j < fn; j++) store<f32>(nf + ((<usize>j) << 2), load<f32>(ns + ((<usize>j) << 2)));
  }
  return bad;
}

/**
 * The table's gradient from the embedded features' gradient dy [B × (fc·dim + fn)]: zero, then for
 * each row and field in order, table[id] += dy[b, f·dim…] · mask[b, f] (the product rounded, then
 * added): the masked product, gather gradient and segment sum tfjs would run, in their order.
 */
export function embedGrad(dyAt: usize, idsAt: usize, maskAt: usize, outAt: usize, rows: i32, fc: i32, fn: i32, dim: i32, tableRows: i32): void {
  memory.fill(outAt, 0, (<usize>(tableRows * dim)) << 2);
  const width = fc * dim + fn;
  for (let b: i32 = 0; b < rows; b++) {
    for (let f: i32 = 0; f < fc; f++) {
      const id = load<i32>(idsAt + ((<usize>(b * fc + f)) << 2));
      if (id < 0 || id >= tableRows) continue;
      const m = load<f32>(maskAt + ((<usize>(b * fc + f)) << 2));
      const dy = dyAt + ((<usize>(b * width + f * dim)) << 2);
      const o = outAt + ((<usize>(id * dim)) << 2);
      for (let c: i32 = 0; c < dim; c++) {
        const p: f32 = load<f32>(dy + ((<usize>c) << 2)) * m;
        store<f32>(o + ((<usize>c) << 2), load<f32>(o + ((<usize>c) << 2)) + p);
      }
    }
  }
}

/** Copy x [rows × w] into columns [col, col + w) of out [rows × width]. */
export function placeColumns(xAt: usize, outAt: usize, rows: i32, w: i32, width: i32, col: i32): void {
  const bytes = (<usize>w) << 2;
  for (let r: i32 = 0; r < rows; r++) memory.copy(outAt + ((<usize>(r * width + col)) << 2), xAt + ((<usize>(r * w)) << 2), bytes);
}

/**
 * out = a ∘ b elementwise (op 0 +, 1 −, 2 ×, 3 ÷) for a of n values and b of m values repeated over
 * a's leading axes (m = n: the same shape; m = 1: a scalar); `swap` reads b ∘ a instead (the
 * broadcast operand on the left). IEEE float32 lane by lane, as tfjs-wasm's binary kernels.
 */
export function binary(op: i32, aAt: usize, bAt: usize, outAt: usize, n: i32, m: i32, swap: bool): void {
  if (m == 1) {
    const s = f32x4.splat(load<f32>(bAt));
    const sb = load<f32>(bAt);
    let i: i32 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = (<usize>i) << 2;
      const x = v128.load(aAt + o);
      v128.store(outAt + o, swap ? apply(op, s, x) : apply(op, x, s));
    }
    for (; i < n; i++) {
      const o = (<usize>i) << 2;
      const x = load<f32>(aAt + o);
      store<f32>(outAt + o, swap ? applyScalar(op, sb, x) : applyScalar(op, x, sb));
    }
    return;
  }
  for (let r: i32 = 0; r < n; r += m) {
    const row = (<usize>r) << 2;
    let j: i32 = 0;
    for (; j + 4 <= m; j += 4) {
      const o = (<usize>j) << 2;
      const x = v128.load(aAt + row + o);
      const y = v128.load(bAt + o);
      v128.store(outAt + row + o, swap ? apply(op, y, x) : apply(op, x, y));
    }
    for (; j < m; j++) {
      const o = (<usize>j) << 2;
      const x = load<f32>(aAt + row + o);
      const y = load<f32>(bAt + o);
      store<f32>(outAt + row + o, swap ? applyScalar(op, y, x) : applyScalar(op, x, y));
    }
  }
}

// @ts-ignore: decorator
@inline
function apply(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline
function applyScalar(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}
