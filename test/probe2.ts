import { headTail } from './helpers/worlds.js';
import { selectBackend } from '../src/tf/backend.js';
import { prepare } from '../src/pipeline.js';
import { fitStrategy } from '../src/train/trainer.js';
import { strategy } from '../src/strategies/registry.js';
await selectBackend('wasm');
const s = headTail(1, 0.05);
const p = await prepare(s, 1);
const tailTest = Int32Array.from(Array.from(p.split.test).filter((r) => p.ds.domain[r] === 1));
let n = 0;
const t = await fitStrategy(strategy('separate'), p.ds, p.split, p.history, s.training, 1, (e) => {
  if (e.type === 'epoch') console.log('epoch', ++n, e.epoch, e.loss.toFixed(4), e.validAuc.toFixed(4), e.stopped);
});
const pr = t.predict(tailTest).click; const v = Array.from(tailTest, (r) => pr[r]);
console.log('tail', Math.min(...v), Math.max(...v), 'valid tail n', Array.from(p.split.valid).filter((r) => p.ds.domain[r] === 1).length);
import { makeBatch } from '../src/train/data.js';
const vrows = Int32Array.from(Array.from(p.split.train).filter((r) => p.ds.domain[r] === 1).slice(0, 256));
for (const bs of [256, 100]) {
  const b = makeBatch(p.ds, vrows.subarray(0, bs), 1);
  const o = t.model.forward(b, true).click.dataSync();
  console.log(bs, 'train-mode', Math.min(...o), Math.max(...o));
}
const b2 = makeBatch(p.ds, vrows, -1);
try { const o = t.model.forward(b2, true).click.dataSync(); console.log(Math.min(...o)); } catch (e) { console.log(String(e)); }
