"""Trains the shipped bilingual sentiment encoder: vocabulary → masked-language-model pre-training on
the corpora's own text → fine-tuning on their labels, with model selection on a seeded held-out
split of the same corpora (never on SST-2 dev or waimai dev). Time-budgeted and checkpointed: the
best model so far is always in <out>/best.pt, so export can run whenever the budget ends.

Run with Debian's interpreter (python3-torch): /usr/bin/python3 scripts/train-sentiment/train.py

With --ngram-buckets/--ngram-dim the model gets a hashed token 1-3-gram branch (model.py); with --init,
--vocab-file and --freeze-encoder only that branch and the classifier are trained on top of an earlier
checkpoint (commands for the 2026-12-06 candidate: models/sentiment-bilingual/README.md).
"""
import argparse
import csv
import hashlib
import json
import os
import pickle
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
    return summarise(by_file)


def summarise(by_file):
    acc = {f: ok / n for f, (ok, n) in by_file.items()}
    en = [acc[f] for f in acc if f.startswith('en_') and 'sentiment140' not in f]
    zh = [acc[f] for f in acc if f.startswith('zh_')]
    score = (sum(en) / len(en) + sum(zh) / len(zh)) / 2
    return score, acc


@torch.no_grad()
def pooled_cache(model, enc, max_tokens):
    """Frozen encoder: the tanh-pooled [CLS] vector of every row, computed once (eval mode, no dropout)."""
    model.eval()
    out = torch.zeros(len(enc), model.cfg['h'])
    order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
    p = 0
    while p < len(order):
        n = max(1, min(256, max_tokens // len(enc[order[min(p + 255, len(order) - 1)]])))
        b = order[p:p + n]
        ids, mask = pad([enc[i] for i in b])
        x = model.encode(ids, mask)
        out[b] = torch.tanh(model.pooler(model.pooled(x, mask)))
        p += n
    model.train()
    return out


@torch.no_grad()
def evaluate_cached(model, enc, rows, idx, cache):
    model.eval()
    by_file = {}
    order = sorted(idx, key=lambda i: len(enc[i]))
    for p in range(0, len(order), 256):
        b = order[p:p + 256]
        ids, mask = pad([enc[i] for i in b])
        pred = model.classifier(torch.cat([cache[b], model.ngram_mean(ids, mask)], 1)).argmax(-1).tolist()
        for i, y in zip(b, pred):
            ok, n = by_file.get(rows[i][3], (0, 0))
            by_file[rows[i][3]] = (ok + (y == rows[i][1]), n + 1)
    model.train()
    return summarise(by_file)


def init_from(model, path):
    """Encoder, pooler and the encoder's classifier columns from an earlier checkpoint; the n-gram
    columns of the classifier start at zero."""
    ck = torch.load(path, map_location='cpu')
    state = dict(ck['state'])
    w = state.pop('classifier.weight')
    own = model.state_dict()
    missing, unexpected = model.load_state_dict({k: v for k, v in state.items() if k in own}, strict=False)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.weight[:, :w.shape[1]] = w
    log(f'initialised from {path} (held-out {ck.get("score")}); not in it: {[k for k in missing if k != "classifier.weight"]}')


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
    ap.add_argument('--cache-dir', help='where encoded rows (and frozen pooled vectors) are cached; default --out')
    ap.add_argument('--vocab-file', help='reuse this vocabulary (keeps the shipped tokenizer) instead of building one')
    ap.add_argument('--init', help='start from this checkpoint (encoder, pooler, classifier); pre-training still runs unless --mlm-minutes 0')
    ap.add_argument('--ngram-buckets', type=int, default=0, help='hashed bigram+trigram rows (a prime); 0 = no n-gram branch')
    ap.add_argument('--ngram-dim', type=int, default=0)
    ap.add_argument('--ngram-lr', type=float, default=3e-3, help='SparseAdam peak lr of the n-gram table')
    ap.add_argument('--aux-weight', type=float, default=0.5, help='loss weight of the n-gram-only head')
    ap.add_argument('--zh-repeat', type=int, default=2, help='times each Chinese row is seen per fine-tuning epoch')
    ap.add_argument('--freeze-encoder', action='store_true',
                    help='keep encoder+pooler fixed (pooled vectors computed once); train the n-gram branch and classifier')
    ap.add_argument('--ft-epochs', type=float, default=0, help='stop fine-tuning after this many epochs (0 = budget only)')
    ap.add_argument('--combine', choices=['learned', 'sum'], default='learned',
                    help="learned: the classifier over [pooled, n-gram mean] is trained (with the frozen encoder it learns from the "
                         "encoder's training-set features, on which the encoder is over-confident); sum: the n-gram branch is trained "
                         "alone (its own head) and the classifier is set to encoder logits + alpha * n-gram logits (a product of experts)")
    ap.add_argument('--alphas', default='0.5,0.75,1,1.5,2,3', help='with --combine sum: alpha values scored on the held-out split')
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
    if a.vocab_file:
        with open(a.vocab_file, encoding='utf-8') as f:
            vocab = [line.rstrip('\n') for line in f]
    else:
        vocab = build_vocab([r[0] for r in train], a.vocab)
    with open(os.path.join(a.out, 'vocab.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(vocab) + '\n')
    wp = WordPiece(vocab)
    rows = train + heldout
    # Encoding is pure Python and slow: cache it by vocabulary, length and split.
    key = hashlib.sha1(('\n'.join(vocab) + f'|{a.max_len}|{a.seed}|{len(rows)}').encode()).hexdigest()[:16]
    cache_file = os.path.join(a.cache_dir or a.out, f'encoded-{key}.pkl')
    if os.path.exists(cache_file):
        with open(cache_file, 'rb') as f:
            enc = pickle.load(f)
    else:
        enc = [wp.encode(r[0], a.max_len) for r in rows]
        with open(cache_file, 'wb') as f:
            pickle.dump(enc, f)
    lengths = [len(e) for e in enc]
    unk = sum(e.count(1) for e in enc) / sum(lengths)
    log(f'vocab {len(vocab)}, {sum(lengths)} tokens, unk share {unk:.4f}, encoded in {time.time() - t0:.0f}s')
    tr_idx = list(range(len(train)))
    ho_idx = list(range(len(train), len(rows)))
    # Fine-tuning sees the Chinese rows twice per epoch: they are a quarter of the data but half the targets.
    ft_idx = tr_idx + [i for i in tr_idx if rows[i][4] == 'zh'] * (a.zh_repeat - 1)

    model = Bert(len(vocab), a.hidden, a.layers, a.heads, a.ffn, a.max_len, pool=a.pool,
                 ngram_buckets=a.ngram_buckets, ngram_dim=a.ngram_dim)
    if a.init:
        init_from(model, a.init)
    nparams = sum(p.numel() for p in model.parameters())
    log(f'model {model.cfg}, {nparams / 1e6:.2f}M parameters')
    meta = {'vocab_file': 'vocab.txt', 'seed': a.seed, 'args': vars(a)}

    # --- masked-language-model pre-training on the texts of the training split (labels unused) ---
    opt = torch.optim.AdamW([p for n, p in model.named_parameters() if not n.startswith('ngram')], lr=5e-4, weight_decay=0.01)
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
    if budget > 0:
        save(model, os.path.join(a.out, 'pretrained.pt'), meta)

    # --- fine-tuning on the labels; keep the best held-out score ---
    frozen = ('word.', 'pos.', 'token_type.', 'ln.', 'layers.', 'pooler.', 'mlm_')
    if a.freeze_encoder:
        for n, p in model.named_parameters():
            if n.startswith(frozen):
                p.requires_grad_(False)
        t1 = time.time()
        # Cached on disk by initial checkpoint and encoding (same rows, same weights, same vectors).
        with open(a.init, 'rb') as f:
            init_key = hashlib.sha1(f.read()).hexdigest()[:16]
        pooled_file = os.path.join(a.cache_dir or a.out, f'pooled-{init_key}-{key}.pt')
        if os.path.exists(pooled_file):
            cache = torch.load(pooled_file)
        else:
            cache = pooled_cache(model, enc, a.max_tokens * 4)
            torch.save(cache, pooled_file)
        log(f'encoder frozen: pooled vectors of {len(enc)} rows in {time.time() - t1:.0f}s')
    if a.combine == 'sum':
        assert a.freeze_encoder and a.ngram_dim, '--combine sum needs --freeze-encoder and an n-gram branch'
        h = a.hidden
        w_enc = model.classifier.weight.detach()[:, :h].clone()
        b_enc = model.classifier.bias.detach().clone()
        model.classifier.requires_grad_(False)
        alphas = [float(x) for x in a.alphas.split(',')]

        def set_alpha(alpha):
            with torch.no_grad():
                model.classifier.weight[:, :h] = w_enc
                model.classifier.weight[:, h:] = alpha * model.ngram_aux.weight
                model.classifier.bias[:] = b_enc + alpha * model.ngram_aux.bias
    dense = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith('ngram.')]
    opts = [torch.optim.AdamW(dense, lr=a.ft_lr, weight_decay=0.01)]
    peaks = [a.ft_lr]
    if a.ngram_dim:
        opts.append(torch.optim.SparseAdam([model.ngram.weight], lr=a.ngram_lr))
        peaks.append(a.ngram_lr)
    budget = a.ft_minutes * 60
    steps_per_epoch = len(batches(lengths, ft_idx, a.max_tokens, 128, random.Random(0)))
    max_steps = int(a.ft_epochs * steps_per_epoch) if a.ft_epochs else None
    if max_steps:
        log(f'{steps_per_epoch} steps per epoch, stopping after {max_steps}')
    def check(step, best, what):
        for alpha in (alphas if a.combine == 'sum' else [None]):
            if alpha is not None:
                set_alpha(alpha)
            score, acc = evaluate_cached(model, enc, rows, ho_idx, cache) if a.freeze_encoder else evaluate(model, enc, rows, ho_idx)
            mark = ''
            if score > best:
                best = score
                save(model, os.path.join(a.out, 'best.pt'), {**meta, 'heldout': acc, 'score': score, 'step': step, 'alpha': alpha})
                mark = ' (best, saved)'
            log(f'{what} step {step}' + (f' alpha {alpha}' if alpha is not None else '') + f': score {score:.4f}{mark} '
                + ' '.join(f'{k[:-4]}={v:.3f}' for k, v in acc.items()))
        return best

    start, step, seen, epoch = time.time(), 0, 0, 0
    best, last_eval = -1.0, time.time()
    done = False
    while not done:
        epoch += 1
        for b in batches(lengths, ft_idx, a.max_tokens, 128, rng):
            elapsed = time.time() - start
            if elapsed > budget or (a.bench and step == 20) or (max_steps and step >= max_steps):
                done = True
                break
            # Linear decay over the wall-clock budget, or over the step budget when --ft-epochs is set.
            progress_t, progress_b = (step, max_steps) if max_steps else (elapsed, budget)
            for o, peak in zip(opts, peaks):
                for g in o.param_groups:
                    g['lr'] = lr_at(step, progress_t, progress_b, peak, a.ft_warmup)
            ids, mask = pad([enc[i] for i in b])
            y = torch.tensor([rows[i][1] for i in b])
            w = torch.tensor([rows[i][2] for i in b])
            if a.ngram_dim:
                ng = model.ngram_mean(ids, mask)
                if a.freeze_encoder:
                    f = torch.cat([cache[b], ng], 1)
                else:
                    x = model.encode(ids, mask)
                    f = torch.cat([torch.tanh(model.pooler(model.pooled(x, mask))), ng], 1)
                aux = model.ngram_aux(model.drop(ng))
                per_row = a.aux_weight * F.cross_entropy(aux, y, reduction='none', label_smoothing=0.05)
                if a.combine == 'learned':
                    out = model.classifier(model.drop(f))
                    per_row = per_row + F.cross_entropy(out, y, reduction='none', label_smoothing=0.05)
            else:
                per_row = F.cross_entropy(model.logits(ids, mask), y, reduction='none', label_smoothing=0.05)
            loss = (per_row * w).sum() / w.sum()
            for o in opts:
                o.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(dense, 1.0)
            for o in opts:
                o.step()
            step += 1
            seen += len(b)
            if step % 200 == 0 or (a.bench and step % 5 == 0):
                log(f'ft epoch {epoch} step {step} loss {loss.item():.3f} {seen / (time.time() - start):.0f} rows/s')
            if time.time() - last_eval > a.eval_seconds and not a.bench:
                best = check(step, best, 'eval')
                last_eval = time.time()
    if not a.bench:
        best = check(step, best, 'final eval')
    log(f'total {time.time() - t0:.0f}s')
    with open(os.path.join(a.out, 'train-summary.json'), 'w') as f:
        json.dump({'best_score': best, 'seconds': time.time() - t0, 'args': vars(a), 'params': nparams}, f, indent=2)


if __name__ == '__main__':
    main()
