#!/usr/bin/env python3
# perturb.py - build a labelled near-duplicate test set for `tawam cluster --mode dup`
# from a real Arabic news corpus: mutually dissimilar base articles, 1-4 perturbed copies
# of each (orthography, boilerplate, edits, heavy edits, site templates) and template
# "traps" (unrelated short articles wrapped in the same long site template).
# Why this way: the real corpus already holds unlabelled wire reprints, so ground truth can
# only come from copies we make ourselves of bases we have checked to be unrelated (5-shingle
# Jaccard/containment through an inverted index, so the check stays fast). Standard library
# only and driven by one seeded RNG, so any machine rebuilds the same set from the same seed.
#
#   python3 tools/perturb.py --input ../shared/data/saudinewsnet.jsonl --bases 400 --seed 1 --out DIR
#   -> DIR/docs.jsonl  (id, title, date, text, kind [, heavy_ops, template])
#      DIR/truth.jsonl ({"id": ..., "cluster": <label>}, same order as docs.jsonl)

import argparse
import json
import os
import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict

# ---------------------------------------------------------------------------------------
# Normalisation used only for the "are these bases unrelated?" check
# ---------------------------------------------------------------------------------------
DIAC_RE = re.compile('[\u064B-\u065F\u0670\u0640]')
FOLD = str.maketrans({'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه'})
TOKEN_RE = re.compile(r'\w+')
# A "word" for perturbation purposes: word characters plus Arabic marks and tatweel, so that
# an already-vocalised word is one unit.
WORD_RE = re.compile(r'[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]+')
ARABIC_LETTER_RE = re.compile('[\u0621-\u063F\u0641-\u064A]')


def norm_words(s):
    return TOKEN_RE.findall(DIAC_RE.sub('', s).translate(FOLD).lower())


def shingle_set(words, k=5):
    return {' '.join(words[i:i + k]) for i in range(len(words) - k + 1)}


def norm_title(t):
    return ' '.join(norm_words(t or ''))


class ChosenSet:
    """Shingle sets of everything chosen so far, with an inverted index shingle -> docs."""

    def __init__(self, jaccard=0.15, containment=0.25):
        self.jac = jaccard
        self.cont = containment
        self.index = defaultdict(list)
        self.sizes = []
        self.titles = set()

    def conflicts(self, sh, ntitle):
        if ntitle and ntitle in self.titles:
            return True
        cnt = Counter()
        get = self.index.get
        for s in sh:
            p = get(s)
            if p:
                cnt.update(p)
        n = len(sh)
        for j, inter in cnt.items():
            m = self.sizes[j]
            if inter >= self.jac * (n + m - inter) or inter >= self.cont * min(n, m):
                return True
        return False

    def add(self, sh, ntitle):
        j = len(self.sizes)
        self.sizes.append(len(sh))
        for s in sh:
            self.index[s].append(j)
        if ntitle:
            self.titles.add(ntitle)


# ---------------------------------------------------------------------------------------
# Character tables
# ---------------------------------------------------------------------------------------
# Presentation Forms-B, derived from the Unicode decompositions (<isolated> 0628 ...), so
# the table cannot carry typos. Keys: (base string, form); lam-alef ligatures have a
# two-letter base.
PF = {}
for _cp in range(0xFE70, 0xFF00):
    _d = unicodedata.decomposition(chr(_cp))
    if not _d:
        continue
    _tag, *_rest = _d.split()
    if _tag in ('<isolated>', '<final>', '<initial>', '<medial>'):
        PF[(''.join(chr(int(x, 16)) for x in _rest), _tag[1:-1])] = chr(_cp)
PF_BASE = {v: k[0] for k, v in PF.items()}

DUAL = set('بتثجحخسشصضطظعغفقكلمنهيىئـ')      # join on both sides
RIGHT = set('اأإآدذرزوؤة')                    # join to the previous letter only
ALEFS = 'اأإآ'
MARKS = set(chr(c) for c in range(0x064B, 0x0660)) | {'\u0670'}
HARAKAT = [chr(c) for c in range(0x064B, 0x0653)]
BIDI_CHARS = ['\u200c', '\u200d', '\u200f', '\u200e', '\u061c', '\u2067', '\u2068', '\u2069']
DIGITS_ASCII = '0123456789'
DIGITS_ARABIC = '٠١٢٣٤٥٦٧٨٩'
DIGITS_PERSIAN = '۰۱۲۳۴۵۶۷۸۹'


