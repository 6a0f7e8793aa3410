"""A BERT encoder (post-LayerNorm, exact GELU, tanh pooler on [CLS] or on the mean of the tokens) with the parameter layout of
Hugging Face's BertForSequenceClassification, so the exported ONNX graph is what transformers.js
expects for model_type "bert"."""
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


class Bert(nn.Module):
    def __init__(self, vocab, h=256, layers=4, heads=4, ffn=1024, max_pos=128, labels=2, dropout=0.1, pool='cls'):
        super().__init__()
        # pool 'mean' (masked mean over tokens) learns much faster from scratch than BERT's [CLS];
        # the exported graph is ours, transformers.js only reads `logits`.
        self.pool = pool
        self.cfg = dict(vocab=vocab, h=h, layers=layers, heads=heads, ffn=ffn, max_pos=max_pos, labels=labels, pool=pool)
        self.word = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(max_pos, h)
        self.token_type = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(h, heads, ffn, dropout) for _ in range(layers)])
        self.pooler = nn.Linear(h, h)
        self.classifier = nn.Linear(h, labels)
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

    def logits(self, ids, mask, types=None):
        x = self.encode(ids, mask, types)
        return self.classifier(self.drop(torch.tanh(self.pooler(self.pooled(x, mask)))))

    def mlm_logits(self, hidden):
        t = self.mlm_ln(F.gelu(self.mlm_dense(hidden)))
        return t @ self.word.weight.t() + self.mlm_bias


class ExportWrapper(nn.Module):
    """ONNX entry point: inputs and outputs named as Hugging Face's exporter names them."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.bert.encode(input_ids, attention_mask, token_type_ids)
        logits = self.bert.classifier(torch.tanh(self.bert.pooler(self.bert.pooled(x, attention_mask))))
        return logits
