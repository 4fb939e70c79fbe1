"""PyTorch twins of crossab's strategies: the training-throughput yardstick of `npm run bench`.

Reads the dump of the default scenario's training rows that bench.ts writes (same data, same shapes),
then answers one request per line on stdin, {"strategy", "batch", "steps", "warmup"}, with one JSON
line: samples/s over the timed steps, and the process's CPU seconds beside the wall seconds (so the
caller can see that one thread was used). A persistent process, so the bench can interleave tfjs and
PyTorch measurements (A, B, A, B...) without paying Python's start-up between them.

Twins: the seven core strategies, OMoE, the ESMM variants of shared-bottom and PLE, cross-stitch,
shared-private, MLoRA, soft sharing, PEPNet, sluice networks, POSO, AdaTT, AITM and APG (group-, mix- and self-wise),
HAMUR, M2M, and shared-bottom-esmm trained with GradNorm's task weights ('shared-bottom-esmm+gradnorm'). Each has crossab's architecture (src/models/): one masked embedding table over all categorical
fields with the numeric fields appended, ReLU MLPs, one tower per domain, single-domain batches, Adam,
BCE with logits. Written the way a PyTorch user would write them (nn.Module, experts in a ModuleList),
not with crossab's kernel-level tricks. Gradients are cleared with set_to_none, so, as in crossab, a
step's Adam update touches only the variables the step used (separate: one domain's network).

Threads: the caller sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS to 1 in this
process's environment (they must be set before torch loads); here torch's own pools are pinned too.
"""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

meta = json.load(open(sys.argv[1]))
base = sys.argv[1][:-len('.json')]
FC, FN, DIM, D = meta['fc'], meta['fn'], meta['dim'], meta['domains']
HIDDEN, TOWER, E = meta['hidden'], meta['tower'], meta['experts']
cat = torch.from_numpy(np.fromfile(base + '.cat', dtype=np.int32).reshape(-1, FC).astype(np.int64))
mask = torch.from_numpy(np.fromfile(base + '.mask', dtype=np.float32).reshape(-1, FC))
num = torch.from_numpy(np.fromfile(base + '.num', dtype=np.float32).reshape(-1, FN))
click = torch.from_numpy(np.fromfile(base + '.click', dtype=np.float32))
conv = torch.from_numpy(np.fromfile(base + '.conv', dtype=np.float32))
domain = np.fromfile(base + '.domain', dtype=np.uint8)
user = np.fromfile(base + '.user', dtype=np.int32)
activity = torch.from_numpy(np.fromfile(base + '.activity', dtype=np.uint8).astype(np.int64))
INP = FC * DIM + FN
# The training rows come first in the dump; after them, for the AUC parity, the validation and test rows.
N_TRAIN = meta.get('nTrain', len(domain))
N_VALID = meta.get('nValid', 0)
ACTIVITY_LEVELS = meta['activityLevels']


def mlp(inp, hidden, last_relu=True):
    layers = []
    for k, h in enumerate(hidden):
        layers.append(nn.Linear(inp, h))
        if last_relu or k < len(hidden) - 1:
            layers.append(nn.ReLU())
        inp = h
    return nn.Sequential(*layers)


def tower(inp, hidden):
    """crossab's Tower: an MLP, then a linear head to one logit."""
    return nn.Sequential(mlp(inp, hidden), nn.Linear(hidden[-1] if hidden else inp, 1))


class Embedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(meta['tableRows'], DIM)

    def forward(self, b):
        return torch.cat([(self.table(b['cat']) * b['mask'].unsqueeze(2)).flatten(1), b['num']], 1)


class Separate(nn.Module):
    def __init__(self):
        super().__init__()
        self.embs = nn.ModuleList([Embedding() for _ in range(D)])
        self.nets = nn.ModuleList([tower(INP, HIDDEN + TOWER) for _ in range(D)])

    def forward(self, b, d):
        return {'click': self.nets[d](self.embs[d](b)).squeeze(1)}


class IdFeature(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb, self.dom = Embedding(), nn.Embedding(D, DIM)
        self.net = tower(INP + DIM, HIDDEN + TOWER)

    def forward(self, b, d):
        return {'click': self.net(torch.cat([self.emb(b), self.dom(b['domain'])], 1)).squeeze(1)}


class SharedBottom(nn.Module):
    def __init__(self, conversion=False):
        super().__init__()
        self.emb, self.bottom = Embedding(), mlp(INP, HIDDEN)
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])
        self.cvr = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)]) if conversion else None

    def forward(self, b, d):
        h = self.bottom(self.emb(b))
        return {'click': self.towers[d](h).squeeze(1), 'cvr': self.cvr[d](h).squeeze(1) if self.cvr else None}


class LoraLayer(nn.Module):
    """MLoRA's layer (Yang et al., CIKM 2024): relu(h W + b + (h A_d) B_d + b_d), B_d and b_d from zero."""
    def __init__(self, inp, out, rank):
        super().__init__()
        self.shared = nn.Linear(inp, out)
        self.a = nn.ParameterList([nn.Parameter(nn.init.xavier_uniform_(torch.empty(inp, rank))) for _ in range(D)])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(rank, out)) for _ in range(D)])
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(out)) for _ in range(D)])

    def forward(self, h, d):
        return torch.relu(self.shared(h) + (h @ self.a[d]) @ self.b[d] + self.bias[d])


