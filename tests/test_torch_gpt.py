"""A character-level GPT as the "build GPT from scratch" tutorials write it (causal
self-attention with ``tril`` + ``masked_fill``, several heads in a ``ModuleList``,
``LayerNorm``, ``Embedding``, ``AdamW``, ``multinomial`` sampling), with ``torch``
bound to retrograd and to PyTorch: from PyTorch's initial weights the two give the
same logits, loss and gradients, train alike step by step, and generate text."""
import numpy as np
import pytest

import retrograd

real_torch = pytest.importorskip("torch")

TEXT = "to be or not to be that is the question whether tis nobler in the mind " * 8
BLOCK, EMBD, HEADS, LAYERS = 8, 16, 4, 2


def gpt(torch):
    """The model classes, written once against the module ``torch``."""
    nn, F = torch.nn, torch.nn.functional
    vocab = len(set(TEXT))

    class Head(nn.Module):
        def __init__(self, size):
            super().__init__()
            self.key = nn.Linear(EMBD, size, bias=False)
            self.query = nn.Linear(EMBD, size, bias=False)
            self.value = nn.Linear(EMBD, size, bias=False)
            self.register_buffer("tril", torch.tril(torch.ones(BLOCK, BLOCK)))

        def forward(self, x):
            B, T, C = x.shape
            k, q = self.key(x), self.query(x)
            wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            wei = F.softmax(wei, dim=-1)
            return wei @ self.value(x)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleList([Head(EMBD // HEADS) for _ in range(HEADS)])
            self.proj = nn.Linear(EMBD, EMBD)
            self.ffwd = nn.Sequential(nn.Linear(EMBD, 4 * EMBD), nn.ReLU(),
                                      nn.Linear(4 * EMBD, EMBD))
            self.ln1, self.ln2 = nn.LayerNorm(EMBD), nn.LayerNorm(EMBD)

        def forward(self, x):
            h = self.ln1(x)
            x = x + self.proj(torch.cat([head(h) for head in self.heads], dim=-1))
            return x + self.ffwd(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, EMBD)
            self.pos = nn.Embedding(BLOCK, EMBD)
            self.blocks = nn.Sequential(*[Block() for _ in range(LAYERS)])
            self.ln_f = nn.LayerNorm(EMBD)
            self.lm_head = nn.Linear(EMBD, vocab)

        def forward(self, idx, targets=None):
            B, T = idx.shape
            x = self.tok(idx) + self.pos(torch.arange(T))
            logits = self.lm_head(self.ln_f(self.blocks(x)))
            if targets is None:
                return logits, None
            B, T, C = logits.shape
            return logits, F.cross_entropy(logits.view(B * T, C), targets.view(B * T))

        @torch.no_grad()
        def generate(self, idx, n):
            for _ in range(n):
                logits, _ = self(idx[:, -BLOCK:])
                probs = F.softmax(logits[:, -1, :], dim=-1)
                idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
            return idx

    return GPT()


def batches(steps, batch=4, seed=0):
    chars = sorted(set(TEXT))
    data = np.array([chars.index(c) for c in TEXT])
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        ix = rng.integers(0, len(data) - BLOCK, batch)
        yield (np.stack([data[i:i + BLOCK] for i in ix]),
               np.stack([data[i + 1:i + BLOCK + 1] for i in ix]))


def test_gpt_equals_pytorch_and_trains():
    real_torch.manual_seed(0)
    theirs = gpt(real_torch)
    ours = gpt(retrograd)
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in
                          theirs.state_dict().items()})
    opts = [torch.optim.AdamW(m.parameters(), lr=1e-2) for torch, m in
            ((retrograd, ours), (real_torch, theirs))]
    losses = {"ours": [], "theirs": []}
    for step, (x, y) in enumerate(batches(25)):
        for (torch, model, opt, key) in ((retrograd, ours, opts[0], "ours"),
                                         (real_torch, theirs, opts[1], "theirs")):
            logits, loss = model(torch.tensor(x), torch.tensor(y))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if step == 0 and key == "ours":
                logits0, grads0 = logits.detach().numpy(), {
                    n: p.grad.numpy() for n, p in model.named_parameters()}
            if step == 0 and key == "theirs":
                np.testing.assert_allclose(logits0, logits.detach().numpy(), rtol=1e-4,
                                           atol=1e-5)
                for n, p in model.named_parameters():
                    np.testing.assert_allclose(grads0[n], p.grad.numpy(), rtol=1e-3,
                                               atol=1e-5, err_msg=n)
            opt.step()
            losses[key].append(loss.item())
    np.testing.assert_allclose(losses["ours"], losses["theirs"], rtol=2e-3, atol=2e-4)
    assert losses["ours"][-1] < losses["ours"][0] - 0.5, losses["ours"]
    retrograd.manual_seed(1)
    text = ours.generate(retrograd.zeros((1, 1), dtype=retrograd.long), 12)[0].tolist()
    assert len(text) == 13 and all(0 <= t < len(set(TEXT)) for t in text)
