"""Writes reference token ids and torch probabilities for sample texts (held-out rows of every
corpus plus awkward strings) so check-export.js can confirm transformers.js tokenises the same way
and the quantised ONNX model agrees with the trained one.

/usr/bin/python3 check_export.py --checkpoint <best.pt> --out <refs.json>
"""
import argparse
import json
import os

import torch

from model import Bert
from tokenizer import WordPiece
from train import load

AWKWARD = ['Café déjà vu — naïve résumé!!!', "it 's not bad , is n't it ?", '送餐太慢了，饭都凉了😡', 'ＦＵＬＬ　ｗｉｄｔｈ ａｎｄ 全角，標點', 'ok', '',
           'e-mail me: someone@example.com #hashtag @user http://t.co/x', '一般般吧。。。还行 3/5', 'x' * 150]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '../../../shared/data/text'))
    a = ap.parse_args()
    ck = torch.load(a.checkpoint, map_location='cpu')
    cfg = ck['cfg']
    with open(os.path.join(os.path.dirname(a.checkpoint), ck['vocab_file']), encoding='utf-8') as f:
        vocab = [line.rstrip('\n') for line in f]
    model = Bert.from_cfg(cfg)
    model.load_state_dict(ck['state'])
    model.eval()
    wp = WordPiece(vocab)
    _, heldout = load(a.data, ck.get('seed', 20261204))
    texts = [r[0] for r in heldout[::40]] + AWKWARD
    out = []
    with torch.no_grad():
        for t in texts:
            ids = wp.encode(t, cfg['max_pos'])
            # transformers.js cuts [CLS] … [SEP] to max_length (a long text loses its [SEP]); training
            # kept the [SEP]. Reference ids follow transformers.js, probabilities what training saw.
            js_ids = wp.encode(t, 10_000)[:cfg['max_pos']]
            x = torch.tensor([ids])
            p = torch.softmax(model.logits(x, torch.ones_like(x)), -1)[0].tolist()
            out.append({'text': t, 'ids': js_ids, 'positive': p[1]})
    with open(a.out, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False)
    print(f'{len(out)} references written')


if __name__ == '__main__':
    main()