def is_ar_letter(ch):
    return ('\u0621' <= ch <= '\u064A' and ch != '\u0640') or ch in PF_BASE


def base_letter(ch):
    b = PF_BASE.get(ch)
    return b[-1] if b else ch


def has_arabic(w):
    return ARABIC_LETTER_RE.search(w) is not None


# ---------------------------------------------------------------------------------------
# Invented boilerplate (site names, datelines, sections). Written here, not corpus text.
# ---------------------------------------------------------------------------------------
SITES = [('صدى الوطن', 'sada-alwatan.com'), ('نبض الخليج', 'nabd-alkhaleej.net'),
         ('بوابة الحدث', 'bawabat-alhadath.com'), ('المرصد نيوز', 'almarsad-news.com'),
         ('أنباء الجزيرة العربية', 'anba-aljazeera-alarabiya.com'), ('الخبر اليوم', 'alkhabar-alyawm.net'),
         ('صحيفة الميدان', 'almaydan-daily.com'), ('شبكة الأفق الإخبارية', 'alofoq-news.net')]
DATELINES = ['الرياض - واس:', 'جدة - واس:', 'الدمام - واس:', 'مكة المكرمة - واس:', '(رويترز) -',
             'القاهرة - (أ ف ب):', 'لندن - رويترز:', 'عاجل |', 'خاص -', 'متابعات:', 'الرياض - «{site}»:',
             'جدة - {site}:', 'المدينة المنورة - {site} - خاص:']
SITE_LINES = ['{site}', 'صحيفة {site} الإلكترونية', '{site} | الأخبار', 'موقع {site} - آخر الأخبار']
SECTIONS = ['الرئيسية', 'محليات', 'اقتصاد', 'رياضة', 'دولي', 'ثقافة', 'تقنية', 'صحة', 'منوعات', 'مقالات',
            'فيديو', 'كاريكاتير', 'حوادث', 'سياسة', 'فنون', 'تعليم', 'سياحة', 'عقارات', 'وظائف', 'آراء',
            'ملفات', 'مجتمع', 'أسواق', 'طقس', 'علوم', 'برلمان', 'شباب', 'المرأة']
TEMPLATE_SITES = [('الراصد السعودي', 'alrased-ksa.com'), ('منبر الأخبار', 'minbar-alakhbar.net'),
                  ('الساحة اليوم', 'alsaha-today.com'), ('الواحة نيوز', 'alwaha-news.net')]
HASHTAG_WORDS = ['السعودية', 'الرياض', 'عاجل', 'أخبار', 'اقتصاد', 'جدة', 'الخليج', 'رياضة', 'محليات']


# ---------------------------------------------------------------------------------------
# Sentences and paragraphs
# ---------------------------------------------------------------------------------------
SENT_END_RE = re.compile(r'(?:[.؟!?]+(?!\d)|\n)\s*')


def split_units(text):
    """Split into sentence units whose concatenation is the text; each unit carries its
    end punctuation and trailing whitespace. Units without words are glued to the previous."""
    units, pos = [], 0
    for m in SENT_END_RE.finditer(text):
        if m.end() > pos:
            units.append(text[pos:m.end()])
            pos = m.end()
    if pos < len(text):
        units.append(text[pos:])
    out = []
    for u in units:
        if out and not TOKEN_RE.search(u):
            out[-1] += u
        else:
            out.append(u)
    return out


def wc(s):
    return len(TOKEN_RE.findall(s))


def core_trail(u):
    m = re.search(r'\s*$', u)
    return u[:m.start()], u[m.start():]


# ---------------------------------------------------------------------------------------
# Perturbations. Each takes (text, rng, ctx) and returns new text or None (not applicable).
# ---------------------------------------------------------------------------------------
def p_tatweel(text, rng, ctx):
    r = rng.uniform(0.10, 0.30)

    def f(m):
        w = m.group()
        if len(w) < 3 or not has_arabic(w) or rng.random() >= r:
            return w
        pos = [i for i in range(len(w) - 1)
               if base_letter(w[i]) in DUAL and w[i] != 'ـ' and is_ar_letter(w[i + 1])]
        if not pos:
            return w
        i = rng.choice(pos)
        return w[:i + 1] + 'ـ' * rng.choice((1, 1, 1, 2, 3)) + w[i + 1:]
    return WORD_RE.sub(f, text)


