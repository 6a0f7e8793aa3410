import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeModel, TensorType, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-protobuf';

/**
 * Builds a valid BERT-architecture ONNX model with random weights, plus the config and WordPiece
 * tokenizer files transformers.js reads, entirely in JS. Tests use it so the real `pipeline()`
 * loading and inference code runs without downloadable weights; outputs carry no meaning.
 * The graph emits both `logits` (classification heads) and `last_hidden_state` (feature extraction).
 */
export interface TinyBertOptions {
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
  maxPositions: number;
  /** Vocabulary size; the seed vocabulary is padded with [unusedN] tokens up to it. */
  vocabSize: number;
  /** Classification labels in id order (id2label). */
  labels: readonly string[];
  seed: number;
  /** Which ONNX files to write: fp32 → onnx/model.onnx, q8 → onnx/model_quantized.onnx. */
  dtypes: readonly ('fp32' | 'q8')[];
  modelId: string;
}

export const tinyBertDefaults: TinyBertOptions = {
  hiddenSize: 32,
  layers: 2,
  heads: 4,
  intermediateSize: 64,
  maxPositions: 128,
  vocabSize: 0,
  labels: ['negative', 'positive'],
  seed: 42,
  dtypes: ['fp32', 'q8'],
  modelId: 'test/tiny-bert',
};

/** Real-size shapes for benchmarks (random weights). DistilBERT is expressed as a BERT graph of its size. */
export const miniLmL6Shape: Partial<TinyBertOptions> = {
  hiddenSize: 384,
  layers: 6,
  heads: 12,
  intermediateSize: 1536,
  maxPositions: 512,
  vocabSize: 30522,
  modelId: 'bench/minilm-l6-shape',
};
export const distilBertShape: Partial<TinyBertOptions> = {
  hiddenSize: 768,
  layers: 6,
  heads: 12,
  intermediateSize: 3072,
  maxPositions: 512,
  vocabSize: 30522,
  modelId: 'bench/distilbert-shape',
};

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = `the a an and or but not no is was are be to of in on for with it this that i you we they he she my our your
good great bad terrible slow fast service support product price love hate thanks please help issue problem refund delivery
food order app team call email account billing cancel renew happy angry excellent awful works broken bug fix time day
customer quality value easy hard`.split(/\s+/);
const SUBWORDS = ['##s', '##ed', '##ing', '##ly', '##er', '##est', '##n', "##'", '##t'];
const CJK =
  '的一是不了人我在有他这中大来上个们到说和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多都三小把好还很么没些心看起只与当太慢快味送餐服务态度差棒吃贵量足冷热菜饭店外卖满意失望'.split(
    '',
  );
const PUNCT = Array.from('.,!?;:\'"()-/@#$%&*+=[]{}<>，。！？、：；（）“”');

export function buildVocab(size: number): string[] {
  const letters = Array.from('abcdefghijklmnopqrstuvwxyz0123456789');
  const base = [...SPECIAL, ...PUNCT, ...letters, ...letters.map((c) => `##${c}`), ...WORDS, ...SUBWORDS, ...CJK];
  const vocab = [...new Set(base)];
  for (let i = 0; vocab.length < size; i++) vocab.push(`[unused${i}]`);
  return vocab;
}

