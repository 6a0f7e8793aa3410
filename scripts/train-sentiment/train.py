"""Trains the shipped bilingual sentiment encoder: vocabulary → masked-language-model pre-training on
the corpora's own text → fine-tuning on their labels, with model selection on a seeded held-out
split of the same corpora (never on SST-2 dev or waimai dev). Time-budgeted and checkpointed: the
best model so far is always in <out>/best.pt, so export can run whenever the budget ends.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 scripts/train-sentiment/train.py
"""
import argparse
import csv
import json
import os
import random
import time

import numpy as np
import torch
from torch.nn import functional as F

from model import Bert
from tokenizer import CLS, MASK, PAD, SEP, WordPiece, build_vocab

# (file, language, loss weight, most rows used). Sentiment140's labels come from emoticons (noisy):
# a sample, weighted down.
CORPORA = [
    ('en_sst2_train.csv', 'en', 1.0, None),
    ('en_mpqa.csv', 'en', 1.0, None),
    ('en_semeval_tweets.csv', 'en', 1.0, None),
    ('en_imdb_short_10k.csv', 'en', 1.0, None),
    ('en_sentiment140_100k.csv', 'en', 0.3, 40_000),
    ('zh_chnsenticorp_htl_all.csv', 'zh', 1.0, None),
    ('zh_online_shopping_10_cats.csv', 'zh', 1.0, None),
]
HELDOUT_SHARE = 0.04


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)


def load(data_dir, seed):
    rng = random.Random(seed)
    train, heldout = [], []
    for name, lang, weight, cap in CORPORA:
        with open(os.path.join(data_dir, name), encoding='utf-8', newline='') as f:
            rows = [(r['text'], int(r['label'])) for r in csv.DictReader(f)]
        rng.shuffle(rows)
        n_ho = min(2000, max(300, int(len(rows) * HELDOUT_SHARE)))
        ho, tr = rows[:n_ho], rows[n_ho:]
        if cap:
            tr = tr[:cap]
        train += [(t, y, weight, name, lang) for t, y in tr]
        heldout += [(t, y, 1.0, name, lang) for t, y in ho]
        log(f'{name}: {len(tr)} train, {len(ho)} held out')
    return train, heldout


def batches(lengths, indices, max_tokens, max_batch, rng):
    """Length-bucketed batches: sort within shuffled pools so padding stays small."""
    idx = list(indices)
    rng.shuffle(idx)
    out = []
    pool = 8192
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: lengths[i])
        cur = []
        longest = 0
        for i in chunk:
            longest2 = max(longest, lengths[i])
            if cur and (longest2 * (len(cur) + 1) > max_tokens or len(cur) >= max_batch):
                out.append(cur)
                cur, longest2 = [], lengths[i]
            cur.append(i)
            longest = longest2
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


def pad(seqs):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), PAD, dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = torch.tensor(s, dtype=torch.long)
    return ids, (ids != PAD).long()


def mask_tokens(ids, vocab_size, gen):
    labels = ids.clone()
    special = (ids == PAD) | (ids == CLS) | (ids == SEP)
    prob = torch.full(ids.shape, 0.15)
    prob[special] = 0
    chosen = torch.bernoulli(prob, generator=gen).bool()
    labels[~chosen] = -100
    inputs = ids.clone()
    r = torch.rand(ids.shape, generator=gen)
    inputs[chosen & (r < 0.8)] = MASK
    rnd = chosen & (r >= 0.8) & (r < 0.9)
    inputs[rnd] = torch.randint(5, vocab_size, (int(rnd.sum()),), generator=gen)
    return inputs, labels


def lr_at(step, elapsed, budget, peak, warmup):
    warm = min(1.0, (step + 1) / warmup)
    return peak * warm * max(0.02, 1.0 - elapsed / budget)


@torch.no_grad()
def evaluate(model, enc, rows, idx):
    model.eval()
    by_file = {}
    order = sorted(idx, key=lambda i: len(enc[i]))
    for p in range(0, len(order), 128):
        b = order[p:p + 128]
        ids, mask = pad([enc[i] for i in b])
        pred = model.logits(ids, mask).argmax(-1).tolist()
        for i, y in zip(b, pred):
            ok, n = by_file.get(rows[i][3], (0, 0))
            by_file[rows[i][3]] = (ok + (y == rows[i][1]), n + 1)
    model.train()
    acc = {f: ok / n for f, (ok, n) in by_file.items()}
    en = [acc[f] for f in acc if f.startswith('en_') and 'sentiment140' not in f]
    zh = [acc[f] for f in acc if f.startswith('zh_')]
    score = (sum(en) / len(en) + sum(zh) / len(zh)) / 2
    return score, acc