def p_diacritics(text, rng, ctx):
    r = rng.uniform(0.20, 0.60)
    out = []
    for ch in text:
        out.append(ch)
        if is_ar_letter(ch) and rng.random() < r:
            h = rng.choice(HARAKAT)
            if h == '\u0651' and rng.random() < 0.5:       # shadda + vowel
                h += rng.choice(('\u064E', '\u064F', '\u0650'))
            out.append(h)
    return ''.join(out)


def hamza_eligible(w):
    return len(w) >= 2 and (w[0] in ALEFS or w[-1] in 'يىةه')


def p_hamza(text, rng, ctx):
    r = rng.uniform(0.20, 0.50)

    def f(m):
        w = m.group()
        if not hamza_eligible(w) or rng.random() >= r:
            return w
        if w[0] in ALEFS:
            w = rng.choice([a for a in ALEFS if a != w[0]]) + w[1:]
        if w[-1] in 'يى':
            w = w[:-1] + ('ى' if w[-1] == 'ي' else 'ي')
        elif w[-1] in 'ةه':
            w = w[:-1] + ('ه' if w[-1] == 'ة' else 'ة')
        return w
    return WORD_RE.sub(f, text)


def p_digits(text, rng, ctx):
    if re.search('[0-9]', text):
        target = rng.choice((DIGITS_ARABIC, DIGITS_PERSIAN))
        return text.translate(str.maketrans(DIGITS_ASCII, target))
    if re.search('[٠-٩]', text):          # already Arabic-Indic: go to ASCII or Persian
        target = rng.choice((DIGITS_ASCII, DIGITS_PERSIAN))
        return text.translate(str.maketrans(DIGITS_ARABIC, target))
    return None


def present_word(w):
    out, i, n = [], 0, len(w)
    while i < n:
        c = w[i]
        if c not in DUAL and c not in RIGHT:
            out.append(c)
            i += 1
            continue
        j = i - 1
        while j >= 0 and w[j] in MARKS:
            j -= 1
        jp = j >= 0 and w[j] in DUAL
        if c == 'ل' and i + 1 < n and w[i + 1] in ALEFS:
            lig = PF.get((c + w[i + 1], 'final' if jp else 'isolated'))
            if lig:
                out.append(lig)
                i += 2
                continue
        k = i + 1
        while k < n and w[k] in MARKS:
            k += 1
        jn = c in DUAL and k < n and (w[k] in DUAL or w[k] in RIGHT)
        form = ('medial' if jn else 'final') if jp else ('initial' if jn else 'isolated')
        out.append(PF.get((c, form), c))
        i += 1
    return ''.join(out)


def p_presentation(text, rng, ctx):
    r = rng.uniform(0.20, 0.60)

    def f(m):
        w = m.group()
        if not has_arabic(w) or rng.random() >= r:
            return w
        return present_word(w)
    return WORD_RE.sub(f, text)


def p_zwbidi(text, rng, ctx):
    r = rng.uniform(0.05, 0.15)

    def f(m):
        w = m.group()
        if rng.random() >= r:
            return w
        ch = rng.choice(BIDI_CHARS)
        where = rng.random()
        if len(w) >= 2 and where < 0.5:
            i = rng.randrange(1, len(w))
            return w[:i] + ch + w[i:]
        return ch + w if where < 0.75 else w + ch
    return WORD_RE.sub(f, text)


def p_header(text, rng, ctx):
    site, _ = rng.choice(SITES)
    if rng.random() < 0.6:
        line = rng.choice(DATELINES).format(site=site)
        sep = ' ' if rng.random() < 0.6 else '\n'
    else:
        line = rng.choice(SITE_LINES).format(site=site)
        sep = '\n'
    return line + sep + text


