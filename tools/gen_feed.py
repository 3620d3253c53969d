#!/usr/bin/env python3
# gen_feed.py - a reproducible generator of large synthetic Arabic news feeds (JSONL with
# id, source, date, title, text) for scale tests of `tawam cluster`: how time and memory grow
# from 100k to 1M documents. Real feeds of that size cannot ship with the project, so the
# feed is made up: Zipf-distributed words (from a built-in list plus generated pseudo-words,
# or from the word frequencies of a real feed read at run time with --vocab-from), ~80% base
# articles, ~15% near-copies of a recent base (small edits, a changed title, boilerplate, an
# agency credit, another outlet, hours to 2 days later) and ~5% story rewrites (new text
# that reuses 10-20 of a base's rarer words). One seeded RNG drives everything, so a seed
# always gives the same feed (for a given Python version). Standard library only.
#
#   python3 tools/gen_feed.py --docs 1000000 --seed 1 [--vocab-from ../shared/data/saudinewsnet.jsonl] \
#       [--truth truth.tsv] > feed.jsonl
#
# --truth FILE writes one line per document: id, kind (base|copy|rewrite), and the id of the
# base it came from ("-" for a base).
#
# Speed: words are drawn in bulk. A 2^20-slot table holds each word in proportion to its
# weight; one randbytes() call gives all of a document's slot numbers (masked to 20 bits
# with slice assignment and bytes.translate), and operator.itemgetter turns them into words,
# so there is no Python-level loop per word except for the few edited words of a near-copy.

import argparse
import array
import bisect
import gc
import itertools
import json
import math
import operator
import random
import re
import sys
import time
from collections import Counter

