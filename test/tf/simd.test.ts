// crossab's wasm SIMD kernels (src/tf/simd/) against tfjs's own wasm kernels doing the same
// arithmetic: identical bits. The reference for a transposed product or a sum over leading axes is
// tfjs's path without our kernels: an explicit transpose, then its plain product or innermost sum.
// Those comparisons are of the exact build; the fused build (relaxed SIMD multiply-add, the default
// where V8 runs it) is compared with a float64 product at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { readFileSync } from 'node:fs';
import { kernelBuild, kernelModule, wasmHeap, type SimdKernels } from '../../src/tf/simd.js';
import { UserError } from '../../src/util/errors.js';
import { wave } from '../helpers/tensors.js';

// Read when the kernels first load, after the imports: this file's bit-for-bit tests are the exact build's.
process.env.CROSSAB_FMA = '0';

const data = (shape: number[], seed: number) => wave(shape, seed);
const same = (actual: tf.Tensor, expected: tf.Tensor, what: string) => {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const differing = a.filter((x, k) => !Object.is(x, e[k])).length;
  assert.equal(differing, 0, `${what}: ${differing} of ${a.length} values differ`);
};

test("products by the SIMD kernels (A·B, Aᵀ·B, A·Bᵀ, batched) equal tfjs-wasm's XNNPACK product of explicitly transposed operands, bit for bit", async () => {
  await selectBackend('wasm');
  assert.ok(wasmHeap(), 'the kernels load on wasm');
  // tfjs's own product: its fused kernel (XNNPACK, which crossab does not replace) with no bias.
  const last2 = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
  const reference = (a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean) =>
    tf.fused.matMul({ a: (tA ? tf.transpose(a, last2(a.rank)) : a) as tf.Tensor2D, b: (tB ? tf.transpose(b, last2(b.rank)) : b) as tf.Tensor2D });
  // Tiles of 4 × 8 with every remainder: rows mod 4, columns mod 8 and mod 4, single rows and columns, batches.
  for (const [m, k, n, batch] of [
    [512, 91, 64, 0],
    [512, 64, 32, 0],
    [512, 16, 1, 0],
    [37, 13, 11, 0],
    [5, 3, 6, 0],
    [1, 1, 1, 0],
    [16, 32, 16, 3],
    [33, 7, 12, 2],
  ]) {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      tf.tidy(() => {
        const lead = batch ? [batch] : [];
        const a = data([...lead, ...(tA ? [k, m] : [m, k])], 1);
        const b = data([...lead, ...(tB ? [n, k] : [k, n])], 2);
        same(tf.matMul(a, b, tA, tB), reference(a, b, tA, tB), `${a.shape}${tA ? 'ᵀ' : ''} × ${b.shape}${tB ? 'ᵀ' : ''}`);
      });
    }
  }
});

test('sums and means over leading and middle axes by the SIMD kernel equal tfjs-wasm transposing them last and reducing, bit for bit', async () => {
  await selectBackend('wasm');
  const cases: [number[], number[], boolean][] = [
    [[512, 64], [0], false],
    [[512, 3], [0], true],
    [[512, 4, 32], [1], false],
    [[6, 5, 4, 7], [1, 2], false],
    [[6, 5, 4, 7], [0, 1, 2], true],
    [[9, 1], [-2], false],
  ];
  // Every axis (no axis given) stays with tfjs's kernel, with its gradient.
  tf.tidy(() => {
    const x = data([8, 5], 4);
    same(tf.sum(x), tf.sum(tf.reshape(x, [-1])), 'sum of everything');
    same(tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x), tf.step(x), 'gradient of a sum of everything');
  });
  for (const [shape, axes, keepDims] of cases) {
    tf.tidy(() => {
      const x = data(shape, 3);
      const r = shape.length;
      const positive = axes.map((a) => (a < 0 ? a + r : a));
      const rest = [...shape.keys()].filter((k) => !positive.includes(k));
      const moved = tf.transpose(x, [...rest, ...positive]);
      const innermost = positive.map((_, i) => rest.length + i);
      const expected = tf.sum(moved, innermost, false);
      const actual = tf.sum(x, axes, keepDims);
      same(keepDims ? tf.reshape(actual, expected.shape) : actual, expected, `sum of ${shape} over ${axes}`);
      const mean = tf.mean(x, axes, keepDims);
      same(keepDims ? tf.reshape(mean, expected.shape) : mean, tf.mean(moved, innermost, false), `mean of ${shape} over ${axes}`);
      if (keepDims)
        assert.deepEqual(
          actual.shape,
          shape.map((d, k) => (positive.includes(k) ? 1 : d)),
        );
    });
  }
});