def p_footer(text, rng, ctx):
    site, domain = rng.choice(SITES)
    blocks = []
    options = ['read', 'follow', 'copy', 'url', 'tags', 'share']
    for b in rng.sample(options, rng.randint(1, 3)):
        if b == 'read':
            blocks.append('اقرأ أيضاً:\n' + '\n'.join(ctx.titles(rng.randint(2, 4))))
        elif b == 'follow':
            blocks.append(rng.choice(('تابعونا على تويتر وفيسبوك', 'تابعونا على تويتر وفيسبوك وإنستغرام',
                                      'لمتابعة آخر الأخبار تابعونا على تويتر')))
        elif b == 'copy':
            blocks.append('جميع الحقوق محفوظة © 2015 ' + site)
        elif b == 'url':
            blocks.append('https://www.%s/news/%d' % (domain, rng.randint(100000, 999999)))
        elif b == 'tags':
            blocks.append(' '.join('#' + t for t in rng.sample(HASHTAG_WORDS, rng.randint(2, 4))))
        else:
            blocks.append('شارك الخبر: فيسبوك تويتر واتساب')
    return text.rstrip() + '\n\n' + '\n'.join(blocks)


def sentence_idx(units):
    return [i for i, u in enumerate(units) if TOKEN_RE.search(u)]


def p_delete(text, rng, ctx):
    us = split_units(text)
    idx = sentence_idx(us)
    if len(idx) < 2:
        return None
    counts = {i: wc(us[i]) for i in idx}
    budget = 0.20 * sum(counts.values())
    cand = [i for i in idx if counts[i] <= budget]
    rng.shuffle(cand)
    k, used, drop = rng.randint(1, 2), 0, set()
    for i in cand:
        if len(drop) >= k or len(drop) >= len(idx) - 1:
            break
        if used + counts[i] <= budget:
            drop.add(i)
            used += counts[i]
    if not drop:
        return None
    return ''.join(u for i, u in enumerate(us) if i not in drop)


def p_insert(text, rng, ctx):
    us = split_units(text)
    budget = 0.20 * wc(text)
    if budget < 4:
        return None
    for _ in range(30):
        dtext = ctx.donor_text()
        sents = [u for u in split_units(dtext) if 4 <= wc(u) <= budget]
        if not sents:
            continue
        k = rng.randint(1, 2)
        start = rng.randrange(len(sents))
        pick = sents[start:start + k]
        while sum(wc(s) for s in pick) > budget:
            pick.pop()
        piece = ' '.join(s.strip() if s.strip()[-1:] in '.؟!?' else s.strip() + '.' for s in pick)
        p = rng.randrange(0, len(us) + 1)
        if p == 0:
            return piece + ' ' + text
        prev_core, prev_trail = core_trail(us[p - 1])
        if p == len(us):
            return ''.join(us) + (prev_trail or ' ') + piece
        head = ''.join(us[:p])
        return head + piece + (prev_trail or ' ') + ''.join(us[p:])
    return None


def p_reorder(text, rng, ctx):
    parts = re.split(r'(\n\s*)', text)
    paras, seps = parts[0::2], parts[1::2]
    pidx = [i for i, p in enumerate(paras) if TOKEN_RE.search(p)]
    us = split_units(text)
    sidx = sentence_idx(us)
    if len(pidx) >= 2 and (len(sidx) < 2 or rng.random() < 0.5):
        i, j = rng.sample(pidx, 2)
        paras[i], paras[j] = paras[j], paras[i]
        out = []
        for k, p in enumerate(paras):
            out.append(p)
            if k < len(seps):
                out.append(seps[k])
        return ''.join(out)
    if len(sidx) < 2:
        return None
    i, j = rng.sample(sidx, 2)
    ci, ti = core_trail(us[i])
    cj, tj = core_trail(us[j])
    us[i], us[j] = cj + ti, ci + tj
    return ''.join(us)


def p_truncate(text, rng, ctx):
    us = split_units(text)
    total = wc(text)
    if total < 10:
        return None
    target = rng.uniform(0.60, 0.85) * total
    cum, best, best_cum = 0, None, None
    for i, u in enumerate(us):
        cum += wc(u)
        if 0.60 * total <= cum <= 0.85 * total and (best is None or abs(cum - target) < abs(best_cum - target)):
            best, best_cum = i, cum
    if best is not None:
        return ''.join(us[:best + 1]).rstrip()
    ms = list(TOKEN_RE.finditer(text))
    return text[:ms[max(1, round(target)) - 1].end()]


