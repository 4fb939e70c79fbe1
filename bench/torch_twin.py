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


class Separate(nn.Module):
    """One embedding + MLP + head per domain."""
    def __init__(self):
        super().__init__()
        inp = meta['fc'] * meta['dim'] + meta['fn']
        self.embs = nn.ModuleList([nn.Embedding(meta['tableRows'], meta['dim']) for _ in range(meta['domains'])])
        self.nets = nn.ModuleList([nn.Sequential(mlp(inp, meta['hidden'] + meta['tower'])[0], nn.Linear((meta['hidden'] + meta['tower'])[-1], 1)) for _ in range(meta['domains'])])

    def forward(self, c, m, x, d):
        e = (self.embs[d](c) * m.unsqueeze(2)).flatten(1)
        return self.nets[d](torch.cat([e, x], 1)).squeeze(1)


class IdFeature(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(meta['tableRows'], meta['dim'])
        self.dom = nn.Embedding(meta['domains'], meta['dim'])
        inp = meta['fc'] * meta['dim'] + meta['fn'] + meta['dim']
        self.net = nn.Sequential(mlp(inp, meta['hidden'] + meta['tower'])[0], nn.Linear((meta['hidden'] + meta['tower'])[-1], 1))

    def forward(self, c, m, x, d):
        e = (self.emb(c) * m.unsqueeze(2)).flatten(1)
        dom = self.dom(torch.full((c.shape[0],), d, dtype=torch.long))
        return self.net(torch.cat([e, x, dom], 1)).squeeze(1)


class Star(nn.Module):
    """Partitioned normalisation, shared ⊙ domain weights, auxiliary network (as src/strategies/star.ts)."""
    def __init__(self):
        super().__init__()
        D = meta['domains']
        self.emb = nn.Embedding(meta['tableRows'], meta['dim'])
        inp = meta['fc'] * meta['dim'] + meta['fn']
        self.g = nn.Parameter(torch.ones(inp)); self.b = nn.Parameter(torch.zeros(inp))
        self.gd = nn.Parameter(torch.ones(D, inp)); self.bd = nn.Parameter(torch.zeros(D, inp))
        sizes = [inp] + meta['hidden'] + meta['tower'] + [1]
        self.w = nn.ParameterList([nn.Parameter(torch.randn(a, b) * (2 / a) ** 0.5) for a, b in zip(sizes, sizes[1:])])
        self.wd = nn.ParameterList([nn.Parameter(torch.ones(D, a, b)) for a, b in zip(sizes, sizes[1:])])
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(b)) for b in sizes[1:]])
        self.biasd = nn.ParameterList([nn.Parameter(torch.zeros(D, b)) for b in sizes[1:]])
        self.dom = nn.Embedding(D, meta['dim'])
        self.aux = nn.Sequential(nn.Linear(inp + meta['dim'], meta['tower'][0] if meta['tower'] else 8), nn.ReLU(), nn.Linear(meta['tower'][0] if meta['tower'] else 8, 1))

    def forward(self, c, m, x, d):
        z = torch.cat([(self.emb(c) * m.unsqueeze(2)).flatten(1), x], 1)
        mean, var = z.mean(0), z.var(0, unbiased=False)
        h = (z - mean) / torch.sqrt(var + 1e-5) * (self.g * self.gd[d]) + (self.b + self.bd[d])
        for k, (w, wd, b, bd) in enumerate(zip(self.w, self.wd, self.bias, self.biasd)):
            h = h @ (w * wd[d]) + (b + bd[d])
            if k < len(self.w) - 1:
                h = torch.relu(h)
        dom = self.dom(torch.full((c.shape[0],), d, dtype=torch.long))
        return (h + self.aux(torch.cat([dom, z], 1))).squeeze(1)


class PLE(nn.Module):
    """CGC levels with shared and per-domain experts; lower levels run every domain's path."""
    def __init__(self):
        super().__init__()
        D, E, S, L = meta['domains'], meta['experts'], meta['specificExperts'], meta['levels']
        self.emb = nn.Embedding(meta['tableRows'], meta['dim'])
        inp = meta['fc'] * meta['dim'] + meta['fn']
        h = meta['hidden'][-1]
        self.levels = nn.ModuleList()
        for l in range(L):
            i = inp if l == 0 else h
            lv = nn.Module()
            lv.shared = nn.ModuleList([mlp(i, meta['hidden'])[0] for _ in range(E)])
            lv.specific = nn.ModuleList([nn.ModuleList([mlp(i, meta['hidden'])[0] for _ in range(S)]) for _ in range(D)])
            lv.gates = nn.ModuleList([nn.Linear(i, S + E) for _ in range(D)])
            lv.sgate = nn.Linear(i, D * S + E) if l < L - 1 else None
            self.levels.append(lv)
        self.towers = nn.ModuleList([nn.Sequential(mlp(h, meta['tower'])[0], nn.Linear(meta['tower'][-1] if meta['tower'] else h, 1)) for _ in range(D)])

    def forward(self, c, m, x, d):
        z = torch.cat([(self.emb(c) * m.unsqueeze(2)).flatten(1), x], 1)
        D = meta['domains']
        inputs, shared_in = [z] * D, z
        mix = lambda g, es: (torch.stack(es, 1) * torch.softmax(g, 1).unsqueeze(2)).sum(1)
        for lv in self.levels:
            shared = [e(shared_in) for e in lv.shared]
            if lv.sgate is not None:
                spec = [[e(inputs[k]) for e in lv.specific[k]] for k in range(D)]
                nxt = [mix(lv.gates[k](inputs[k]), spec[k] + shared) for k in range(D)]
                shared_in = mix(lv.sgate(shared_in), [e for s in spec for e in s] + shared)
                inputs = nxt
            else:
                spec = [e(inputs[d]) for e in lv.specific[d]]
                inputs[d] = mix(lv.gates[d](inputs[d]), spec + shared)
        return self.towers[d](inputs[d]).squeeze(1)


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
    out[str(batch)] = {name: throughput(cls(), batch) for name, cls in
                       [('separate', Separate), ('id-feature', IdFeature), ('shared-bottom', SharedBottom), ('mmoe', MMoE), ('ple', PLE), ('star', Star)]}
print(json.dumps(out))
