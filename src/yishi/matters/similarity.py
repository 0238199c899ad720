"""Similar-matter detection for Chinese text: character bigrams and cosine similarity. No model, no network.

Twenty complaints about one pothole should become one matter with twenty supporters; the resident is
offered the open matters nearby that read alike before a new one is created.
"""

import math
import re
from collections import Counter

_KEEP = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
# Words every complaint shares; they say nothing about which problem it is.
_STOP = set("的了是在我们你他她它这那有和与就也都还很吗呢吧啊呀")


def grams(text: str) -> Counter:
    """Character bigrams of the Chinese runs, and whole Latin/number tokens."""
    counts: Counter = Counter()
    for run in _KEEP.findall((text or "").lower()):
        if run[0].isascii():
            counts[run] += 1
            continue
        chars = [c for c in run if c not in _STOP]
        counts.update(chars[i] + chars[i + 1] for i in range(len(chars) - 1))
        if len(chars) == 1:
            counts[chars[0]] += 1
    return counts


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def similarity(text_a: str, text_b: str) -> float:
    return cosine(grams(text_a), grams(text_b))