def p_wordedit(text, rng, ctx):
    ms = list(WORD_RE.finditer(text))
    n = len(ms)
    if n < 10:
        return None
    k = min(n, max(1, round(rng.uniform(0.03, 0.08) * n)))
    ops = {i: rng.choice(('replace', 'drop', 'insert')) for i in sorted(rng.sample(range(n), k))}
    out, pos = [], 0
    for i, m in enumerate(ms):
        out.append(text[pos:m.start()])
        op = ops.get(i)
        pos = m.end()
        if op is None:
            out.append(m.group())
        elif op == 'replace':
            out.append(ctx.word())
        elif op == 'insert':
            out.append(m.group() + ' ' + ctx.word())
        else:
            while pos < len(text) and text[pos] == ' ':
                pos += 1
    out.append(text[pos:])
    return ''.join(out)


PERTURB = {
    'delete': p_delete, 'insert': p_insert, 'reorder': p_reorder, 'wordedit': p_wordedit,
    'truncate': p_truncate,
    'hamza': p_hamza, 'digits': p_digits, 'presentation': p_presentation, 'tatweel': p_tatweel,
    'diacritics': p_diacritics, 'zwbidi': p_zwbidi,
    'header': p_header, 'footer': p_footer,
}
# Order in which a copy's perturbations are applied: edits on the clean text, then
# orthography, then boilerplate on top (as a republishing site would), then the template.
APPLY_ORDER = ['delete', 'insert', 'reorder', 'wordedit', 'truncate',
               'hamza', 'digits', 'presentation', 'tatweel', 'diacritics', 'zwbidi',
               'header', 'footer']
ORTHO = ['hamza', 'digits', 'presentation', 'tatweel', 'diacritics', 'zwbidi']
BOILER = ['header', 'footer']
EDITS = ['delete', 'insert', 'reorder', 'truncate', 'wordedit']
DRAWN = ORTHO + BOILER + EDITS
ALL_KINDS = DRAWN + ['heavy', 'template']


def applicable(kind, text):
    if kind == 'digits':
        return re.search('[0-9٠-٩]', text) is not None
    if kind == 'hamza':
        return any(hamza_eligible(m.group()) for m in WORD_RE.finditer(text))
    if kind in ('delete', 'reorder'):
        return len(sentence_idx(split_units(text))) >= 2
    return True


# ---------------------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------------------
class Context:
    """Corpus access for perturbations: donors of inserted sentences, titles, vocabulary.
    Everything drawn from here is an unchosen article that passes the dissimilarity check
    against the bases and traps, so no copy borrows text of another cluster."""

    def __init__(self, docs, words_of, chosen, used, rng):
        self.docs, self.words_of, self.chosen, self.used, self.rng = docs, words_of, chosen, used, rng
        self.ok = {}
        self.donors_used = set()
        self.vocab = []

    def pool(self, need_title=False, fresh=False):
        for _ in range(5000):
            i = self.rng.randrange(len(self.docs))
            if i in self.used or (fresh and i in self.donors_used):
                continue
            if need_title and len(norm_words(self.docs[i]['title'])) < 3:
                continue
            ok = self.ok.get(i)
            if ok is None:
                ok = not self.chosen.conflicts(shingle_set(self.words_of(i)), norm_title(self.docs[i]['title']))
                self.ok[i] = ok
            if ok:
                return i
        raise SystemExit('perturb: cannot find unrelated corpus articles (corpus too small?)')

    def donor_text(self):
        i = self.pool(fresh=True)
        self.donors_used.add(i)
        return self.docs[i]['text']

    def titles(self, k):
        out = []
        while len(out) < k:
            t = ' '.join(self.docs[self.pool(need_title=True)]['title'].split())
            if t not in out:
                out.append(t)
        return out

    def word(self):
        if not self.vocab:
            seen = set()
            for _ in range(300):
                for w in WORD_RE.findall(self.docs[self.pool()]['text']):
                    if len(w) >= 3 and has_arabic(w) and w not in seen:
                        seen.add(w)
                        self.vocab.append(w)
        return self.rng.choice(self.vocab)


def build_template(rng, ctx, site, domain):
    """A site template: (head, tail) wrapped around a body; 60-150 words in all."""
    for _ in range(200):
        head = '\n'.join([rng.choice(SITE_LINES).format(site=site),
                          ' | '.join(rng.sample(SECTIONS, rng.randint(8, 12)))])
        most = 'الأكثر قراءة\n' + '\n'.join(ctx.titles(rng.randint(5, 8)))
        foot = ['جميع الحقوق محفوظة © 2015 ' + site,
                'تابعونا على: تويتر | فيسبوك | يوتيوب | إنستغرام',
                'www.' + domain + ' - من نحن - اتصل بنا - سياسة الخصوصية']
        foot = foot[:rng.randint(2, 3)]
        tail = most + '\n\n' + '\n'.join(foot)
        n = wc(head) + wc(tail)
        if 60 <= n <= 150:
            return head, tail, n
    raise SystemExit('perturb: could not build a 60-150 word template')


