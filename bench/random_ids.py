#!/usr/bin/env python3
"""Rewrites the event ids of a gen_events.py file into random-looking ones (issue 21).

    random_ids.py IN.jsonl OUT.jsonl [--seed 42]

gen_events.py numbers its events `e0, e1, …` (invalid ones `x0, x1, …`); such ids hash to dedup keys the store
keeps on few pages, which hides what production ids (UUIDs, snowflakes, hashes) cost. Each `e<i>` / `x<i>` becomes
`e` / `x` followed by 18 digits: the same seed-keyed bijection of 0…10^18-1 as `weir produce` (EventIDs.swift), so
ids stay unique, duplicates (exact replays) stay duplicates, and the `.expected.json` sidecar (counts, sums and
per-date counts, no ids) still holds; it is copied next to OUT.
"""
import re
import shutil
import sys

MASK = (1 << 60) - 1
LIMIT = 10 ** 18
M64 = (1 << 64) - 1


def splitmix_first(seed):
    state = (seed + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def key_of(seed):
    return splitmix_first(seed ^ 0x5EED1D50FE7E7) & MASK


def mix(x, key):
    x = (x ^ key) & MASK
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 29
    x = (x * 0x94D049BB133111EB) & MASK
    x ^= x >> 32
    return x


def permute(i, key):
    x = i
    while True:
        x = mix(x, key)
        if x < LIMIT:
            return x


def main(argv):
    args = [a for a in argv if not a.startswith('--seed')]
    seed = 42
    for a in argv:
        if a.startswith('--seed='):
            seed = int(a.split('=', 1)[1])
    if len(args) != 2:
        sys.exit(__doc__)
    src, dst = args
    key = key_of(seed)
    # The id as gen_events.py writes it: "event_id": "e123" (json.dumps), or 'x123' in its garbage lines.
    pattern = re.compile(r'''(["'])([ex])(\d+)\1''')
    cache = {}

    def repl(m):
        n = int(m.group(3))
        digits = cache.get(n)
        if digits is None:
            digits = cache[n] = '%018d' % permute(n, key)
        return m.group(1) + m.group(2) + digits + m.group(1)

    with open(src) as f, open(dst + '.tmp', 'w') as out:
        for line in f:
            out.write(pattern.sub(repl, line, count=1) if 'event_id' in line else line)
    shutil.move(dst + '.tmp', dst)
    shutil.copyfile(src + '.expected.json', dst + '.expected.json')


if __name__ == '__main__':
    main(sys.argv[1:])