# ---------------------------------------------------------------------------------------
# Built-in vocabulary: common words of Arabic news, roughly most frequent first (the order
# sets their Zipf rank). Generated pseudo-words extend it to --vocab-size.
# ---------------------------------------------------------------------------------------
BUILTIN_WORDS = """
في من على إلى أن عن مع التي الذي هذا هذه ما لا أو ثم كما قد لم بين بعد قبل خلال حتى كل
عند منذ وقال وأضاف وأكد وأشار وأوضح كان كانت يكون تكون إن إنه أنه أنها الى هو هي هم
وفي ومن وعلى وهو وهي وقد ولا كذلك أيضا حيث لدى عبر نحو ضمن لكن بل إذا عام العام اليوم
أمس الماضي المقبل الحالي الأول الثاني الثالث الأخير الجديد الجديدة الكبير الكبيرة
المملكة السعودية الرياض جدة مكة المكرمة المدينة المنورة الدمام الخبر الشرقية القصيم تبوك
حائل جازان نجران أبها عسير الباحة الجوف الطائف ينبع الأحساء القطيف بريدة عنيزة
الخليج العربي العربية الدول الدولة الدولي الدولية العالم العالمي العالمية المنطقة
الحكومة الوزير وزير وزارة الوزارة الأمير الملك الرئيس رئيس رئيسة الشيخ ولي العهد
خادم الحرمين الشريفين مجلس الوزراء الشورى الأمن الأمنية الداخلية الخارجية الدفاع
الصحة التعليم العمل المالية الاقتصاد الاقتصادي الاقتصادية التجارة الصناعة الطاقة النفط
الطرق النقل الإسكان البلدية الأمانة المحافظة المحافظ أمير نائب مدير المدير العام
عامة العامة المدني المدنية الدفاع المدني الهلال الأحمر المرور الشرطة الجوازات الجمارك
الهيئة هيئة اللجنة لجنة المجلس المركز مركز الجامعة جامعة المدرسة المدارس الطلاب الطالبات
المعلمين المعلمات المستشفى مستشفى المرضى الأطباء الخدمات الخدمة المشروع المشاريع مشروع
البرنامج برنامج الخطة خطة الاستراتيجية الرؤية التنمية التطوير تطوير التحول الوطني الوطنية
المواطنين المواطن المقيمين السكان الأهالي الشباب المرأة الأسرة الأطفال الأسر المجتمع
الشركة شركة الشركات القطاع الخاص السوق الأسواق الأسهم المؤشر نقطة نقاط ريال مليون مليار
ألف دولار النسبة بنسبة المئة الأرباح الإيرادات الميزانية الإنفاق الاستثمار المستثمرين
الأسعار الأسعار سعر أسعار البنك البنوك المصرف التمويل القروض العقار العقارات الأراضي
المباراة مباراة الفريق الفريقين المنتخب الهلال النصر الاتحاد الأهلي الشباب الدوري
الكأس البطولة اللاعب اللاعبين المدرب الملعب الجولة الموسم هدف أهداف الفوز التعادل
الخسارة النهائي الجمهور الرياضة الرياضية الاتحاد الآسيوي الأولمبية البطل النادي
الحرب القوات الجيش العسكرية العسكري الهجوم هجوم الضربات الطيران التحالف المسلحة
المسلحين الإرهاب الإرهابية الإرهابيين التنظيم الحدود الأمم المتحدة مجلس السلام
المفاوضات الاتفاق اتفاق الاتفاقية المبادرة الأزمة الصراع اللاجئين النازحين المساعدات
الإنسانية الإغاثة المنظمة منظمة حقوق الإنسان الحرية الانتخابات البرلمان الحزب المعارضة
اليمن سوريا العراق مصر لبنان الأردن الكويت الإمارات قطر البحرين عمان فلسطين غزة القدس
إيران تركيا روسيا الصين أمريكا الولايات المتحدة بريطانيا فرنسا ألمانيا أوروبا أفريقيا
آسيا واشنطن موسكو القاهرة بغداد دمشق بيروت صنعاء طهران أنقرة لندن باريس
قال أكد أوضح أشار أضاف أعلن أعلنت كشف كشفت بين بينت ذكر ذكرت أفاد أفادت صرح نفى دعا
يأتي تأتي يتم تم تمت يمكن يجب سيتم يعد تعد يعتبر تعتبر يشمل تشمل يهدف تهدف يسهم تسهم
بدأ بدأت استمر استمرت وصل وصلت شهد شهدت شارك شاركت افتتح افتتحت دشن أطلق أطلقت
استقبل التقى زار زيارة الزيارة اجتماع الاجتماع لقاء اللقاء مؤتمر المؤتمر ندوة الندوة
ورشة الحفل حفل المعرض معرض المهرجان مهرجان الفعاليات فعاليات الأنشطة الحملة حملة
التقرير تقرير البيان بيان الدراسة دراسة الإحصائيات البيانات المعلومات الأرقام النتائج
القرار قرار القرارات النظام نظام الأنظمة اللائحة القانون قانون المحكمة القضاء القضية
الحادث حادث الحوادث الوفاة وفاة مصرع إصابة إصابات المصابين الضحايا الحريق حريق الأمطار
السيول الطقس درجات الحرارة الرياح الغبار الأرصاد التوقعات المناخ البيئة المياه الكهرباء
الإنترنت التقنية الرقمية الذكاء الاصطناعي التطبيق تطبيق المنصة منصة الهاتف الشبكة
الحج العمرة الحجاج المعتمرين المسجد الحرام النبوي الحرمين رمضان العيد الصيام الزكاة
الثقافة الثقافية الفن الفنان الفنانة الفيلم السينما المسرح الكتاب الكاتب الشعر الشاعر
التراث السياحة السياحية السياح الفنادق الطيران المطار الرحلات الرحلة القطار الميناء
الساعة الساعات الدقائق الأسبوع الأسابيع الشهر الأشهر السنة السنوات الصباح المساء الليلة
يوم أيام الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت يناير فبراير مارس أبريل
مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر
كبير كبيرة صغير صغيرة جديد جديدة مهم مهمة كثير عدد عدة بعض جميع معظم أكثر أقل أكبر أصغر
أول آخر أخرى الأخرى المختلفة مختلف مختلفة الرئيسي الرئيسية الخاصة الخاصين العليا
الأعلى الأدنى الكامل الكاملة الأساسية المحلي المحلية الإقليمي الإقليمية الرسمي الرسمية
مستوى المستوى مجال المجال مجالات إطار الإطار دور الدور أهمية الأهمية جهود الجهود
تعزيز دعم الدعم تحقيق توفير تقديم تنفيذ إنشاء بناء رفع زيادة خفض تحسين حماية مكافحة
متابعة مراقبة إدارة الإدارة تنظيم إجراء الإجراءات إجراءات التدابير الاحتياطات السلامة
الجودة الكفاءة الأداء القدرات الموارد الكوادر الموظفين الموظفات العاملين الوظائف التوظيف
""".split()