test('CROSSAB_FMA chooses the build: 0 exact, 1 fused where V8 runs relaxed SIMD; anything else is refused by name', () => {
  assert.equal(kernelBuild(), 'exact', 'this file asked for the exact build');
  assert.throws(
    () => kernelBuild({ CROSSAB_FMA: 'yes' }),
    (e: Error) => e instanceof UserError && /CROSSAB_FMA must be 0 .* got 'yes'/.test(e.message),
  );
});

test('the fused build computes A·B and Aᵀ·B within float32 rounding of a float64 product, rounding once where the CPU has FMA', () => {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const load = (kind: 'exact' | 'fused') => new WebAssembly.Instance(kernelModule(kind), { env: { memory } }).exports as unknown as SimdKernels;
  const exact = load('exact');
  const fused = load('fused');
  const f32 = new Float32Array(memory.buffer);
  // 4 × 8 tiles, a 4-wide column block, 1–3 left-over columns and rows, 300 steps for rounding to add up.
  const [m, k, n] = [67, 300, 15];
  const a = 0;
  const b = m * k;
  const [cExact, cFused] = [b + k * n, b + k * n + m * n];
  for (let i = 0; i < m * k; i++) f32[a + i] = Math.fround(Math.sin(i * 0.37 + 1) * (1 + (i % 7)));
  for (let i = 0; i < k * n; i++) f32[b + i] = Math.fround(Math.cos(i * 0.53 + 2) * (1 + (i % 5)));
  const error = (c: number, ref: (i: number, j: number) => number) => {
    let sum = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sum += Math.abs(f32[c + i * n + j] - ref(i, j));
    return sum / (m * n);
  };
  const nn = (i: number, j: number) => {
    let s = 0;
    for (let r = 0; r < k; r++) s += f32[a + i * k + r] * f32[b + r * n + j];
    return s;
  };
  exact.matmulNN(a * 4, b * 4, cExact * 4, 0, m, k, n, false, false);
  fused.matmulNN(a * 4, b * 4, cFused * 4, 0, m, k, n, false, false);
  const [eExact, eFused] = [error(cExact, nn), error(cFused, nn)];
  const scale = error(cExact, () => 0);
  assert.ok(eFused < 1e-6 * scale * k, `fused product's mean error ${eFused} against a float64 product (values ~${scale})`);
  let differing = 0;
  for (let i = 0; i < m * n; i++) if (f32[cExact + i] !== f32[cFused + i]) differing++;
  // x86's FMA3 (and every 64-bit Arm) fuses; V8 falls back to a product and a sum on CPUs without it.
  const fuses = process.arch === 'arm64' || /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  if (fuses) {
    assert.ok(differing > 0, 'on a CPU with FMA the fused build rounds differently from the exact one');
    assert.ok(eFused <= eExact, `one rounding a step is no less accurate: fused ${eFused} vs exact ${eExact}`);
  } else assert.equal(differing, 0);
  // Aᵀ·B with A stored [k × m]: the same arithmetic through the other tile walk.
  const tn = (i: number, j: number) => {
    let s = 0;
    for (let r = 0; r < k; r++) s += f32[a + r * m + i] * f32[b + r * n + j];
    return s;
  };
  fused.matmulTN(a * 4, b * 4, cFused * 4, k, m, n);
  assert.ok(error(cFused, tn) < 1e-6 * scale * k, 'fused Aᵀ·B within rounding');
});
