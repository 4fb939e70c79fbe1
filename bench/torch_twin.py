"""PyTorch twins of crossab's shared-bottom and MMoE strategies, for the training-throughput yardstick.

Reads the batch dump written by bench.ts (same data, same shapes), trains with Adam on one thread and
prints samples/s as JSON. Same architecture as src/strategies: one masked embedding table over all
categorical fields, numeric fields appended, ReLU MLPs, one tower per domain, single-domain batches.
"""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(1)

meta = json.load(open(sys.argv[1]))
base = sys.argv[1][:-len('.json')]
cat = np.fromfile(base + '.cat', dtype=np.int32).reshape(-1, meta['fc'])
mask = np.fromfile(base + '.mask', dtype=np.float32).reshape(-1, meta['fc'])
num = np.fromfile(base + '.num', dtype=np.float32).reshape(-1, meta['fn'])
click = np.fromfile(base + '.click', dtype=np.float32)
domain = np.fromfile(base + '.domain', dtype=np.uint8)


def mlp(inp, hidden):
    layers = []
    for h in hidden:
        layers += [nn.Linear(inp, h), nn.ReLU()]
        inp = h
    return nn.Sequential(*layers), inp


class SharedBottom(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(meta['tableRows'], meta['dim'])
        inp = meta['fc'] * meta['dim'] + meta['fn']
        self.bottom, h = mlp(inp, meta['hidden'])
        self.towers = nn.ModuleList([nn.Sequential(mlp(h, meta['tower'])[0], nn.Linear(meta['tower'][-1] if meta['tower'] else h, 1)) for _ in range(meta['domains'])])

    def forward(self, c, m, x, d):
        e = (self.emb(c) * m.unsqueeze(2)).flatten(1)
        return self.towers[d](self.bottom(torch.cat([e, x], 1))).squeeze(1)


class MMoE(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(meta['tableRows'], meta['dim'])
        inp = meta['fc'] * meta['dim'] + meta['fn']
        self.experts = nn.ModuleList([mlp(inp, meta['hidden'])[0] for _ in range(meta['experts'])])
        self.gates = nn.ModuleList([nn.Linear(inp, meta['experts']) for _ in range(meta['domains'])])
        h = meta['hidden'][-1]
        self.towers = nn.ModuleList([nn.Sequential(mlp(h, meta['tower'])[0], nn.Linear(meta['tower'][-1] if meta['tower'] else h, 1)) for _ in range(meta['domains'])])

    def forward(self, c, m, x, d):
        inp = torch.cat([(self.emb(c) * m.unsqueeze(2)).flatten(1), x], 1)
        experts = torch.stack([e(inp) for e in self.experts], 1)
        g = torch.softmax(self.gates[d](inp), 1).unsqueeze(2)
        return self.towers[d]((experts * g).sum(1)).squeeze(1)


def throughput(model, batch, steps=30, warmup=5):
    opt = torch.optim.Adam(model.parameters(), lr=meta['lr'])
    loss_fn = nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(1)
    by_domain = [np.nonzero(domain == d)[0] for d in range(meta['domains'])]
    weights = np.array([len(r) for r in by_domain], dtype=float)
    weights /= weights.sum()
    samples = 0
    t0 = 0.0
    for k in range(warmup + steps):
        if k == warmup:
            t0 = time.perf_counter()
        d = int(rng.choice(len(by_domain), p=weights))
        rows = rng.choice(by_domain[d], size=batch, replace=len(by_domain[d]) < batch)
        c = torch.from_numpy(cat[rows].astype(np.int64))
        m = torch.from_numpy(mask[rows])
        x = torch.from_numpy(num[rows])
        y = torch.from_numpy(click[rows])
        opt.zero_grad()
        loss = loss_fn(model(c, m, x, d), y)
        loss.backward()
        opt.step()
        if k >= warmup:
            samples += batch
    return samples / (time.perf_counter() - t0)


out = {}
for batch in meta['batches']:
    out[str(batch)] = {'shared-bottom': throughput(SharedBottom(), batch), 'mmoe': throughput(MMoE(), batch)}
print(json.dumps(out))
