"""Exports a trained checkpoint as a transformers.js model folder: config.json, tokenizer.json,
tokenizer_config.json, special_tokens_map.json, vocab.txt and onnx/model_quantized.onnx.
With an n-gram branch (model.py) the graph also hashes the token 1-3-grams of input_ids and averages
their rows of the n-gram table; its inputs and outputs stay those of BertForSequenceClassification.

Quantisation is written here with the onnx Python API because onnxruntime's quantisation tool is
not installable on this machine. It does what onnxruntime's `quantize_dynamic` does for MatMul:
int8 weights (symmetric, one scale per output column), activations quantised to uint8 at run time
(DynamicQuantizeLinear), MatMulInteger, rescale to float. The word-embedding table is stored as
int8 with one scale per row and dequantised after the Gather, so only looked-up rows are rescaled;
the n-gram table is stored the same way. The classifier (a Gemm) stays fp32.

/usr/bin/python3 scripts/train-sentiment/export.py --checkpoint /tmp/.../best.pt --out models/sentiment-bilingual
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from model import Bert, ExportWrapper
from tokenizer import SPECIAL, tokenizer_json

OPSET = 14


def export_fp32(model, path, max_len):
    wrapper = ExportWrapper(model).eval()
    ids = torch.tensor([[2, 100, 200, 300, 3], [2, 150, 3, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    types = torch.zeros_like(ids)
    axes = {0: 'batch_size', 1: 'sequence_length'}
    torch.onnx.export(wrapper, (ids, mask, types), path, opset_version=OPSET,
                      input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['logits'],
                      dynamic_axes={'input_ids': axes, 'attention_mask': axes, 'token_type_ids': axes, 'logits': {0: 'batch_size'}},
                      do_constant_folding=True)


def quantize(src, dst, word_embedding_rows):
    """word_embedding_rows: row counts of the tables to store as int8 (word embeddings, n-gram table)."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    consumers = {}
    for n in g.node:
        for x in n.input:
            consumers.setdefault(x, []).append(n)
    new_nodes, drop = [], set()
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type in ('MatMul', 'Gather') and len(n.input) > 1 else None
        w0 = inits.get(n.input[0]) if n.op_type == 'Gather' else None
        if n.op_type == 'MatMul' and w is not None and len(w.dims) == 2:
            arr = numpy_helper.to_array(w).astype(np.float32)
            scale = np.maximum(np.abs(arr).max(axis=0), 1e-8) / 127.0
            q = np.clip(np.round(arr / scale), -127, 127).astype(np.int8)
            base = n.name or n.output[0]
            qn, sn, zn = f'{w.name}_quantized', f'{w.name}_scale', f'{w.name}_zero_point'
            g.initializer.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(scale.astype(np.float32), sn),
                                  numpy_helper.from_array(np.array(0, dtype=np.int8), zn)])
            drop.add(w.name)
            xq, xs, xz = f'{base}_xq', f'{base}_xscale', f'{base}_xzp'
            new_nodes += [
                helper.make_node('DynamicQuantizeLinear', [n.input[0]], [xq, xs, xz], name=f'{base}_quant'),
                helper.make_node('MatMulInteger', [xq, qn, xz, zn], [f'{base}_int'], name=f'{base}_matmulint'),
                helper.make_node('Cast', [f'{base}_int'], [f'{base}_float'], to=TensorProto.FLOAT, name=f'{base}_cast'),
                helper.make_node('Mul', [xs, sn], [f'{base}_scales'], name=f'{base}_scalemul'),
                helper.make_node('Mul', [f'{base}_float', f'{base}_scales'], [n.output[0]], name=f'{base}_rescale'),
            ]
        elif w0 is not None and len(w0.dims) == 2 and w0.dims[0] in word_embedding_rows:
            arr = numpy_helper.to_array(w0).astype(np.float32)
            scale = np.maximum(np.abs(arr).max(axis=1), 1e-8) / 127.0
            q = np.clip(np.round(arr / scale[:, None]), -127, 127).astype(np.int8)
            base = n.name or n.output[0]
            qn, sn = f'{w0.name}_quantized', f'{w0.name}_row_scale'
            g.initializer.extend([numpy_helper.from_array(q, qn), numpy_helper.from_array(scale.astype(np.float32), sn),
                                  numpy_helper.from_array(np.array([-1], dtype=np.int64), f'{base}_unsq_axes')])
            drop.add(w0.name)
            new_nodes += [
                helper.make_node('Gather', [qn, n.input[1]], [f'{base}_q'], name=f'{base}_gather_q'),
                helper.make_node('Gather', [sn, n.input[1]], [f'{base}_s'], name=f'{base}_gather_s'),
                helper.make_node('Cast', [f'{base}_q'], [f'{base}_qf'], to=TensorProto.FLOAT, name=f'{base}_cast'),
                helper.make_node('Unsqueeze', [f'{base}_s', f'{base}_unsq_axes'], [f'{base}_s1'], name=f'{base}_unsq'),
                helper.make_node('Mul', [f'{base}_qf', f'{base}_s1'], [n.output[0]], name=f'{base}_dequant'),
            ]
        else:
            new_nodes.append(n)
    still_used = {x for n in new_nodes for x in n.input}
    keep = [i for i in g.initializer if not (i.name in drop and i.name not in still_used)]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.node[:]
    g.node.extend(new_nodes)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--model-id', default='success-engine/sentiment-bilingual')
    a = ap.parse_args()
    ck = torch.load(a.checkpoint, map_location='cpu')
    cfg = ck['cfg']
    model = Bert.from_cfg(cfg)
    model.load_state_dict(ck['state'])
    model.eval()
    with open(os.path.join(os.path.dirname(a.checkpoint), ck['vocab_file']), encoding='utf-8') as f:
        vocab = [line.rstrip('\n') for line in f]
    assert len(vocab) == cfg['vocab'], (len(vocab), cfg['vocab'])
    os.makedirs(os.path.join(a.out, 'onnx'), exist_ok=True)
    fp32 = os.path.join(os.path.dirname(a.checkpoint), 'model_fp32.onnx')
    export_fp32(model, fp32, cfg['max_pos'])
    tables = {cfg['vocab']} | ({cfg['vocab'] + cfg['ngram_buckets']} if cfg.get('ngram_dim') else set())
    quantize(fp32, os.path.join(a.out, 'onnx', 'model_quantized.onnx'), tables)

    def write_json(name, value):
        with open(os.path.join(a.out, name), 'w', encoding='utf-8') as f:
            json.dump(value, f, ensure_ascii=False, indent=2 if name != 'tokenizer.json' else None)
            f.write('\n')

    write_json('config.json', {
        '_name_or_path': a.model_id,
        'architectures': ['BertForSequenceClassification'],
        'model_type': 'bert',
        'vocab_size': cfg['vocab'],
        'hidden_size': cfg['h'],
        'num_hidden_layers': cfg['layers'],
        'num_attention_heads': cfg['heads'],
        'intermediate_size': cfg['ffn'],
        'hidden_act': 'gelu',
        'max_position_embeddings': cfg['max_pos'],
        'type_vocab_size': 2,
        'layer_norm_eps': 1e-12,
        'pad_token_id': 0,
        'id2label': {'0': 'negative', '1': 'positive'},
        'label2id': {'negative': 0, 'positive': 1},
        'problem_type': 'single_label_classification',
        # Which checkpoint this is. The product's model version hashes config.json and the ONNX file's size,
        # and a retrained model of the same shape has the same size: this line makes its version differ.
        'training_checkpoint': {'seed': ck.get('seed'), 'step': ck.get('step'), 'heldout_score': round(float(ck.get('score') or 0), 4),
                                'args': {k: ck.get('args', {}).get(k) for k in ('mlm_minutes', 'ft_minutes', 'ft_lr', 'max_len')
                                         + (('init', 'freeze_encoder', 'ft_epochs', 'ngram_lr', 'aux_weight', 'zh_repeat', 'combine') if cfg.get('ngram_dim') else ())},
                                **({'alpha': ck['alpha']} if ck.get('alpha') is not None else {})},
        # Read by nobody at run time (the hashing is in the ONNX graph); says what the graph holds besides the encoder.
        **({'ngram_branch': {'orders': [1, 2, 3], 'hashed_buckets': cfg['ngram_buckets'], 'dim': cfg['ngram_dim'],
                             'table_rows': cfg['vocab'] + cfg['ngram_buckets']}} if cfg.get('ngram_dim') else {}),
    })
    write_json('tokenizer.json', tokenizer_json(vocab, cfg['max_pos']))
    write_json('tokenizer_config.json', {
        'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'tokenize_chinese_chars': True, 'strip_accents': None,
        'model_max_length': cfg['max_pos'], 'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]',
        'unk_token': '[UNK]', 'mask_token': '[MASK]',
    })
    write_json('special_tokens_map.json', {'cls_token': '[CLS]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'unk_token': '[UNK]', 'mask_token': '[MASK]'})
    with open(os.path.join(a.out, 'vocab.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(vocab) + '\n')
    assert vocab[:len(SPECIAL)] == SPECIAL
    # Reference logits for a few texts, so the JS side can check it runs the same model.
    print(json.dumps({'heldout': ck.get('heldout'), 'score': ck.get('score'), 'step': ck.get('step')}))


if __name__ == '__main__':
    main()
