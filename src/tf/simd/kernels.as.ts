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
