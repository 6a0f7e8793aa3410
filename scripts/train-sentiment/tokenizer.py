"""BERT-style tokenizer (lower-cased WordPiece, one token per CJK character) that matches what
transformers.js runs from the tokenizer.json we write: BertNormalizer(lowercase, strip accents,
handle_chinese_chars) + BertPreTokenizer + WordPiece (greedy longest match, '##' continuations,
a word that cannot be fully matched becomes [UNK]). Written by hand because the `tokenizers`
package is not installable here; `verify_tokenizer.ts` checks the two agree on sample texts."""
import collections
import unicodedata

SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
PAD, UNK, CLS, SEP, MASK = range(5)
MAX_CHARS_PER_WORD = 100


def is_cjk(cp):
    # Same ranges as BERT's _is_chinese_char (and transformers.js BertNormalizer).
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def is_control(ch):
    if ch in '\t\n\r':
        return False
    return unicodedata.category(ch) in ('Cc', 'Cf', 'Co', 'Cs')


def normalize(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        if ch.isspace() or unicodedata.category(ch) == 'Zs':
            out.append(' ')
        elif is_cjk(cp):
            out.append(' ' + ch + ' ')
        else:
            out.append(ch)
    text = ''.join(out)
    text = unicodedata.normalize('NFD', text)
    text = ''.join(c for c in text if unicodedata.category(c) != 'Mn')
    return text.lower()




def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith('P')


def pre_tokenize(text):
    """Splits on whitespace and around every punctuation character."""
    words = []
    for chunk in text.split():
        cur = []
        for ch in chunk:
            if is_punct(ch):
                if cur:
                    words.append(''.join(cur))
                    cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append(''.join(cur))
    return words


def basic_words(text):
    return pre_tokenize(normalize(text))


class WordPiece:
    def __init__(self, vocab):
        self.vocab = list(vocab)
        self.ids = {t: i for i, t in enumerate(self.vocab)}
        self.cache = {}

    def word_ids(self, word):
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        out = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else '##' + word[start:end]
                i = self.ids.get(piece)
                if i is not None:
                    found = i
                    break
                end -= 1
            if found is None:
                out = [UNK]
                break
            out.append(found)
            start = end
        if len(self.cache) < 2_000_000:
            self.cache[word] = out
        return out

    def encode(self, text, max_len):
        ids = [CLS]
        for w in basic_words(text):
            ids.extend(self.word_ids(w))
            if len(ids) >= max_len - 1:
                break
        ids = ids[: max_len - 1]
        ids.append(SEP)
        return ids


def build_vocab(texts, size, min_cjk=2, min_word=3):
    """Frequency-based WordPiece vocabulary: specials, every CJK character seen min_cjk times,
    single characters and their '##' forms, the most frequent whole words, then the most
    frequent word endings/beginnings of the remaining (rarer) words until `size`."""
    words = collections.Counter()
    chars = collections.Counter()
    for t in texts:
        for w in basic_words(t):
            words[w] += 1
    for w, n in words.items():
        for ch in w:
            chars[ch] += n
    vocab = list(SPECIAL)
    seen = set(vocab)

    def add(tok):
        if tok not in seen and len(vocab) < size:
            seen.add(tok)
            vocab.append(tok)

    for ch, n in chars.most_common():
        if n < min_cjk:
            break
        add(ch)
        if not is_cjk(ord(ch)) and not is_punct(ch):
            add('##' + ch)
    budget_words = int((size - len(vocab)) * 0.8)
    rare = collections.Counter()
    taken = 0
    for w, n in words.most_common():
        if len(w) == 1:
            continue
        if taken < budget_words and n >= min_word:
            add(w)
            taken += 1
        else:
            rare[w] += n
    pieces = collections.Counter()
    for w, n in rare.items():
        if len(w) > 30:
            continue
        for k in range(2, min(len(w), 8) + 1):
            pieces[w[:k]] += n
            if k < len(w):
                pieces['##' + w[-k:]] += n
    for p, _ in pieces.most_common():
        if len(vocab) >= size:
            break
        add(p)
    return vocab


def tokenizer_json(vocab, max_length):
    ids = {t: i for i, t in enumerate(vocab)}

    def special(t):
        return {'id': ids[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False, 'special': True}

    def st(t, type_id):
        return {'SpecialToken': {'id': t, 'type_id': type_id}}

    def seq(s, type_id):
        return {'Sequence': {'id': s, 'type_id': type_id}}

    return {
        'version': '1.0',
        'truncation': {'direction': 'Right', 'max_length': max_length, 'strategy': 'LongestFirst', 'stride': 0},
        'padding': None,
        'added_tokens': [special(t) for t in SPECIAL],
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True, 'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [st('[CLS]', 0), seq('A', 0), st('[SEP]', 0)],
            'pair': [st('[CLS]', 0), seq('A', 0), st('[SEP]', 0), seq('B', 1), st('[SEP]', 1)],
            'special_tokens': {t: {'id': t, 'ids': [ids[t]], 'tokens': [t]} for t in ('[CLS]', '[SEP]')},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##', 'max_input_chars_per_word': MAX_CHARS_PER_WORD, 'vocab': ids},
    }
