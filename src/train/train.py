"""Train the deck's small GPT-2 on the tokenized State of the Union corpus.

Usage: /usr/bin/python3 src/train/train.py build/model/recipe.json
Reads the hyper-parameters from the recipe JSON (written by src/cli/train-model.ts from
src/train/recipe.ts), writes model.safetensors, config.json and training-log.json next to it.
The model is GPT-2 written plainly (nanoGPT style), with Hugging Face's parameter names so the
checkpoint loads in any GPT-2 tool and in our TypeScript converter.
"""
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight is [in, out], y = x @ W + b (Hugging Face layout)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out).normal_(0.0, 0.02))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).reshape(*x.shape[:-1], -1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg["n_head"]
        self.c_attn = Conv1D(cfg["n_embd"], 3 * cfg["n_embd"])
        self.c_proj = Conv1D(cfg["n_embd"], cfg["n_embd"])
        self.dropout = nn.Dropout(cfg["dropout"])
        n = cfg["n_positions"]
        self.register_buffer("causal", torch.tril(torch.ones(n, n, dtype=torch.bool)), persistent=False)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        heads = lambda t: t.view(b, s, self.n_head, d // self.n_head).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.n_head)
        scores = scores.masked_fill(~self.causal[:s, :s], float("-inf"))
        probs = self.dropout(F.softmax(scores, dim=-1))
        context = (probs @ v).transpose(1, 2).reshape(b, s, d)
        return self.dropout(self.c_proj(context))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = Conv1D(cfg["n_embd"], 4 * cfg["n_embd"])
        self.c_proj = Conv1D(4 * cfg["n_embd"], cfg["n_embd"])
        self.dropout = nn.Dropout(cfg["dropout"])

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg["n_embd"], eps=1e-5)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg["n_embd"], eps=1e-5)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        self.wpe = nn.Embedding(cfg["n_positions"], cfg["n_embd"])
        self.drop = nn.Dropout(cfg["dropout"])
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layer"])])
        self.ln_f = nn.LayerNorm(cfg["n_embd"], eps=1e-5)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.transformer = Transformer(cfg)
        for name, p in self.named_parameters():
            if name.endswith("wte.weight") or name.endswith("wpe.weight"):
                nn.init.normal_(p, 0.0, 0.02)
            if name.endswith("c_proj.weight"):  # GPT-2's scaled init of residual projections
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * cfg["n_layer"]))

    def forward(self, ids):
        t = self.transformer
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = t.drop(t.wte(ids) + t.wpe(positions))
        for block in t.h:
            x = block(x)
        return t.ln_f(x) @ t.wte.weight.T  # tied LM head


def write_safetensors(path, tensors):
    """The safetensors format by hand (8-byte header length, JSON header, raw little-endian data)."""
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    header["__metadata__"] = {"format": "pt"}
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)


def main():
    recipe_path = sys.argv[1]
    recipe = json.load(open(recipe_path))
    out_dir = os.path.dirname(recipe_path)
    tr, arch = recipe["training"], recipe["model"]
    torch.manual_seed(tr["seed"])
    torch.set_num_threads(tr["torchThreads"])
    rng = np.random.default_rng(tr["seed"])

    train_ids = np.fromfile(os.path.join(recipe["paths"]["corpus"], "train.bin"), dtype="<u2").astype(np.int64)
    val_ids = np.fromfile(os.path.join(recipe["paths"]["corpus"], "val.bin"), dtype="<u2").astype(np.int64)
    cfg = dict(arch, vocab_size=recipe["tokenizer"]["vocabSize"])
    ctx = cfg["n_positions"]
    model = GPT2LMHeadModel(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {n_params}", flush=True)

    def batch(ids, starts):
        x = torch.stack([torch.from_numpy(ids[s : s + ctx]) for s in starts])
        y = torch.stack([torch.from_numpy(ids[s + 1 : s + 1 + ctx]) for s in starts])
        return x, y

    # Fixed validation windows: the same every evaluation, so curves are comparable.
    val_starts = np.arange(0, len(val_ids) - ctx - 1, ctx)
    eval_starts = val_starts[np.linspace(0, len(val_starts) - 1, tr["evalBatches"] * 4).astype(int)]

    @torch.no_grad()
    def val_loss(starts):
        model.eval()
        losses = []
        for i in range(0, len(starts), 8):
            x, y = batch(val_ids, starts[i : i + 8])
            logits = model(x)
            losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item())
        model.train()
        return sum(losses) / (len(starts) * ctx)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": tr["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tr["learningRate"], betas=(0.9, 0.95),
    )

    def lr_at(step):  # linear warm-up, then cosine decay to the minimum
        if step < tr["warmupSteps"]:
            return tr["learningRate"] * (step + 1) / tr["warmupSteps"]
        progress = (step - tr["warmupSteps"]) / max(1, tr["steps"] - tr["warmupSteps"])
        return tr["minLearningRate"] + 0.5 * (tr["learningRate"] - tr["minLearningRate"]) * (1 + math.cos(math.pi * progress))

    log = {"parameters": n_params, "curve": []}
    started = time.time()
    for step in range(tr["steps"]):
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        x, y = batch(train_ids, rng.integers(0, len(train_ids) - ctx - 1, tr["batchSize"]))
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tr["gradClip"])
        opt.step()
        if step % 50 == 0 or step == tr["steps"] - 1:
            elapsed = time.time() - started
            tok_s = (step + 1) * tr["batchSize"] * ctx / elapsed
            print(f"step {step} loss {loss.item():.3f} lr {lr_at(step):.2e} {elapsed:.0f}s {tok_s:.0f} tok/s", flush=True)
        if (step > 0 and step % tr["evalEvery"] == 0) or step == tr["steps"] - 1:
            v = val_loss(eval_starts)
            log["curve"].append({"step": step, "trainLoss": loss.item(), "valLoss": v, "seconds": time.time() - started})
            print(f"  val loss {v:.3f}", flush=True)

    log["trainSeconds"] = time.time() - started
    log["tokensSeen"] = tr["steps"] * tr["batchSize"] * ctx
    log["valLoss"] = val_loss(val_starts)  # the whole held-out set
    log["valPerplexity"] = math.exp(log["valLoss"])
    print(f"final val loss {log['valLoss']:.4f} (perplexity {log['valPerplexity']:.1f})", flush=True)

    tensors = {n: p for n, p in model.named_parameters()}
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors)
    hf_config = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": cfg["vocab_size"],
        "n_positions": ctx,
        "n_ctx": ctx,
        "n_embd": cfg["n_embd"],
        "n_layer": cfg["n_layer"],
        "n_head": cfg["n_head"],
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5,
        "resid_pdrop": cfg["dropout"],
        "embd_pdrop": cfg["dropout"],
        "attn_pdrop": cfg["dropout"],
        "tie_word_embeddings": True,
        "bos_token_id": cfg["vocab_size"] - 1,
        "eos_token_id": cfg["vocab_size"] - 1,
    }
    json.dump(hf_config, open(os.path.join(out_dir, "config.json"), "w"), indent=2)
    json.dump(log, open(os.path.join(out_dir, "training-log.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