# Boilerplate a republisher adds, and agency credits (phrases written for this tool).
FOOTERS = [
    "تابعونا على تويتر",
    "تابعونا على فيسبوك وتويتر",
    "لمزيد من الأخبار تابعونا على قناتنا",
    "جميع الحقوق محفوظة",
    "اشترك في نشرتنا الإخبارية",
    "حمل تطبيقنا لمتابعة آخر الأخبار",
]
CREDITS = ["(واس) -", "(أ ف ب) -", "(رويترز) -", "(د ب أ) -", "- واس", "(الأناضول) -"]
CITIES = ["الرياض", "جدة", "مكة المكرمة", "الدمام", "أبها", "تبوك", "القاهرة", "دبي", "لندن", "واشنطن"]
TITLE_PREFIXES = ["عاجل:", "بالصور:", "بالفيديو:", "شاهد:", "رسميا:", "الآن:"]

# Twenty made-up outlet names.
SOURCES = [
    "wahat-news", "sada-alsahil", "nabd-alhadath", "marsad-alkhaleej", "bawabat-alnakheel",
    "manarat-press", "alraed-daily", "falak-news", "sahara-wire", "qimam-times",
    "dhafaf-online", "rimal-post", "murjan-news", "alburj-gazette", "sawt-alwadi",
    "nakhla-media", "lamha-news", "hadath-24", "mirsal-daily", "ufuq-news",
]

# Letters for pseudo-words, weighted roughly like running Arabic text.
PSEUDO_LETTERS = "اااالللممنننيييوووهرررتتببعدددسسكقفحجطصشخزثضظغذ"

START = 1672531200          # 2023-01-01 00:00:00 UTC
SPAN = 365 * 86400          # dates spread over a year
TABLE_BITS = 20             # 2^20 slots in the sampling table
RING = 5000                 # copies and rewrites pick a base among this many recent bases
HOUR = 3600.0


def pseudo_words(rng, count, taken):
    """count new pseudo-words from Arabic letters, none in `taken` (updated in place)."""
    out = []
    while len(out) < count:
        n = rng.choice((3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8))
        w = "".join(rng.choices(PSEUDO_LETTERS, k=n))
        r = rng.random()
        if r < 0.30:
            w = "ال" + w
        elif r < 0.40:
            w = "و" + w
        elif r < 0.45:
            w = "ب" + w
        r = rng.random()
        if r < 0.12:
            w += "ات"
        elif r < 0.20:
            w += "ية"
        elif r < 0.30:
            w += "ة"
        elif r < 0.33:
            w += "ى"
        if w not in taken:
            taken.add(w)
            out.append(w)
    return out


def vocab_from_feed(path, size):
    """Top `size` Arabic-letter words of a JSONL feed's text fields, with their counts."""
    run = re.compile("[\u0621-\u063a\u0641-\u064a]+")   # Arabic letters (no tatweel, no marks)
    counts = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                text = json.loads(line).get("text")
            except ValueError:
                continue
            if isinstance(text, str):
                counts.update(run.findall(text))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    del counts
    # Fresh copies of the kept words lie together in memory (the originals are scattered
    # among the feed's freed strings), which makes drawing them markedly faster.
    return [(w + " ")[:-1] for w, _ in ranked], [float(c) for _, c in ranked]


def build_vocab(rng, args):
    if args.vocab_from:
        words, weights = vocab_from_feed(args.vocab_from, args.vocab_size)
        if len(words) < args.vocab_size:     # a small feed: continue its tail with pseudo-words
            extra = pseudo_words(rng, args.vocab_size - len(words), set(words))
            last = weights[-1] if weights else 1.0
            words += extra
            weights += [last * (len(weights) + 1) / (len(weights) + 1 + i) for i in range(len(extra))]
    else:
        words = list(dict.fromkeys(BUILTIN_WORDS))
        words += pseudo_words(rng, max(0, args.vocab_size - len(words)), set(words))
        weights = [1.0 / (r + 2.7) ** args.zipf for r in range(1, len(words) + 1)]
    return words, weights