/** Deterministic normal(0, std) numbers (mulberry32 + Box–Muller). */
function randomNormal(seed: number): (std: number) => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (std) => std * Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private counter = 0;

  constructor(
    private readonly normal: (std: number) => number,
    private readonly quantize: boolean,
  ) {}

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  op(op: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], name: this.fresh(`n_${op}`), attributes });
    return out;
  }

  floats(name: string, dims: readonly number[], values: Float32Array): string {
    this.initializers.push({
      name,
      type: TensorType.float,
      dims,
      raw: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  int64s(name: string, dims: readonly number[], values: readonly number[]): string {
    const b = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, type: TensorType.int64, dims, raw: new Uint8Array(b.buffer) });
    return name;
  }

  random(name: string, dims: readonly number[], std = 0.02): Float32Array {
    const n = dims.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = this.normal(std);
    return v;
  }

  dense(prefix: string, input: string, inDim: number, outDim: number): string {
    const b = this.floats(`${prefix}.bias`, [outDim], new Float32Array(outDim));
    if (this.quantize) return this.op('Add', [this.dynamicQuantizedMatMul(prefix, input, inDim, outDim), b]);
    const w = this.floats(`${prefix}.weight`, [inDim, outDim], this.random(prefix, [inDim, outDim]));
    return this.op('Add', [this.op('MatMul', [input, w]), b]);
  }

  /**
   * What onnxruntime's `quantize_dynamic` (and so the Hub's `model_quantized.onnx`) emits: int8
   * weights, activations quantised to uint8 at run time, integer MatMul, rescale to float.
   */
  private dynamicQuantizedMatMul(prefix: string, input: string, inDim: number, outDim: number): string {
    const values = this.random(prefix, [inDim, outDim]);
    let max = 0;
    for (const v of values) max = Math.max(max, Math.abs(v));
    const scale = max / 127 || 1;
    const q = new Int8Array(values.length);
    for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round((values[i] as number) / scale)));
    const name = `${prefix}.weight`;
    this.initializers.push({ name: `${name}_q`, type: TensorType.int8, dims: [inDim, outDim], raw: new Uint8Array(q.buffer) });
    this.floats(`${name}_scale`, [], new Float32Array([scale]));
    this.initializers.push({ name: `${name}_zp`, type: TensorType.int8, dims: [], raw: new Uint8Array([0]) });
    const xq = this.fresh('xq');
    const xScale = this.fresh('x_scale');
    const xZp = this.fresh('x_zp');
    this.nodes.push({
      op: 'DynamicQuantizeLinear',
      inputs: [input],
      outputs: [xq, xScale, xZp],
      name: this.fresh('n_DynamicQuantizeLinear'),
    });
    const integer = this.op('MatMulInteger', [xq, `${name}_q`, xZp, `${name}_zp`]);
    const asFloat = this.op('Cast', [integer], [{ name: 'to', kind: 'int', value: TensorType.float }]);
    return this.op('Mul', [asFloat, this.op('Mul', [xScale, `${name}_scale`])]);
  }

  layerNorm(prefix: string, input: string, dim: number): string {
    const g = this.floats(`${prefix}.gamma`, [dim], new Float32Array(dim).fill(1));
    const b = this.floats(`${prefix}.beta`, [dim], new Float32Array(dim));
    return this.op(
      'LayerNormalization',
      [input, g, b],
      [
        { name: 'axis', kind: 'int', value: -1 },
        { name: 'epsilon', kind: 'float', value: 1e-12 },
      ],
    );
  }
}

