"""The peer the shipped model must beat: TF-IDF + logistic regression, one model per language,
trained on the same training split as train.py (same files, same held-out rows removed, the same
Sentiment140 sample, weighted down the same way). English: word 1–2-grams + character 2–5-grams;
Chinese: character 1–3-grams. Prints held-out and dev accuracies as JSON.

/usr/bin/python3 scripts/train-sentiment/peer_tfidf.py  (needs Debian's python3-sklearn)
"""
import argparse
import csv
import json
import os
import time

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from train import load

HERE = os.path.dirname(os.path.abspath(__file__))


def read_dev(path):
    with open(path, encoding='utf-8', newline='') as f:
        if path.endswith('.tsv'):
            rows = list(csv.DictReader(f, delimiter='\t'))
            return [r['sentence'] for r in rows], np.array([int(r['label']) for r in rows])
        rows = list(csv.DictReader(f))
        return [r['review'] for r in rows], np.array([int(r['label']) for r in rows])


def vectorizers(lang):
    if lang == 'en':
        return [TfidfVectorizer(analyzer='word', ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True, token_pattern=r"(?u)\b\w+\b|[!?]"),
                TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 5), min_df=3, sublinear_tf=True, lowercase=True, max_features=400_000)]
    return [TfidfVectorizer(analyzer='char', ngram_range=(1, 3), min_df=2, sublinear_tf=True, lowercase=True)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default=os.path.join(HERE, '../../../shared/data/text'))
    ap.add_argument('--sst2-dev', default=os.path.join(HERE, '../../../shared/data/sst2_dev.tsv'))
    ap.add_argument('--waimai-dev', default=os.path.join(HERE, '../../../shared/data/waimai_dev.csv'))
    ap.add_argument('--seed', type=int, default=20261204)
    ap.add_argument('--c', type=float, default=4.0)
    a = ap.parse_args()
    t0 = time.time()
    train, heldout = load(a.data, a.seed)
    out = {'peer': 'tfidf+logreg', 'heldout': {}, 'dev': {}}
    for lang, dev in (('en', a.sst2_dev), ('zh', a.waimai_dev)):
        tr = [r for r in train if r[4] == lang]
        vecs = vectorizers(lang)
        x = hstack([v.fit_transform([r[0] for r in tr]) for v in vecs]).tocsr()
        y = np.array([r[1] for r in tr])
        w = np.array([r[2] for r in tr])
        clf = LogisticRegression(C=a.c, max_iter=2000, solver='liblinear')
        clf.fit(x, y, sample_weight=w)

        def predict(texts):
            return clf.predict(hstack([v.transform(texts) for v in vecs]).tocsr())

        for name in sorted({r[3] for r in heldout if r[4] == lang}):
            rows = [r for r in heldout if r[3] == name]
            out['heldout'][name] = round(float((predict([r[0] for r in rows]) == np.array([r[1] for r in rows])).mean()), 4)
        texts, labels = read_dev(dev)
        out['dev'][os.path.basename(dev)] = round(float((predict(texts) == labels).mean()), 4)
    out['seconds'] = round(time.time() - t0, 1)
    print(json.dumps(out, indent=2))


if __name__ == '__main__':
    main()