class MLoRA(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        sizes = [INP] + HIDDEN
        self.layers = nn.ModuleList([LoraLayer(sizes[k], sizes[k + 1], meta['loraRank']) for k in range(len(HIDDEN))])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        h = self.emb(b)
        for layer in self.layers:
            h = layer(h, d)
        return {'click': self.towers[d](h).squeeze(1)}


class Hamur(nn.Module):
    """HAMUR (Li et al., CIKM 2023; src/models/hamur.ts): a column per domain; after it an adapter cell
    whose weights U·H(x)·V a shared hyper-network generates per sample (H: k × k), the domain norm over
    the batch with the domain's gamma and beta, the short-cut; a tower per domain."""
    def __init__(self):
        super().__init__()
        k, m, B = meta['hamurRank'], HIDDEN[-1], 32
        self.k = k
        self.emb, self.dom = Embedding(), nn.Embedding(D, DIM)
        self.cols = nn.ModuleList([mlp(INP, HIDDEN) for _ in range(D)])
        self.hyper = mlp(INP + DIM, [64, k * k])
        self.u1, self.v1 = nn.Parameter(torch.randn(m, k) * (2 / m) ** 0.5), nn.Parameter(torch.randn(k, B) * (2 / k) ** 0.5)
        self.u2, self.v2 = nn.Parameter(torch.randn(B, k) * (2 / B) ** 0.5), nn.Parameter(torch.randn(k, m) * (2 / (k + m)) ** 0.5)
        self.b1, self.b2 = nn.Parameter(torch.zeros(B)), nn.Parameter(torch.zeros(m))
        self.gamma = nn.ParameterList([nn.Parameter(torch.ones(m)) for _ in range(D)])
        self.beta = nn.ParameterList([nn.Parameter(torch.zeros(m)) for _ in range(D)])
        self.towers = nn.ModuleList([tower(m, TOWER) for _ in range(D)])

    def forward(self, b, d):
        e = self.emb(b)
        H = self.hyper(torch.cat([e, self.dom(b['domain'])], 1)).view(-1, self.k, self.k)
        h = self.cols[d](e)
        s = torch.sigmoid(torch.einsum('bi,bij,jn->bn', h @ self.u1, H, self.v1) + self.b1)
        a = torch.einsum('bi,bij,jn->bn', s @ self.u2, H, self.v2) + self.b2
        a = (a - a.mean(0)) / torch.sqrt(a.var(0, unbiased=False) + 1e-5)
        return {'click': self.towers[d](h + self.gamma[d] * a + self.beta[d]).squeeze(1)}


class MetaUnit(nn.Module):
    """M2M's meta unit: relu(h (reshape(s G_w) + C_w) + s G_b + c_b), weights generated from the scenario."""
    def __init__(self, inp, out, s_dim):
        super().__init__()
        self.inp, self.out = inp, out
        self.cw = nn.Parameter(torch.randn(inp, out) * (2 / inp) ** 0.5)
        self.gw = nn.Parameter(torch.randn(s_dim, inp * out) * 0.01)
        self.cb, self.gb = nn.Parameter(torch.zeros(out)), nn.Parameter(torch.randn(s_dim, out) * 0.01)

    def weights(self, s):
        return (s @ self.gw).view(self.inp, self.out) + self.cw, (s @ self.gb).view(self.out) + self.cb


class M2M(nn.Module):
    """M2M (Zhang et al., WSDM 2022; src/models/m2m.ts): shared experts; the domain's knowledge
    s = relu(Linear(e_d)) generates the attention over the experts and a residual meta tower."""
    def __init__(self):
        super().__init__()
        m = HIDDEN[-1]
        self.emb, self.dom, self.know = Embedding(), nn.Embedding(D, DIM), nn.Linear(DIM, DIM)
        self.experts = nn.ModuleList([mlp(INP, HIDDEN) for _ in range(E)])
        self.task = nn.Parameter(torch.randn(1, DIM) * 0.05)
        self.att = MetaUnit(m + DIM, m, DIM)
        self.v = nn.Linear(m, 1, bias=False)
        self.tower = nn.ModuleList([MetaUnit(m, m, DIM) for _ in TOWER])
        self.head, self.bias = nn.Linear(m, 1), nn.Parameter(torch.zeros(D))

    def forward(self, b, d):
        x = self.emb(b)
        s = torch.relu(self.know(self.dom.weight[d:d + 1]))
        e = [ex(x) for ex in self.experts]
        w, bb = self.att.weights(s)
        t = self.task.expand(x.shape[0], -1)
        alpha = torch.softmax(torch.cat([self.v(torch.relu(torch.cat([ei, t], 1) @ w + bb)) for ei in e], 1), 1)
        h = sum(alpha[:, k:k + 1] * ei for k, ei in enumerate(e))
        for unit in self.tower:
            w, bb = unit.weights(s)
            h = torch.relu(h @ w + bb) + h
        return {'click': self.head(h).squeeze(1) + self.bias[d]}


class SoftSharing(nn.Module):
    """Soft parameter sharing (Duong et al., ACL 2015): a column per domain, λ Σ_l Σ_d ||W_l^d - mean_d W_l||²."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        self.cols = nn.ModuleList([mlp(INP, HIDDEN) for _ in range(D)])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        return {'click': self.towers[d](self.cols[d](self.emb(b))).squeeze(1)}

    def extra_loss(self, rng):
        total = 0.0
        for layers in zip(*[[m for m in col if isinstance(m, nn.Linear)] for col in self.cols]):
            ws = torch.stack([m.weight for m in layers])
            total = total + ((ws - ws.mean(0)) ** 2).sum()
        return meta['softSharing'] * total


class GateNU(nn.Module):
    """PEPNet's Gate NU (Chang et al., KDD 2023, eq. 1-2): 2 * sigmoid(W2 relu(W1 x + b1) + b2)."""
    def __init__(self, inp, hidden, out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(inp, hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x):
        return 2 * torch.sigmoid(self.net(x))


class PEPNet(nn.Module):
    """EPNet scales each field of the embedding by a gate on [domain embedding, E.detach()]; PPNet each
    hidden layer's units by a gate on [experience-level embedding, O_ep.detach()]; a tower per domain."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        fields = FC + FN
        self.domain = nn.Embedding(D, DIM)
        self.ep = GateNU(DIM + INP, max(8, fields), fields)
        self.activity = nn.Embedding(ACTIVITY_LEVELS, DIM)
        sizes = [INP] + HIDDEN
        self.layers = nn.ModuleList([nn.Linear(sizes[k], sizes[k + 1]) for k in range(len(HIDDEN))])
        self.pp = nn.ModuleList([GateNU(DIM + INP, max(8, h // 2), h) for h in HIDDEN])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])
        # Each field's factor spread over its columns: DIM columns per categorical field, one per numeric.
        self.register_buffer('width', torch.tensor([DIM] * FC + [1] * FN))

    def forward(self, b, d):
        e = self.emb(b)
        delta = self.ep(torch.cat([self.domain(b['domain']), e.detach()], 1))
        oep = e * torch.repeat_interleave(delta, self.width, dim=1)
        personal = torch.cat([self.activity(b['activity']), oep.detach()], 1)
        h = oep
        for layer, gate in zip(self.layers, self.pp):
            h = F.relu(layer(h)) * gate(personal)
        return {'click': self.towers[d](h).squeeze(1)}


class Poso(nn.Module):
    """POSO / PPNet gating (src/models/poso.ts): each hidden layer's units scaled by a Gate NU on the
    domain's and the experience level's embeddings; a tower per domain. PEPNet's PPNet half alone."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        self.domain = nn.Embedding(D, DIM)
        self.activity = nn.Embedding(ACTIVITY_LEVELS, DIM)
        sizes = [INP] + HIDDEN
        self.layers = nn.ModuleList([nn.Linear(sizes[k], sizes[k + 1]) for k in range(len(HIDDEN))])
        self.gates = nn.ModuleList([GateNU(2 * DIM, max(8, h // 2), h) for h in HIDDEN])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        p = torch.cat([self.domain(b['domain']), self.activity(b['activity'])], 1)
        h = self.emb(b)
        for layer, gate in zip(self.layers, self.gates):
            h = F.relu(layer(h)) * gate(p)
        return {'click': self.towers[d](h).squeeze(1)}


def mix(gate_logits, experts):
    return (torch.stack(experts, 1) * torch.softmax(gate_logits, 1).unsqueeze(2)).sum(1)


class MMoE(nn.Module):
    def __init__(self, one_gate=False):
        super().__init__()
        self.emb = Embedding()
        self.experts = nn.ModuleList([mlp(INP, HIDDEN) for _ in range(E)])
        self.gates = nn.ModuleList([nn.Linear(INP, E) for _ in range(1 if one_gate else D)])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        x = self.emb(b)
        g = self.gates[0 if len(self.gates) == 1 else d](x)
        return {'click': self.towers[d](mix(g, [e(x) for e in self.experts])).squeeze(1)}


class PLE(nn.Module):
    """CGC levels with shared and per-domain experts; below the top, the shared gate needs every
    domain's experts, and (as in crossab) only the batch's domain's gate feeds the level above."""
    def __init__(self, conversion=False):
        super().__init__()
        S, L = meta['specificExperts'], meta['levels']
        self.emb = Embedding()
        self.levels = nn.ModuleList()
        for l in range(L):
            i = INP if l == 0 else HIDDEN[-1]
            lv = nn.Module()
            lv.shared = nn.ModuleList([mlp(i, HIDDEN) for _ in range(E)])
            lv.specific = nn.ModuleList([nn.ModuleList([mlp(i, HIDDEN) for _ in range(S)]) for _ in range(D)])
            lv.gates = nn.ModuleList([nn.Linear(i, S + E) for _ in range(D)])
            lv.sgate = nn.Linear(i, D * S + E) if l < L - 1 else None
            self.levels.append(lv)
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])
        self.cvr = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)]) if conversion else None

    def forward(self, b, d):
        x = self.emb(b)
        inputs, shared_in = [x] * D, x
        L = len(self.levels)
        for l, lv in enumerate(self.levels):
            shared = [e(shared_in) for e in lv.shared]
            if lv.sgate is not None:
                spec = [[e(inputs[k]) for e in lv.specific[k]] for k in range(D)]
                needed = lambda k: l + 1 < L - 1 or k == d
                nxt = [mix(lv.gates[k](inputs[k]), spec[k] + shared) if needed(k) else inputs[k] for k in range(D)]
                shared_in = mix(lv.sgate(shared_in), [e for s in spec for e in s] + shared)
                inputs = nxt
            else:
                inputs[d] = mix(lv.gates[d](inputs[d]), [e(inputs[d]) for e in lv.specific[d]] + shared)
        h = inputs[d]
        return {'click': self.towers[d](h).squeeze(1), 'cvr': self.cvr[d](h).squeeze(1) if self.cvr else None}


class Star(nn.Module):
    """Partitioned normalisation, shared ⊙ domain weights, auxiliary network (src/models/star.ts)."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        self.g, self.b = nn.Parameter(torch.ones(INP)), nn.Parameter(torch.zeros(INP))
        self.gd, self.bd = nn.Parameter(torch.ones(D, INP)), nn.Parameter(torch.zeros(D, INP))
        sizes = [INP] + HIDDEN + TOWER + [1]
        self.w = nn.ParameterList([nn.Parameter(torch.randn(a, c) * (2 / a) ** 0.5) for a, c in zip(sizes, sizes[1:])])
        self.wd = nn.ParameterList([nn.Parameter(torch.ones(D, a, c)) for a, c in zip(sizes, sizes[1:])])
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(c)) for c in sizes[1:]])
        self.biasd = nn.ParameterList([nn.Parameter(torch.zeros(D, c)) for c in sizes[1:]])
        self.dom = nn.Embedding(D, DIM)
        self.aux = mlp(INP + DIM, [TOWER[0] if TOWER else 8, 1], last_relu=False)

    def forward(self, b, d):
        z = self.emb(b)
        mean, var = z.mean(0), z.var(0, unbiased=False)
        h = (z - mean) / torch.sqrt(var + 1e-5) * (self.g * self.gd[d]) + (self.b + self.bd[d])
        for k, (w, wd, bias, bd) in enumerate(zip(self.w, self.wd, self.bias, self.biasd)):
            h = h @ (w * wd[d]) + (bias + bd[d])
            if k < len(self.w) - 1:
                h = torch.relu(h)
        return {'click': (h + self.aux(torch.cat([self.dom(b['domain']), z], 1))).squeeze(1)}


class CrossStitch(nn.Module):
    """One MLP column per domain; after every hidden layer the columns' activations are mixed by a
    learned D × D cross-stitch matrix (only the batch's domain's row at the top), src/models/cross-stitch.ts."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        dims = [INP] + HIDDEN
        self.columns = nn.ModuleList([nn.ModuleList([nn.Linear(dims[l], h) for l, h in enumerate(HIDDEN)]) for _ in range(D)])
        init = torch.full((D, D), 0.1 / max(1, D - 1)) + torch.eye(D) * (0.9 - 0.1 / max(1, D - 1))
        self.alpha = nn.ParameterList([nn.Parameter(init.clone()) for _ in HIDDEN])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        x = self.emb(b)
        xs = [x] * D
        for l in range(len(HIDDEN)):
            hs = torch.stack([torch.relu(self.columns[e][l](xs[e])) for e in range(D)], 0)  # [D, B, h]
            if l == len(HIDDEN) - 1:
                xs = [(hs * self.alpha[l][d].view(D, 1, 1)).sum(0)]
            else:
                xs = list((self.alpha[l] @ hs.reshape(D, -1)).reshape(hs.shape).unbind(0))
        return {'click': self.towers[d](xs[0]).squeeze(1)}


class Sluice(nn.Module):
    """Sluice networks (Ruder et al., AAAI 2019): a column per domain; each layer's output split in two
    halves, all domains' halves mixed by a learned (2D x 2D) alpha; beta-weighted layer outputs
    concatenated into the tower; lambda * sum ||G1^T G2 / B||^2 in the loss (src/models/sluice.ts)."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        dims = [INP] + HIDDEN
        self.columns = nn.ModuleList([nn.ModuleList([nn.Linear(dims[l], h) for l, h in enumerate(HIDDEN)]) for _ in range(D)])
        n = 2 * D
        other = 0.1 / (D - 1) if D > 1 else 0.0
        init = torch.zeros(n, n)
        for r in range(n):
            for c in range(n):
                if r % 2 == c % 2:
                    init[r, c] = (0.9 if D > 1 else 1.0) if r == c else other
        self.alpha = nn.ParameterList([nn.Parameter(init.clone()) for _ in HIDDEN])
        self.beta = nn.Parameter(torch.ones(D, len(HIDDEN)))
        self.towers = nn.ModuleList([tower(sum(HIDDEN), TOWER) for _ in range(D)])
        self.penalty = None

    def forward(self, b, d):
        x = self.emb(b)
        xs = [x] * D
        skips, penalty = [], 0.0
        for l, h in enumerate(HIDDEN):
            hs = torch.stack([torch.relu(self.columns[e][l](xs[e])) for e in range(D)], 0)  # [D, B, h]
            B = hs.shape[1]
            g1, g2 = hs[:, :, :h // 2], hs[:, :, h // 2:]
            penalty = penalty + ((g1.transpose(1, 2) @ g2 / B) ** 2).sum()
            rows = hs.view(D, B, 2, h // 2).transpose(1, 2).reshape(2 * D, -1)
            xs = list((self.alpha[l] @ rows).view(D, 2, B, h // 2).transpose(1, 2).reshape(D, B, h).unbind(0))
            skips.append(xs[d] * self.beta[d, l])
        self.penalty = meta['sluiceOrthogonality'] * penalty
        return {'click': self.towers[d](torch.cat(skips, 1)).squeeze(1)}

    def extra_loss(self, rng):
        return self.penalty


class AdaTT(nn.Module):
    """AdaTT (Li et al., KDD 2023; src/models/adatt.ts) with domains as tasks: per level, each domain's
    fusion unit is softmax(W_d x_d) over every expert of the level plus v_d over its own experts; a
    shared fusion unit over every expert below the top; towers per domain."""
    def __init__(self):
        super().__init__()
        S, E, L = meta['specificExperts'], meta['experts'], meta['levels']
        self.S, self.E, self.L = S, E, L
        total = D * S + E
        self.emb = Embedding()
        self.native, self.shared, self.gates, self.v, self.shared_gate = (nn.ModuleList() for _ in range(5))
        for l in range(L):
            inp = INP if l == 0 else HIDDEN[-1]
            self.native.append(nn.ModuleList([nn.ModuleList([mlp(inp, HIDDEN) for _ in range(S)]) for _ in range(D)]))
            self.shared.append(nn.ModuleList([mlp(inp, HIDDEN) for _ in range(E)]))
            self.gates.append(nn.ModuleList([nn.Linear(inp, total) for _ in range(D)]))
            self.v.append(nn.ParameterList([nn.Parameter(torch.full((S,), 1.0 / S)) for _ in range(D)]))
            self.shared_gate.append(nn.ModuleList([nn.Linear(inp, total)] if E > 0 and l < L - 1 else []))
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        x = self.emb(b)
        inputs, shared_in = [x] * D, x
        for l in range(self.L):
            native = [torch.stack([e(inputs[k]) for e in self.native[l][k]], 1) for k in range(D)]  # [B, S, h]
            shared = [e(shared_in) for e in self.shared[l]]
            every = torch.cat(native + ([torch.stack(shared, 1)] if shared else []), 1)  # [B, total, h]

            def fuse(k):
                g = torch.softmax(self.gates[l][k](inputs[k]), 1).unsqueeze(2)
                return (g * every).sum(1) + (self.v[l][k].view(1, -1, 1) * native[k]).sum(1)
            if l == self.L - 1:
                inputs = {d: fuse(d)}
            else:
                inputs = [fuse(k) for k in range(D)]
                shared_in = (torch.softmax(self.shared_gate[l][0](shared_in), 1).unsqueeze(2) * every).sum(1) if len(self.shared_gate[l]) else x
        return {'click': self.towers[d](inputs[d]).squeeze(1)}


class AITM(nn.Module):
    """AITM (Xi et al., KDD 2021; src/models/aitm.ts): a shared bottom, click and conversion towers per
    domain, the conversion tower fed from the click tower through the AIT attention, the conversion
    head predicting pCTCVR directly, and the calibrator 0.6 * mean(relu(pCTCVR - pCTR))."""
    def __init__(self):
        super().__init__()
        self.emb = Embedding()
        self.bottom = mlp(INP, HIDDEN)
        tw = TOWER if TOWER else [HIDDEN[-1]]
        k = tw[-1]
        self.k = k
        self.click = nn.ModuleList([mlp(HIDDEN[-1], tw) for _ in range(D)])
        self.conv = nn.ModuleList([mlp(HIDDEN[-1], tw) for _ in range(D)])
        self.click_head = nn.ModuleList([nn.Linear(k, 1) for _ in range(D)])
        self.conv_head = nn.ModuleList([nn.Linear(k, 1) for _ in range(D)])
        self.transfer = nn.Sequential(nn.Linear(k, k), nn.ReLU())
        self.h1, self.h2, self.h3 = nn.Linear(k, k), nn.Linear(k, k), nn.Linear(k, k)
        self.penalty = None

    def forward(self, b, d):
        shared = self.bottom(self.emb(b))
        q_click, q_conv = self.click[d](shared), self.conv[d](shared)
        p = self.transfer(q_click)
        score = lambda u: (self.h1(u) * self.h2(u)).sum(1, keepdim=True) / self.k ** 0.5
        w = torch.softmax(torch.cat([score(p), score(q_conv)], 1), 1)
        z = w[:, :1] * self.h3(p) + w[:, 1:] * self.h3(q_conv)
        click = self.click_head[d](q_click).squeeze(1)
        ctcvr = self.conv_head[d](z).squeeze(1)
        self.penalty = 0.6 * torch.relu(torch.sigmoid(ctcvr) - torch.sigmoid(click)).mean()
        return {'click': click, 'ctcvr': ctcvr}

    def extra_loss(self, rng):
        return self.penalty


class ApgLayer(nn.Module):
    """APG's low-rank generated layer: relu(x U (I + reshape(G z)) V + b), src/models/apg.ts."""
    def __init__(self, inp, out, z, k):
        super().__init__()
        self.k = k
        self.u = nn.Parameter(torch.empty(inp, k))
        self.v = nn.Parameter(torch.empty(k, out))
        nn.init.kaiming_uniform_(self.u)
        nn.init.kaiming_uniform_(self.v)
        self.b = nn.Parameter(torch.zeros(out))
        self.gen = nn.Linear(z, k * k)
        self.register_buffer('eye', torch.eye(k))

    def forward(self, x, z):
        s = self.gen(z).view(-1, self.k, self.k) + self.eye
        core = torch.bmm((x @ self.u).unsqueeze(1), s).squeeze(1)
        return F.relu(core @ self.v + self.b)


class APG(nn.Module):
    """APG (Yan et al., NeurIPS 2022): hidden-layer weights generated per condition z: the domain
    (group), the domain and the experience level (mix), or the layer's own input (self)."""
    def __init__(self, condition):
        super().__init__()
        self.condition = condition
        self.emb = Embedding()
        self.domain = nn.Embedding(D, DIM)
        self.activity = nn.Embedding(ACTIVITY_LEVELS, DIM) if condition == 'mix' else None
        dims = [INP] + HIDDEN
        zdim = lambda l: dims[l] if condition == 'self' else 2 * DIM if condition == 'mix' else DIM
        self.layers = nn.ModuleList([ApgLayer(dims[l], h, zdim(l), min(16, h, dims[l])) for l, h in enumerate(HIDDEN)])
        self.towers = nn.ModuleList([tower(HIDDEN[-1], TOWER) for _ in range(D)])

    def forward(self, b, d):
        z = None
        if self.condition != 'self':
            z = self.domain(b['domain'])
            if self.activity is not None:
                z = torch.cat([z, self.activity(b['activity'])], 1)
        h = self.emb(b)
        for layer in self.layers:
            h = layer(h, h if z is None else z)
        return {'click': self.towers[d](h).squeeze(1)}


class StarTower(nn.Module):
    """STAR's layers: weights shared ⊙ per-domain, biases shared + per-domain (src/models/star.ts)."""
    def __init__(self, sizes):
        super().__init__()
        self.w = nn.ParameterList([nn.Parameter(torch.randn(a, c) * (2 / a) ** 0.5) for a, c in zip(sizes, sizes[1:])])
        self.wd = nn.ParameterList([nn.Parameter(torch.ones(D, a, c)) for a, c in zip(sizes, sizes[1:])])
        self.bias = nn.ParameterList([nn.Parameter(torch.zeros(c)) for c in sizes[1:]])
        self.biasd = nn.ParameterList([nn.Parameter(torch.zeros(D, c)) for c in sizes[1:]])

    def forward(self, h, d):
        for k, (w, wd, bias, bd) in enumerate(zip(self.w, self.wd, self.bias, self.biasd)):
            h = h @ (w * wd[d]) + (bias + bd[d])
            if k < len(self.w) - 1:
                h = torch.relu(h)
        return h


class SharedPrivate(nn.Module):
    """Fields every domain logs share one embedding table, the others use the batch domain's private
    table; shared and domain experts under a domain gate; a STAR tower (src/models/shared-private.ts)."""
    def __init__(self):
        super().__init__()
        S = meta['specificExperts']
        self.emb = Embedding()
        self.private = nn.ModuleList([nn.Embedding(meta['tableRows'], DIM) for _ in range(D)])
        self.register_buffer('common', torch.tensor(meta['commonCat'], dtype=torch.float32).view(1, FC, 1))
        self.shared = nn.ModuleList([mlp(INP, HIDDEN) for _ in range(E)])
        self.own = nn.ModuleList([nn.ModuleList([mlp(INP, HIDDEN) for _ in range(S)]) for _ in range(D)])
        self.gates = nn.ModuleList([nn.Linear(INP, S + E) for _ in range(D)])
        self.tower = StarTower([HIDDEN[-1]] + TOWER + [1])

    def forward(self, b, d):
        e = self.emb.table(b['cat']) * self.common + self.private[d](b['cat']) * (1 - self.common)
        x = torch.cat([(e * b['mask'].unsqueeze(2)).flatten(1), b['num']], 1)
        h = mix(self.gates[d](x), [m(x) for m in self.own[d]] + [m(x) for m in self.shared])
        return {'click': self.tower(h, d).squeeze(1)}


def group_loss(logits, y, m):
    return (F.binary_cross_entropy_with_logits(logits, y, reduction='none') * m).sum(1) / m.shape[1]


def group_tower(h, w1, b1, w2, b2):
    return (torch.relu(h @ w1 + b1.unsqueeze(1)) @ w2 + b2.unsqueeze(1)).squeeze(2)


# Training users with at least 4 rows, each user's rows in order (as crossab's maml.ts picks them).
_by_user = {}
for r, u in enumerate(user[:N_TRAIN]):
    _by_user.setdefault(int(u), []).append(r)
USERS = [np.array(rows) for rows in _by_user.values() if len(rows) >= 4]


class Maml(nn.Module):
    """First-order MAML on the tower (src/models/maml.ts): the batch's BCE plus, every metaEvery-th
    step, a meta loss weighted metaEvery×: tower copies adapted innerSteps times on each of metaUsers
    users' support rows (outside the graph), the query loss taken at θ + (θ' − θ)."""
    def __init__(self):
        super().__init__()
        self.emb, self.dom = Embedding(), nn.Embedding(D, DIM)
        self.bottom = mlp(INP + DIM, HIDDEN)
        H, t = HIDDEN[-1], TOWER[0] if TOWER else 16
        self.w1, self.b1 = nn.Parameter(torch.randn(H, t) * (2 / H) ** 0.5), nn.Parameter(torch.zeros(t))
        self.w2, self.b2 = nn.Parameter(torch.randn(t, 1) * 0.1), nn.Parameter(torch.zeros(1))
        self.steps = 0

    def features(self, b):
        return self.bottom(torch.cat([self.emb(b), self.dom(b['domain'])], 1))

    def forward(self, b, d):
        return {'click': (torch.relu(self.features(b) @ self.w1 + self.b1) @ self.w2 + self.b2).squeeze(1)}

    def extra_loss(self, rng):
        m = meta['maml']
        self.steps += 1
        if m['metaWeight'] == 0 or (self.steps - 1) % m['metaEvery'] != 0:
            return None
        G, S = min(m['metaUsers'], len(USERS)), m['support']
        s_rows, q_rows = np.zeros(G * S, np.int64), np.zeros(G * S, np.int64)
        s_mask, q_mask = np.zeros(G * S, np.float32), np.zeros(G * S, np.float32)
        for g in range(G):
            rows = USERS[rng.integers(len(USERS))]
            n = min(len(rows), 2 * S)
            at = rng.integers(len(rows) - n + 1)
            ns = n >> 1
            for k in range(S):
                s_rows[g * S + k] = rows[at + min(k, ns - 1)]
                s_mask[g * S + k] = k < ns
                q_rows[g * S + k] = rows[at + ns + min(k, n - ns - 1)]
                q_mask[g * S + k] = k < n - ns
        sb, qb = batch_of(s_rows), batch_of(q_rows)
        ys, ms = sb['click'].view(G, S), torch.from_numpy(s_mask).view(G, S)
        yq, mq = qb['click'].view(G, S), torch.from_numpy(q_mask).view(G, S)
        theta = [self.w1, self.b1, self.w2, self.b2]
        with torch.no_grad():
            hs = self.features(sb).view(G, S, -1)
        cur = [p.detach().unsqueeze(0).repeat(G, *([1] * p.dim())).requires_grad_() for p in theta]
        for _ in range(m['innerSteps']):
            grads = torch.autograd.grad(group_loss(group_tower(hs, *cur), ys, ms).sum(), cur)
            cur = [(p - m['innerLr'] * g).detach().requires_grad_() for p, g in zip(cur, grads)]
        delta = [c.detach() - p.detach().unsqueeze(0) for c, p in zip(cur, theta)]
        fast = [p.unsqueeze(0) + dl for p, dl in zip(theta, delta)]
        hq = self.features(qb).view(G, S, -1)
        return group_loss(group_tower(hq, *fast), yq, mq).mean() * (m['metaWeight'] * m['metaEvery'])


def batch_of(rows):
    t = torch.from_numpy(rows)
    return {'cat': cat[t], 'mask': mask[t], 'num': num[t], 'click': click[t], 'conv': conv[t],
            'domain': torch.from_numpy(domain[rows].astype(np.int64)), 'activity': activity[t]}


def task_losses(model, b, d, rng):
    """The click loss, the conversion loss (None for a click-only model) and the model's extra loss."""
    out = model(b, d)
    click_loss = F.binary_cross_entropy_with_logits(out['click'], b['click'])
    conv_loss = None
    if out.get('cvr') is not None:
        # ESMM: pCTCVR = pCTR · pCVR supervised by the conversion label on every impression.
        log_p = F.logsigmoid(out['click']) + F.logsigmoid(out['cvr'])
        ll = b['conv'] * log_p + (1 - b['conv']) * torch.log(torch.clamp(1 - torch.exp(log_p), min=1e-7))
        conv_loss = -ll.mean()
    if out.get('ctcvr') is not None:
        # AITM: the conversion head predicts pCTCVR, supervised by the conversion label directly.
        conv_loss = F.binary_cross_entropy_with_logits(out['ctcvr'], b['conv'])
    extra = model.extra_loss(rng) if hasattr(model, 'extra_loss') else None
    return click_loss, conv_loss, extra


def loss_of(model, b, d, rng):
    click_loss, conv_loss, extra = task_losses(model, b, d, rng)
    loss = click_loss if conv_loss is None else click_loss + conv_loss
    return loss + extra if extra is not None else loss


class GradNorm:
    """GradNorm (Chen et al., ICML 2018; src/models/weighting.ts): per domain, the click and conversion
    weights move by sign(G_i - G_mean * r_i^alpha) * ||grad_W L_i||, W the parameters both task losses
    reach, then are renormalised to sum to 2. Written as a PyTorch user would: one forward pass, each
    task's gradient by autograd.grad on it."""

    def __init__(self):
        self.alpha, self.lr = meta['gradNorm']['alpha'], meta['gradNorm']['learningRate']
        self.w = np.ones((D, 2))
        self.initial = [None] * D

    def loss(self, model, b, d, rng):
        click_loss, conv_loss, extra = task_losses(model, b, d, rng)
        params = [p for p in model.parameters() if p.requires_grad]
        gc = torch.autograd.grad(click_loss, params, retain_graph=True, allow_unused=True)
        gv = torch.autograd.grad(conv_loss, params, retain_graph=True, allow_unused=True)
        shared = [k for k in range(len(params)) if gc[k] is not None and gv[k] is not None]
        norms = np.array([float(torch.sqrt(sum((g[k] ** 2).sum() for k in shared))) for g in (gc, gv)])
        losses = np.array([float(click_loss), float(conv_loss)])
        loss = self.w[d, 0] * click_loss + self.w[d, 1] * conv_loss
        self.pending = (d, losses, norms)
        return loss + extra if extra is not None else loss

    def after_step(self):
        d, losses, norms = self.pending
        if self.initial[d] is None:
            self.initial[d] = losses
        w = self.w[d]
        G = w * norms
        rate = losses / self.initial[d]
        target = G.mean() * (rate / rate.mean()) ** self.alpha
        w[:] = np.maximum(1e-3, w - self.lr * np.sign(G - target) * norms)
        w *= 2 / w.sum()


TWINS = {
    'separate': Separate, 'id-feature': IdFeature, 'shared-bottom': SharedBottom, 'mmoe': MMoE,
    'omoe': lambda: MMoE(one_gate=True), 'ple': PLE, 'star': Star, 'maml': Maml,
    'shared-bottom-esmm': lambda: SharedBottom(conversion=True), 'ple-esmm': lambda: PLE(conversion=True),
    'cross-stitch': CrossStitch, 'shared-private': SharedPrivate, 'mlora': MLoRA,
    'soft-sharing': SoftSharing, 'pepnet': PEPNet, 'sluice': Sluice,
    'poso': Poso, 'adatt': AdaTT, 'aitm': AITM,
    'apg': lambda: APG('group'), 'apg-mix': lambda: APG('mix'), 'apg-self': lambda: APG('self'),
    'shared-bottom-esmm+gradnorm': lambda: SharedBottom(conversion=True),
    'hamur': Hamur,
    'm2m': M2M,
    # maml-serve trains as maml does (src/models/maml.ts trainsAs); its serving-time adaptation has no training cost to compare.
    'maml-serve': Maml,
}
BY_DOMAIN = [np.nonzero(domain[:N_TRAIN] == d)[0] for d in range(D)]
WEIGHTS = np.array([len(r) for r in BY_DOMAIN], dtype=float) / N_TRAIN


def throughput(name, batch, steps, warmup):
    torch.manual_seed(1)
    model = TWINS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=meta['lr'])
    rng = np.random.default_rng(1)
    grad_norm = GradNorm() if name.endswith('+gradnorm') else None
    samples, t0, c0 = 0, 0.0, 0.0
    for k in range(warmup + steps):
        if k == warmup:
            t0, c0 = time.perf_counter(), time.process_time()
        d = int(rng.choice(D, p=WEIGHTS))
        rows = rng.choice(BY_DOMAIN[d], size=batch, replace=len(BY_DOMAIN[d]) < batch)
        b = batch_of(rows)
        opt.zero_grad(set_to_none=True)
        loss = grad_norm.loss(model, b, d, rng) if grad_norm else loss_of(model, b, d, rng)
        loss.backward()
        opt.step()
        if grad_norm:
            grad_norm.after_step()
        if k >= warmup:
            samples += batch
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {'samples_per_s': samples / wall, 'wall_s': wall, 'cpu_s': cpu}