function buildGraph(o: TinyBertOptions, vocabSize: number, quantize: boolean): Buffer {
  const g = new GraphBuilder(randomNormal(o.seed), quantize);
  const H = o.hiddenSize;
  const headDim = H / o.heads;
  g.int64s('c_i0', [], [0]);
  g.int64s('c_i1', [], [1]);
  g.int64s('c_axes12', [2], [1, 2]);
  g.int64s('c_shape_heads', [4], [0, 0, o.heads, headDim]);
  g.int64s('c_shape_hidden', [3], [0, 0, H]);
  g.floats('c_f1', [], new Float32Array([1]));
  g.floats('c_fneg', [], new Float32Array([-10000]));
  g.floats('c_scale', [], new Float32Array([1 / Math.sqrt(headDim)]));
  g.floats('c_sqrt2', [], new Float32Array([Math.SQRT2]));
  g.floats('c_half', [], new Float32Array([0.5]));

  const word = g.floats('embeddings.word', [vocabSize, H], g.random('w', [vocabSize, H]));
  const pos = g.floats('embeddings.position', [o.maxPositions, H], g.random('p', [o.maxPositions, H]));
  const type = g.floats('embeddings.token_type', [2, H], g.random('t', [2, H]));
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), 'c_i1'], [{ name: 'axis', kind: 'int', value: 0 }]);
  const positions = g.op('Range', ['c_i0', seqLen, 'c_i1']);
  const embedded = g.op('Add', [
    g.op('Add', [g.op('Gather', [word, 'input_ids']), g.op('Gather', [pos, positions])]),
    g.op('Gather', [type, 'token_type_ids']),
  ]);
  let h = g.layerNorm('embeddings.ln', embedded, H);

  const maskFloat = g.op('Cast', ['attention_mask'], [{ name: 'to', kind: 'int', value: TensorType.float }]);
  const maskBias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', ['c_f1', maskFloat]), 'c_fneg']), 'c_axes12']);
  const heads = (x: string, perm: number[]): string =>
    g.op('Transpose', [g.op('Reshape', [x, 'c_shape_heads'])], [{ name: 'perm', kind: 'ints', value: perm }]);

  for (let l = 0; l < o.layers; l++) {
    const p = `layer${l}`;
    const q = heads(g.dense(`${p}.q`, h, H, H), [0, 2, 1, 3]);
    const k = heads(g.dense(`${p}.k`, h, H, H), [0, 2, 3, 1]);
    const v = heads(g.dense(`${p}.v`, h, H, H), [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), 'c_scale']), maskBias]);
    const probs = g.op('Softmax', [scores], [{ name: 'axis', kind: 'int', value: -1 }]);
    const context = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [probs, v])], [{ name: 'perm', kind: 'ints', value: [0, 2, 1, 3] }]),
      'c_shape_hidden',
    ]);
    const attended = g.layerNorm(`${p}.ln1`, g.op('Add', [g.dense(`${p}.o`, context, H, H), h]), H);
    const up = g.dense(`${p}.ffn1`, attended, H, o.intermediateSize);
    // Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).
    const gelu = g.op('Mul', [g.op('Mul', [up, g.op('Add', [g.op('Erf', [g.op('Div', [up, 'c_sqrt2'])]), 'c_f1'])]), 'c_half']);
    h = g.layerNorm(`${p}.ln2`, g.op('Add', [g.dense(`${p}.ffn2`, gelu, o.intermediateSize, H), attended]), H);
  }
  g.op('Identity', [h], [], 'last_hidden_state');
  const cls = g.op('Gather', [h, 'c_i0'], [{ name: 'axis', kind: 'int', value: 1 }]);
  const pooled = g.op('Tanh', [g.dense('pooler', cls, H, H)]);
  g.op('Identity', [g.dense('classifier', pooled, H, o.labels.length)], [], 'logits');

  const io = (name: string): OnnxValueInfo => ({ name, type: TensorType.int64, shape: ['batch_size', 'sequence_length'] });
  return encodeModel({
    name: 'tiny_bert',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [io('input_ids'), io('attention_mask'), io('token_type_ids')],
    outputs: [
      { name: 'logits', type: TensorType.float, shape: ['batch_size', o.labels.length] },
      { name: 'last_hidden_state', type: TensorType.float, shape: ['batch_size', 'sequence_length', H] },
    ],
  });
}

function tokenizerJson(vocab: readonly string[], maxLength: number): unknown {
  const id = (t: string): number => vocab.indexOf(t);
  const special = (t: string) => ({
    id: id(t),
    content: t,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const st = (t: string, typeId: number) => ({ SpecialToken: { id: t, type_id: typeId } });
  const seq = (s: 'A' | 'B', typeId: number) => ({ Sequence: { id: s, type_id: typeId } });
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: SPECIAL.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [st('[CLS]', 0), seq('A', 0), st('[SEP]', 0)],
      pair: [st('[CLS]', 0), seq('A', 0), st('[SEP]', 0), seq('B', 1), st('[SEP]', 1)],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

/** Writes `<dir>/` as a transformers.js model folder; returns the folder. */
export function buildTinyBert(dir: string, options: Partial<TinyBertOptions> = {}): string {
  const o: TinyBertOptions = { ...tinyBertDefaults, ...options };
  if (o.hiddenSize % o.heads !== 0) throw new Error(`hiddenSize ${o.hiddenSize} is not divisible by heads ${o.heads}`);
  const vocab = buildVocab(o.vocabSize);
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const id2label = Object.fromEntries(o.labels.map((l, i) => [String(i), l]));
  const label2id = Object.fromEntries(o.labels.map((l, i) => [l, i]));
  const config = {
    _name_or_path: o.modelId,
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: vocab.length,
    hidden_size: o.hiddenSize,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    intermediate_size: o.intermediateSize,
    hidden_act: 'gelu',
    max_position_embeddings: o.maxPositions,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    id2label,
    label2id,
    transformers_version: '4.46.0',
  };
  const json = (file: string, value: unknown): void => writeFileSync(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
  json('config.json', config);
  json('tokenizer.json', tokenizerJson(vocab, o.maxPositions));
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    model_max_length: o.maxPositions,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  json('special_tokens_map.json', { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' });
  writeFileSync(path.join(dir, 'vocab.txt'), `${vocab.join('\n')}\n`);
  for (const dtype of o.dtypes) {
    writeFileSync(
      path.join(dir, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'),
      buildGraph(o, vocab.length, dtype === 'q8'),
    );
  }
  return dir;
}