def sampling_table(words, weights):
    """2^TABLE_BITS slots, each word in proportion to its weight (at least one slot)."""
    size = 1 << TABLE_BITS
    if len(words) > size // 2:
        sys.exit("gen_feed: --vocab-size must stay below %d" % (size // 2))
    total = sum(weights)
    slots = [max(1, int(w / total * size)) for w in weights]
    slots[0] += size - sum(slots)             # the most frequent word absorbs rounding
    return list(itertools.chain.from_iterable(itertools.repeat(w, c) for w, c in zip(words, slots)))


class Generator:
    def __init__(self, args):
        self.args = args
        self.rng = rng = random.Random(args.seed)
        words, weights = build_vocab(rng, args)
        self.vocab = words
        self.rank = {w: i for i, w in enumerate(words)}
        self.table = sampling_table(words, weights)
        self.zeros = memoryview(bytes(1 << 16))
        self.mask = bytes(b & ((1 << (TABLE_BITS - 16)) - 1) for b in range(256))
        # Bytes of each little-endian 32-bit slot number: [lo, mid, hi, top].
        self.hi, self.top = (2, 3) if sys.byteorder == "little" else (1, 0)
        self.recent = []            # recent bases: (time, id, source, title, text)
        self.recent_t = []
        self.counts = Counter()

    def draw(self, n):
        """n >= 2 words drawn from the Zipf table (a tuple)."""
        b = bytearray(self.rng.randbytes(4 * n))
        b[self.top::4] = self.zeros[:n]
        b[self.hi::4] = b[self.hi::4].translate(self.mask)
        return operator.itemgetter(*array.array("I", b))(self.table)

    def length(self):
        """Words in a base article: log-normal, median ~180, within 80..400."""
        return min(400, max(80, int(self.rng.lognormvariate(math.log(180), 0.4))))

    def layout(self, words):
        """Sentences of 8-25 words (about half with a comma), paragraphs of 1-4 sentences."""
        rnd = self.rng.random
        paras, sents = [], []
        want = 1 + int(rnd() * 4)
        i, n = 0, len(words)
        while i < n:
            j = i + 8 + int(rnd() * 18)
            if j > n - 5:
                j = n
            if j - i > 12 and rnd() < 0.5:
                c = i + 4 + int(rnd() * (j - i - 7))
                sents.append(" ".join(words[i:c]) + "، " + " ".join(words[c:j]) + ".")
            else:
                sents.append(" ".join(words[i:j]) + ".")
            i = j
            if len(sents) == want:
                paras.append(" ".join(sents))
                sents = []
                want = 1 + int(rnd() * 4)
        if sents:
            paras.append(" ".join(sents))
        return "\n".join(paras)

    def title(self):
        return " ".join(self.draw(6 + int(self.rng.random() * 7)))

    def credit(self):
        return self.rng.choice(CITIES) + " " + self.rng.choice(CREDITS) + " "

    def other_source(self, src):
        s = self.rng.choice(SOURCES)
        while s == src:
            s = self.rng.choice(SOURCES)
        return s

    def pick_base(self, now, lo_h, hi_h, skew):
        """A recent base published lo_h..hi_h hours before `now` (None if there is none)."""
        rng = self.rng
        gap = HOUR * (lo_h + (hi_h - lo_h) * rng.random() ** skew)
        j = bisect.bisect_right(self.recent_t, now - gap) - 1
        if j < 0 or j < len(self.recent) - RING or self.recent_t[j] < now - HOUR * hi_h:
            return None
        return self.recent[j]

    def near_copy(self, base):
        """Republished base: 2-10% of words dropped/inserted/substituted, title changed,
        maybe a boilerplate line and an agency credit."""
        rng = self.rng
        _, _, src, title, text = base
        toks = text.split(" ")
        m = max(1, round(rng.uniform(0.02, 0.10) * len(toks)))
        fresh = iter(self.draw(m + 2))
        for p in sorted(rng.sample(range(len(toks)), m), reverse=True):
            op = rng.random()
            if op < 0.4:                        # substitution (keeps the punctuation)
                t = toks[p]
                if "\n" in t or "." in t or "،" in t:
                    toks.insert(p + 1, next(fresh))
                else:
                    toks[p] = next(fresh)
            elif op < 0.7:                      # insertion
                toks.insert(p, next(fresh))
            else:                               # drop (words only; breaks stay)
                t = toks[p]
                if "\n" not in t and "." not in t and "،" not in t and len(toks) > 2:
                    del toks[p]
        text = " ".join(toks)
        if rng.random() < 0.35:
            text = self.credit() + text
        if rng.random() < 0.5:
            text += "\n" + rng.choice(FOOTERS)
        tw = title.split(" ")
        r = rng.random()
        if r < 0.15:
            title = self.title()
        else:
            for _ in range(rng.randint(1, 2)):
                tw[rng.randrange(len(tw))] = self.draw(2)[0]
            if r < 0.55:
                tw.insert(0, rng.choice(TITLE_PREFIXES))
            title = " ".join(tw)
        return self.other_source(src), title, text

    def rewrite(self, base):
        """The same story in new words: 10-20 of the base's rarer words in new text."""
        rng = self.rng
        _, _, src, title, text = base
        bag = set((title + " " + text).replace(".", " ").replace("،", " ").split())
        bag.difference_update(CITIES, CREDITS, FOOTERS)
        key = sorted(bag, key=lambda w: self.rank.get(w, -1))[-rng.randint(10, 20):]
        words = list(self.draw(self.length()))
        for w in key:
            for _ in range(rng.randint(1, 2)):
                words.insert(rng.randrange(len(words) + 1), w)
        tw = list(self.draw(rng.randint(6, 12)))
        for w in rng.sample(key, min(len(key), rng.randint(2, 4))):
            tw[rng.randrange(len(tw))] = w
        return self.other_source(src), " ".join(tw), self.layout(words)

    def base(self):
        rng = self.rng
        text = self.layout(self.draw(self.length()))
        if rng.random() < 0.1:
            text = self.credit() + text
        return rng.choice(SOURCES), self.title(), text

    def run(self, out, truth):
        args, rng = self.args, self.rng
        gap = SPAN / max(1, args.docs)
        now = float(START)
        pending = []
        t0 = time.time()
        nbytes = 0
        for i in range(args.docs):
            now += rng.expovariate(1.0 / gap)
            did = "g-%07d" % (i + 1)
            r = rng.random()
            kind, base = "base", None
            if r < args.copies:
                base = self.pick_base(now, 1, 48, 2.0)
                kind = "copy"
            elif r < args.copies + args.rewrites:
                base = self.pick_base(now, 2, 48, 1.0)
                kind = "rewrite"
            if base is None:
                kind = "base"
                src, title, text = self.base()
                self.recent.append((now, did, src, title, text))
                self.recent_t.append(now)
                if len(self.recent) > 2 * RING:
                    del self.recent[:-RING], self.recent_t[:-RING]
            elif kind == "copy":
                src, title, text = self.near_copy(base)
            else:
                src, title, text = self.rewrite(base)
            self.counts[kind] += 1
            line = json.dumps({"id": did, "source": src,
                               "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
                               "title": title, "text": text}, ensure_ascii=False)
            pending.append(line)
            if truth:
                truth.write("%s\t%s\t%s\n" % (did, kind, base[1] if base else "-"))
            if len(pending) == 2000:
                s = "\n".join(pending) + "\n"
                nbytes += len(s.encode("utf-8"))
                out.write(s)
                pending = []
            if args.progress and (i + 1) % 100000 == 0:
                el = time.time() - t0
                print("gen_feed: %d docs, %.0f s, %.0f docs/s" % (i + 1, el, (i + 1) / el),
                      file=sys.stderr)
        if pending:
            s = "\n".join(pending) + "\n"
            nbytes += len(s.encode("utf-8"))
            out.write(s)
        return nbytes, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description="Generate a synthetic Arabic news feed (JSONL).")
    ap.add_argument("--docs", type=int, required=True, help="documents to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--vocab-from", metavar="JSONL",
                    help="take word frequencies from this feed's text fields (read, not copied)")
    ap.add_argument("--vocab-size", type=int, default=50000, help="distinct words (default 50000)")
    ap.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent of the built-in vocabulary")
    ap.add_argument("--copies", type=float, default=0.15, help="share of near-copies (default 0.15)")
    ap.add_argument("--rewrites", type=float, default=0.05, help="share of story rewrites (default 0.05)")
    ap.add_argument("--truth", metavar="FILE", help="write id, kind, base id per document")
    ap.add_argument("-o", "--out", metavar="FILE", help="output file (default stdout)")
    ap.add_argument("--progress", action="store_true", help="progress every 100k docs on stderr")
    args = ap.parse_args()
    if args.docs < 0 or args.copies < 0 or args.rewrites < 0 or args.copies + args.rewrites > 1:
        ap.error("bad --docs, --copies or --rewrites")

    t0 = time.time()
    gen = Generator(args)
    t_vocab = time.time() - t0
    gc.collect()
    gc.freeze()         # the vocabulary and table are permanent: keep them out of collections
    out = (open(args.out, "w", encoding="utf-8") if args.out else
           open(sys.stdout.fileno(), "w", encoding="utf-8", buffering=1 << 20, closefd=False))
    truth = open(args.truth, "w", encoding="utf-8", buffering=1 << 20) if args.truth else None
    try:
        nbytes, secs = gen.run(out, truth)
    finally:
        out.close()
        if truth:
            truth.close()
    c = gen.counts
    print("gen_feed: %d docs (%d bases, %d near-copies, %d rewrites), %.1f MB, vocabulary %d words "
          "(%s, %.1f s), %.1f s, %.0f docs/s"
          % (args.docs, c["base"], c["copy"], c["rewrite"], nbytes / 1e6, len(gen.vocab),
             args.vocab_from or "built-in", t_vocab, secs, args.docs / max(secs, 1e-9)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