def save(model, path, extra):
    tmp = path + '.tmp'
    torch.save({'cfg': model.cfg, 'state': model.state_dict(), **extra}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '../../../shared/data/text'))
    ap.add_argument('--out', default='/tmp/sentiment-bilingual-train')
    ap.add_argument('--seed', type=int, default=20261204)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--vocab', type=int, default=16000)
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--ffn', type=int, default=1024)
    ap.add_argument('--max-len', type=int, default=128)
    ap.add_argument('--pool', choices=['cls', 'mean'], default='cls')
    ap.add_argument('--ft-lr', type=float, default=2e-4)
    ap.add_argument('--ft-warmup', type=int, default=200, help='fine-tuning warm-up steps')
    ap.add_argument('--mlm-minutes', type=float, default=20)
    ap.add_argument('--ft-minutes', type=float, default=40)
    ap.add_argument('--max-tokens', type=int, default=4096)
    ap.add_argument('--eval-seconds', type=float, default=180)
    ap.add_argument('--bench', action='store_true', help='time 20 steps of each phase and stop')
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()

    train, heldout = load(a.data, a.seed)
    vocab = build_vocab([r[0] for r in train], a.vocab)
    with open(os.path.join(a.out, 'vocab.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(vocab) + '\n')
    wp = WordPiece(vocab)
    rows = train + heldout
    enc = [wp.encode(r[0], a.max_len) for r in rows]
    lengths = [len(e) for e in enc]
    unk = sum(e.count(1) for e in enc) / sum(lengths)
    log(f'vocab {len(vocab)}, {sum(lengths)} tokens, unk share {unk:.4f}, encoded in {time.time() - t0:.0f}s')
    tr_idx = list(range(len(train)))
    ho_idx = list(range(len(train), len(rows)))
    # Fine-tuning sees the Chinese rows twice per epoch: they are a quarter of the data but half the targets.
    ft_idx = tr_idx + [i for i in tr_idx if rows[i][4] == 'zh']

    model = Bert(len(vocab), a.hidden, a.layers, a.heads, a.ffn, a.max_len, pool=a.pool)
    nparams = sum(p.numel() for p in model.parameters())
    log(f'model {model.cfg}, {nparams / 1e6:.2f}M parameters')
    meta = {'vocab_file': 'vocab.txt', 'seed': a.seed, 'args': vars(a)}

    # --- masked-language-model pre-training on the texts of the training split (labels unused) ---
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01)
    budget = a.mlm_minutes * 60
    start, step, seen = time.time(), 0, 0
    done = budget <= 0
    while not done:
        for b in batches(lengths, tr_idx, a.max_tokens * 2, 256, rng):
            elapsed = time.time() - start
            if elapsed > budget or (a.bench and step == 20):
                done = True
                break
            for g in opt.param_groups:
                g['lr'] = lr_at(step, elapsed, budget, 5e-4, 300)
            ids, mask = pad([enc[i] for i in b])
            inputs, labels = mask_tokens(ids, len(vocab), gen)
            hidden = model.encode(inputs, mask)
            sel = labels != -100
            if not sel.any():
                continue
            loss = F.cross_entropy(model.mlm_logits(hidden[sel]), labels[sel])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += int(mask.sum())
            if step % 200 == 0 or (a.bench and step % 5 == 0):
                log(f'mlm step {step} loss {loss.item():.3f} {seen / (time.time() - start):.0f} tok/s')
    log(f'mlm done: {step} steps, {seen} tokens in {time.time() - start:.0f}s')
    save(model, os.path.join(a.out, 'pretrained.pt'), meta)

    # --- fine-tuning on the labels; keep the best held-out score ---
    opt = torch.optim.AdamW(model.parameters(), lr=a.ft_lr, weight_decay=0.01)
    budget = a.ft_minutes * 60
    start, step, seen, epoch = time.time(), 0, 0, 0
    best, last_eval = -1.0, time.time()
    done = False
    while not done:
        epoch += 1
        for b in batches(lengths, ft_idx, a.max_tokens, 128, rng):
            elapsed = time.time() - start
            if elapsed > budget or (a.bench and step == 20):
                done = True
                break
            for g in opt.param_groups:
                g['lr'] = lr_at(step, elapsed, budget, a.ft_lr, a.ft_warmup)
            ids, mask = pad([enc[i] for i in b])
            y = torch.tensor([rows[i][1] for i in b])
            w = torch.tensor([rows[i][2] for i in b])
            loss = (F.cross_entropy(model.logits(ids, mask), y, reduction='none', label_smoothing=0.05) * w).sum() / w.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += len(b)
            if step % 200 == 0 or (a.bench and step % 5 == 0):
                log(f'ft epoch {epoch} step {step} loss {loss.item():.3f} {seen / (time.time() - start):.0f} rows/s')
            if time.time() - last_eval > a.eval_seconds and not a.bench:
                score, acc = evaluate(model, enc, rows, ho_idx)
                last_eval = time.time()
                mark = ''
                if score > best:
                    best = score
                    save(model, os.path.join(a.out, 'best.pt'), {**meta, 'heldout': acc, 'score': score, 'step': step})
                    mark = ' (best, saved)'
                log(f'eval step {step}: score {score:.4f}{mark} ' + ' '.join(f'{k[:-4]}={v:.3f}' for k, v in acc.items()))
    if not a.bench:
        score, acc = evaluate(model, enc, rows, ho_idx)
        if score > best:
            save(model, os.path.join(a.out, 'best.pt'), {**meta, 'heldout': acc, 'score': score, 'step': step})
            best = score
        log(f'final eval: score {score:.4f}; best {best:.4f} ' + ' '.join(f'{k[:-4]}={v:.3f}' for k, v in acc.items()))
    log(f'total {time.time() - t0:.0f}s')
    with open(os.path.join(a.out, 'train-summary.json'), 'w') as f:
        json.dump({'best_score': best, 'seconds': time.time() - t0, 'args': vars(a), 'params': nparams}, f, indent=2)


if __name__ == '__main__':
    main()