def wrap(tpl, body):
    head, tail, _ = tpl
    return head + '\n\n' + body.strip() + '\n\n' + tail


def main():
    ap = argparse.ArgumentParser(description='Generate perturbed near-copies of Arabic news with ground truth.')
    ap.add_argument('--input', required=True, help='JSONL corpus, or - for stdin')
    ap.add_argument('--out', required=True, help='output directory (docs.jsonl, truth.jsonl)')
    ap.add_argument('--bases', type=int, default=400)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--text-field', default='text')
    ap.add_argument('--id-field', default='id')
    ap.add_argument('--title-field', default='title')
    ap.add_argument('--date-field', default='date')
    ap.add_argument('--traps', action=argparse.BooleanOptionalAction, default=True,
                    help='template traps (default on)')
    ap.add_argument('--templates', type=int, default=4)
    ap.add_argument('--traps-per-template', type=int, default=40)
    ap.add_argument('--template-rate', type=float, default=0.10, help='share of copies wrapped in a template')
    ap.add_argument('--heavy-rate', type=float, default=0.10, help='share of copies that are heavy edits')
    args = ap.parse_args()
    t0 = time.time()
    rng = random.Random(args.seed)

    # ---- read
    f = sys.stdin if args.input == '-' else open(args.input, encoding='utf-8')
    docs, seen_ids, skipped = [], set(), 0
    for line in f:
        line = line.strip()
        if not line:
            continue
        try:
            d = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        text, did = d.get(args.text_field), d.get(args.id_field)
        if not isinstance(text, str) or not text.strip() or did is None or str(did) in seen_ids:
            skipped += 1
            continue
        did = str(did)
        seen_ids.add(did)
        title = d.get(args.title_field)
        date = d.get(args.date_field)
        docs.append({'id': did, 'title': title if isinstance(title, str) else '',
                     'date': date if isinstance(date, str) else '', 'text': text})
    if f is not sys.stdin:
        f.close()

    wcache = {}

    def words_of(i):
        w = wcache.get(i)
        if w is None:
            w = wcache[i] = norm_words(docs[i]['text'])
        return w

    # ---- choose mutually dissimilar bases, then traps (shared index)
    chosen = ChosenSet()
    used = set()
    order = list(range(len(docs)))
    rng.shuffle(order)

    def choose(n, lo, hi):
        got, rejected = [], 0
        for i in order:
            if len(got) >= n:
                break
            if i in used:
                continue
            w = words_of(i)
            if not lo <= len(w) <= hi:
                continue
            sh, nt = shingle_set(w), norm_title(docs[i]['title'])
            if chosen.conflicts(sh, nt):
                rejected += 1
                continue
            chosen.add(sh, nt)
            used.add(i)
            got.append(i)
        return got, rejected

    bases, rej_b = choose(args.bases, 80, 600)
    if len(bases) < args.bases:
        print('perturb: warning: only %d bases found' % len(bases), file=sys.stderr)
    traps, rej_t = [], 0
    ntpl = args.templates if args.traps else 0
    if args.traps:
        traps, rej_t = choose(args.templates * args.traps_per_template, 30, 120)
    ctx = Context(docs, words_of, chosen, used, rng)
    templates = []
    for t in range(args.templates if (args.traps or args.template_rate > 0) else 0):
        site, domain = TEMPLATE_SITES[t % len(TEMPLATE_SITES)]
        if t >= len(TEMPLATE_SITES):
            site += ' ' + str(t + 1)
        templates.append(build_template(rng, ctx, site, domain))

    out = []          # (doc, label)
    kind_count = Counter()
    heavy_ops_count = Counter()
    copies_per_base = Counter()
    deck = []

    def draw(k, text, allowed=DRAWN):
        ok = [kd for kd in allowed if applicable(kd, text)]
        k = min(k, len(ok))
        picks = []
        while len(picks) < k:
            if not any(kd in ok and kd not in picks for kd in deck):
                deck.extend(rng.sample(DRAWN, len(DRAWN)))
            for n, kd in enumerate(deck):
                if kd in ok and kd not in picks:
                    picks.append(deck.pop(n))
                    break
        return picks

    def apply_all(text, title, kinds):
        applied = []
        for kd in APPLY_ORDER:
            if kd in kinds:
                new = PERTURB[kd](text, rng, ctx)
                if new is not None and new != text:
                    text = new
                    applied.append(kd)
                    if kd in ORTHO:
                        title = PERTURB[kd](title, rng, ctx) or title
        return text, title, applied

    for bi in bases:
        b = docs[bi]
        out.append(({'id': b['id'], 'title': b['title'], 'date': b['date'], 'text': b['text'], 'kind': 'base'},
                    b['id']))
        ncopies = rng.randint(1, 4)
        copies_per_base[ncopies] += 1
        for c in range(1, ncopies + 1):
            base_text = b['text']
            heavy = rng.random() < args.heavy_rate and len(sentence_idx(split_units(base_text))) >= 3
            extra = {}
            if heavy:
                ops = ['delete', 'insert', rng.choice(('wordedit', 'reorder'))]
                others = draw(1, base_text, ORTHO + BOILER) if rng.random() < 0.5 else []
                text, title, applied = apply_all(base_text, b['title'], ops + others)
                hops = [k for k in applied if k in ops]
                extra['heavy_ops'] = hops
                heavy_ops_count.update(hops)
                kinds = ['heavy'] + [k for k in applied if k not in ops]
            else:
                text, title, applied = apply_all(base_text, b['title'], draw(rng.randint(1, 3), base_text))
                kinds = applied
            if text == base_text or not kinds:
                text, title, more = apply_all(text, title, ['diacritics'])
                kinds += more
            if templates and rng.random() < args.template_rate:
                t = rng.randrange(len(templates))
                text = wrap(templates[t], text)
                kinds.append('template')
                extra['template'] = 'T%d' % (t + 1)
            kind_count.update(kinds)
            doc = {'id': '%s-c%d' % (b['id'], c), 'title': title, 'date': b['date'], 'text': text.strip(),
                   'kind': '+'.join(kinds)}
            doc.update(extra)
            out.append((doc, b['id']))

    for n, ti in enumerate(traps):
        t = n % ntpl
        d = docs[ti]
        out.append(({'id': d['id'], 'title': d['title'], 'date': d['date'], 'text': wrap(templates[t], d['text']),
                     'kind': 'trap', 'template': 'T%d' % (t + 1)}, d['id']))

    rng.shuffle(out)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'docs.jsonl'), 'w', encoding='utf-8') as fd, \
            open(os.path.join(args.out, 'truth.jsonl'), 'w', encoding='utf-8') as ft:
        for doc, label in out:
            fd.write(json.dumps(doc, ensure_ascii=False) + '\n')
            ft.write(json.dumps({'id': doc['id'], 'cluster': label}, ensure_ascii=False) + '\n')

    # ---- summary
    ncopies = sum(k * v for k, v in copies_per_base.items())
    e = sys.stderr
    print('perturb: read %d articles (%d skipped) in %.1fs total' % (len(docs), skipped, time.time() - t0), file=e)
    print('  bases %d (similar candidates rejected: %d), copies %d, traps %d (%d templates of %s words; '
          'candidates rejected: %d)' % (len(bases), rej_b, ncopies, len(traps), len(templates),
                                        '/'.join(str(t[2]) for t in templates), rej_t), file=e)
    print('  docs %d, clusters %d, copies per base %s' % (
        len(out), len(bases) + len(traps), ' '.join('%d:%d' % kv for kv in sorted(copies_per_base.items()))), file=e)
    print('  per kind (copies carrying it):', file=e)
    for k in ALL_KINDS:
        print('    %-13s %5d' % (k, kind_count[k]), file=e)
    print('  heavy ops: ' + ', '.join('%s %d' % kv for kv in sorted(heavy_ops_count.items())), file=e)
    low = [k for k in ALL_KINDS if kind_count[k] < 20]
    if low and len(bases) >= 400:
        print('perturb: warning: kinds under 20 occurrences: ' + ' '.join(low), file=e)
    print('  wrote %s/docs.jsonl and %s/truth.jsonl' % (args.out, args.out), file=e)


if __name__ == '__main__':
    main()