_train_click = click[:N_TRAIN].numpy()
_train_domain = domain[:N_TRAIN]
_logit = lambda p: float(np.log(max(1e-4, p) / max(1e-4, 1 - p)))
PRIOR = [_logit(_train_click[_train_domain == d].mean()) if (_train_domain == d).any() else _logit(0.05) for d in range(D)]
PRIOR_ALL = _logit(_train_click.mean())


def init_like_crossab(model):
    """crossab's initial values (src/models/blocks.ts), so the AUC parity compares the models and the
    training, not two initialisation schemes: embeddings N(0, 0.05); a layer's weights He-uniform
    (variance 2 / fan-in), a one-logit head's Glorot-uniform; biases 0, but a click head's at the base
    rate's logit (each domain's tower at its own domain's). PyTorch's defaults (N(0, 1) embeddings,
    Kaiming-uniform with a = sqrt(5)) trained every twin to ~0.01 lower AUC on the default world."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Embedding):
                m.weight.normal_(0, 0.05)
            elif isinstance(m, nn.Linear):
                fan_in, fan_out = m.in_features, m.out_features
                limit = (6 / (fan_in + fan_out)) ** 0.5 if fan_out == 1 else (6 / fan_in) ** 0.5
                m.weight.uniform_(-limit, limit)
                if m.bias is not None:
                    m.bias.fill_(PRIOR_ALL if fan_out == 1 else 0.0)
        for d, t in enumerate(getattr(model, 'towers', None) or []):
            heads = [m for m in t.modules() if isinstance(m, nn.Linear) and m.out_features == 1]
            if heads and len(model.towers) == D and heads[-1].bias is not None:
                heads[-1].bias.fill_(PRIOR[d])
    return model


def auc(y, p):
    """The Mann-Whitney AUC, ties at half (average ranks); NaN without both classes."""
    pos = y > 0.5
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return float('nan')
    order = np.argsort(p, kind='mergesort')
    sp = p[order]
    ranks = np.empty(len(p))
    i = 0
    while i < len(p):
        j = i
        while j + 1 < len(p) and sp[j + 1] == sp[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def predict(model, rows):
    """Click probabilities of `rows`, one domain at a time (every twin reads single-domain batches)."""
    out = np.zeros(len(rows), dtype=np.float32)
    model.eval()
    with torch.no_grad():
        for d in range(D):
            at = np.nonzero(domain[rows] == d)[0]
            for s in range(0, len(at), 4096):
                k = at[s:s + 4096]
                out[k] = torch.sigmoid(model(batch_of(rows[k]), d)['click']).numpy()
    model.train()
    return out


def fit(name, seed, path):
    """crossab's training recipe (src/train/trainer.ts) on the twin: each epoch every domain's training
    rows shuffled into single-domain batches, the batches shuffled; early stopping on the validation
    rows' mean per-domain AUC, the best epoch's weights restored; then the test rows' click
    probabilities written to `path` (float32, in the dump's order)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = init_like_crossab(TWINS[name]())
    opt = torch.optim.Adam(model.parameters(), lr=meta['lr'])
    valid = np.arange(N_TRAIN, N_TRAIN + N_VALID)
    test = np.arange(N_TRAIN + N_VALID, len(domain))
    best, best_state, since, epochs = -1.0, None, 0, 0
    for epoch in range(meta['epochs']):
        epochs = epoch + 1
        batches = []
        for d in range(D):
            r = rng.permutation(BY_DOMAIN[d])
            batches += [(d, r[s:s + meta['batchSize']]) for s in range(0, len(r), meta['batchSize'])]
        for k in rng.permutation(len(batches)):
            d, rows = batches[k]
            opt.zero_grad(set_to_none=True)
            loss_of(model, batch_of(rows), d, rng).backward()
            opt.step()
        p = predict(model, valid)
        v = np.nanmean([auc(click[valid[domain[valid] == d]].numpy(), p[domain[valid] == d]) for d in range(D)])
        if v > best:
            best, best_state, since = v, {k: t.clone() for k, t in model.state_dict().items()}, 0
        else:
            since += 1
            if since >= meta['patience']:
                break
    model.load_state_dict(best_state)
    predict(model, test).tofile(path)
    return {'path': path, 'epochs': epochs, 'valid_auc': best}


print(json.dumps({'ready': True, 'torch': torch.__version__, 'twins': list(TWINS)}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    if 'fit' in req:
        print(json.dumps(fit(req['fit'], req['seed'], req['path'])), flush=True)
    else:
        print(json.dumps(throughput(req['strategy'], req['batch'], req['steps'], req['warmup'])), flush=True)
