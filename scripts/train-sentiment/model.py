"""A BERT encoder (post-LayerNorm, exact GELU, tanh pooler on [CLS] or on the mean of the tokens) with the parameter layout of
Hugging Face's BertForSequenceClassification, so the exported ONNX graph is what transformers.js
expects for model_type "bert".

Optionally (ngram_dim > 0) a fastText-style n-gram branch next to the encoder: token unigrams (one
row per vocabulary id) and hashed token bigrams and trigrams (rows vocab + (a*P1 + b*P2 [+ c*P3] + k)
mod buckets), computed from input_ids with integer Mul/Add/Mod so they live inside the ONNX graph,
looked up in one embedding table and averaged over the valid n-grams (an n-gram is valid only if
every one of its tokens has attention_mask 1). The average is concatenated with the pooled [CLS]
vector before the classifier. For Chinese (one token per character) these are character 1-3-grams,
for English word(piece) 1-3-grams: the lexical features that carry across domains."""
import math

import torch
from torch import nn
from torch.nn import functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, ffn, dropout):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(h, h)
        self.k = nn.Linear(h, h)
        self.v = nn.Linear(h, h)
        self.o = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.ffn1 = nn.Linear(h, ffn)
        self.ffn2 = nn.Linear(ffn, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d)) + bias
        ctx = torch.matmul(self.drop(torch.softmax(scores, dim=-1)), v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.o(ctx)))
        return self.ln2(x + self.drop(self.ffn2(F.gelu(self.ffn1(x)))))


# Odd multipliers for the n-gram hash; token ids are < 2^17, so every product and sum fits in int64.
BIGRAM_P = (2654435761, 2246822519)
TRIGRAM_P = (3266489917, 668265263, 374761393)


def ngram_rows(ids, mask, vocab, buckets):
    """Embedding-table rows and validity (0/1, float) of every token 1-, 2- and 3-gram: [B, N] each."""
    m = mask.to(torch.int64)
    bi = torch.fmod(ids[:, :-1] * BIGRAM_P[0] + ids[:, 1:] * BIGRAM_P[1] + 1, buckets) + vocab
    tri = torch.fmod(ids[:, :-2] * TRIGRAM_P[0] + ids[:, 1:-1] * TRIGRAM_P[1] + ids[:, 2:] * TRIGRAM_P[2] + 2, buckets) + vocab
    rows = torch.cat([ids, bi, tri], 1)
    valid = torch.cat([m, m[:, :-1] * m[:, 1:], m[:, :-2] * m[:, 1:-1] * m[:, 2:]], 1)
    return rows, valid.to(torch.float32)


class Bert(nn.Module):
    @classmethod
    def from_cfg(cls, cfg):
        return cls(cfg['vocab'], cfg['h'], cfg['layers'], cfg['heads'], cfg['ffn'], cfg['max_pos'], cfg['labels'],
                   pool=cfg.get('pool', 'cls'), ngram_buckets=cfg.get('ngram_buckets', 0), ngram_dim=cfg.get('ngram_dim', 0))

    def __init__(self, vocab, h=256, layers=4, heads=4, ffn=1024, max_pos=128, labels=2, dropout=0.1, pool='cls',
                 ngram_buckets=0, ngram_dim=0):
        super().__init__()
        # pool 'mean' (masked mean over tokens) learns much faster from scratch than BERT's [CLS];
        # the exported graph is ours, transformers.js only reads `logits`.
        self.pool = pool
        self.cfg = dict(vocab=vocab, h=h, layers=layers, heads=heads, ffn=ffn, max_pos=max_pos, labels=labels, pool=pool,
                        ngram_buckets=ngram_buckets, ngram_dim=ngram_dim)
        self.word = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(max_pos, h)
        self.token_type = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(h, heads, ffn, dropout) for _ in range(layers)])
        self.pooler = nn.Linear(h, h)
        self.classifier = nn.Linear(h + ngram_dim, labels)
        if ngram_dim:
            # Sparse gradients: a batch touches a few thousand of the rows (trained with SparseAdam).
            self.ngram = nn.Embedding(vocab + ngram_buckets, ngram_dim, sparse=True)
            # Training-only head on the n-gram average alone, so the branch learns as a classifier of its own.
            self.ngram_aux = nn.Linear(ngram_dim, labels)
        # MLM head (pre-training only, not exported): transform + LN, decoder tied to word embeddings.
        self.mlm_dense = nn.Linear(h, h)
        self.mlm_ln = nn.LayerNorm(h, eps=1e-12)
        self.mlm_bias = nn.Parameter(torch.zeros(vocab))
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def encode(self, ids, mask, types=None):
        s = ids.shape[1]
        pos = torch.arange(s, device=ids.device).unsqueeze(0)
        if types is None:
            types = torch.zeros_like(ids)
        x = self.word(ids) + self.pos(pos) + self.token_type(types)
        x = self.drop(self.ln(x))
        bias = ((1.0 - mask.to(x.dtype)) * -10000.0)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def pooled(self, x, mask):
        if self.pool == 'mean':
            m = mask.to(x.dtype).unsqueeze(-1)
            return (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return x[:, 0]

    def ngram_mean(self, ids, mask):
        rows, valid = ngram_rows(ids, mask, self.cfg['vocab'], self.cfg['ngram_buckets'])
        e = self.ngram(rows) * valid.unsqueeze(-1)
        return e.sum(1) / valid.sum(1, keepdim=True).clamp(min=1.0)

    def features(self, ids, mask, types=None):
        """The classifier's input: tanh-pooled encoder vector, then (if any) the n-gram average."""
        x = self.encode(ids, mask, types)
        f = torch.tanh(self.pooler(self.pooled(x, mask)))
        if self.cfg.get('ngram_dim'):
            f = torch.cat([f, self.ngram_mean(ids, mask)], 1)
        return f

    def logits(self, ids, mask, types=None):
        return self.classifier(self.drop(self.features(ids, mask, types)))

    def mlm_logits(self, hidden):
        t = self.mlm_ln(F.gelu(self.mlm_dense(hidden)))
        return t @ self.word.weight.t() + self.mlm_bias


class ExportWrapper(nn.Module):
    """ONNX entry point: inputs and outputs named as Hugging Face's exporter names them."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert.classifier(self.bert.features(input_ids, attention_mask, token_type_ids))
