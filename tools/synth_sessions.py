#!/usr/bin/env python3
"""Synthetic training sessions shaped like Diginetica's, for catalogs of any size.

    tools/synth_sessions.py --items 1000000 --out sessions.tsv [--seed 1]
    tools/synth_sessions.py --measure FILE      # the shape of a sessions file

The output has the format of ../shared/data/diginetica/train_sessions.tsv (one
session per line, item ids 1..N separated by spaces, oldest first), so the real
trainer reads it: build/shelf train --sessions sessions.tsv --out model.shelf.
Its defaults take 12 minutes at 100,000 items on 2 cores (the embeddings and the
blend search over them); `--dims 0` leaves the embeddings out and takes 23 s
there, under 5 minutes at 1,000,000. web/scripts/large-model.mjs does all of it
(its recipes "fast" and "default").

What is imitated, measured on train_sessions.tsv with --measure (the tables below
are its output):
  - sessions per item (186,670 / 43,097) and session lengths (LENGTHS);
  - the popularity curve: clicks of the item at relative rank r/N (POPULARITY,
    clicks over the mean; log-log interpolation between the points), so a catalog
    of 1M items has Diginetica's curve stretched over 1M ranks, 21 clicks per item
    on average;
  - repeats: 16% of clicks are an item already seen in the session;
  - neighbourhoods: items belong to clusters (a category, a product family); a
    session starts at an item drawn by popularity and mostly stays in its cluster,
    so the neighbour tables fill as they do on real data (--measure also reports
    distinct neighbours per item: Diginetica has 56 on average, median 38).
Every item appears at least once (so the model has exactly N items). The same
--items and --seed give the same bytes: only random.random() is drawn, whose
sequence for an integer seed Python keeps from version to version.

Checked against the real file at its own size (--items 43097, then --measure and
`shelf train --dims 0`): 16.2% repeats, 55.9 distinct neighbours per item
(median 38), the top 1% of items taking 12.9% of clicks (Diginetica: 15.9%,
56.0, 38, 13.0%), and a model of 201.7 bytes per item (Diginetica's: 195.3).
A million items: 4.3M sessions, 145 MB, about a minute.
"""

import argparse
import bisect
import math
import random
import sys
from collections import Counter, defaultdict

# Diginetica's training split: 186,670 sessions, 906,140 clicks, 43,097 items.
SESSIONS_PER_ITEM = 186670 / 43097
# Sessions per length (2..70), from --measure on train_sessions.tsv.
LENGTHS = {
    2: 52946, 3: 35860, 4: 25313, 5: 18377, 6: 13485, 7: 9917, 8: 7502, 9: 5418, 10: 4232,
    11: 3209, 12: 2307, 13: 1850, 14: 1362, 15: 1084, 16: 831, 17: 663, 18: 467, 19: 403,
    20: 291, 21: 245, 22: 168, 23: 155, 24: 99, 25: 86, 26: 82, 27: 58, 28: 39,
    29: 48, 30: 28, 31: 26, 32: 19, 33: 15, 34: 12, 35: 10, 36: 6, 37: 8,
    38: 8, 39: 7, 40: 5, 41: 2, 42: 5, 43: 1, 44: 2, 45: 2, 46: 3,
    47: 2, 48: 2, 49: 1, 50: 1, 51: 3, 52: 1, 54: 2, 60: 1, 70: 1,
}
# (relative rank, clicks / mean clicks) of the popularity curve, from --measure.
POPULARITY = [
    (2.32e-05, 43.33), (4.64e-05, 41.85), (0.000116, 36.0), (0.000232, 29.06),
    (0.000464, 23.3), (0.00116, 19.64), (0.00232, 15.22), (0.00464, 11.22),
    (0.0116, 7.61), (0.0232, 5.279), (0.0464, 3.567), (0.116, 1.902),
    (0.232, 1.046), (0.348, 0.7134), (0.464, 0.5232), (0.58, 0.428),
    (0.696, 0.3329), (0.812, 0.2378), (0.928, 0.1902), (1.0, 0.04756),
]
REPEAT = 0.145  # a click on an item already in the session (with the in-cluster draws that
                # land on one again: 16% of clicks, as Diginetica's 15.9%)
JUMP = 0.05     # leave the cluster: the next item is drawn by popularity again
CLUSTER_MIN, CLUSTER_MAX = 20, 400  # cluster sizes, log-uniform between these


def popularity_at(x):
    """Clicks over the mean at relative rank x in (0, 1], interpolated in log-log."""
    if x <= POPULARITY[0][0]:
        return POPULARITY[0][1]
    i = bisect.bisect_left(POPULARITY, (x,))
    (x0, y0), (x1, y1) = POPULARITY[i - 1], POPULARITY[i]
    t = (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0))
    return math.exp(math.log(y0) + t * (math.log(y1) - math.log(y0)))


def cumulative(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def shuffle(rng, values):
    """Fisher-Yates with random() only: random.shuffle's draws are not promised
    to stay the same across Python versions, random() is."""
    for i in range(len(values) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        values[i], values[j] = values[j], values[i]


def generate(items, seed, out):
    rng = random.Random(seed)
    sessions = round(items * SESSIONS_PER_ITEM)
    mean_length = sum(l * c for l, c in LENGTHS.items()) / sum(LENGTHS.values())
    mean_clicks = sessions * mean_length / items

    # The item of popularity rank r has id rank_id[r]: ids carry no popularity.
    rank_id = list(range(1, items + 1))
    shuffle(rng, rank_id)
    # One click of each item is forced (the first of a session, below) so that
    # every item appears; the rest follow the curve, less that one click.
    weight = [max(mean_clicks * popularity_at((r + 1) / items) - 1, 0.05) for r in range(items)]

    # Clusters: consecutive runs of a random order of the ranks, so each cluster
    # mixes popular and rare items. Members are stored cluster by cluster in one
    # array with cumulative weights, each cluster a slice [start, end).
    members = list(range(items))
    shuffle(rng, members)
    cluster_of = [0] * items
    bounds = []
    start = 0
    while start < items:
        size = int(math.exp(rng.random() * math.log(CLUSTER_MAX / CLUSTER_MIN)) * CLUSTER_MIN)
        end = min(items, start + size)
        for p in range(start, end):
            cluster_of[members[p]] = len(bounds)
        bounds.append((start, end))
        start = end
    # Cumulative weights restart at each cluster: a draw within one is a bisect
    # on its slice, and the global draw a bisect on the running total of all.
    member_cum = []
    for start, end in bounds:
        member_cum.extend(cumulative(weight[members[p]] for p in range(start, end)))
    global_cum = cumulative(weight)
    total = global_cum[-1]

    length_values = sorted(LENGTHS)
    length_cum = cumulative(LENGTHS[l] for l in length_values)

    def by_popularity():
        return bisect.bisect_right(global_cum, rng.random() * total, 0, items - 1)

    def in_cluster(c):
        start, end = bounds[c]
        top = member_cum[end - 1]
        p = bisect.bisect_right(member_cum, rng.random() * top, start, end - 1)
        return members[p]

    forced = list(range(items))
    shuffle(rng, forced)
    forced_left = items
    write = out.write
    for s in range(sessions):
        length = length_values[bisect.bisect_right(length_cum, rng.random() * length_cum[-1])]
        # The forced first items are spread over the whole file (sessions are in
        # time order: the trainer holds out the newest and weighs recent ones).
        if rng.random() * (sessions - s) < forced_left:
            forced_left -= 1
            item = forced[forced_left]
        else:
            item = by_popularity()
        session = [item]
        cluster = cluster_of[item]
        for _ in range(length - 1):
            u = rng.random()
            if u < REPEAT:
                item = session[int(rng.random() * len(session))]
            elif u < REPEAT + JUMP:
                item = by_popularity()
                cluster = cluster_of[item]
            else:
                item = in_cluster(cluster)
            session.append(item)
        write(' '.join([str(rank_id[r]) for r in session]))
        write('\n')


def measure(path):
    """Prints a sessions file's shape in the form of the tables above, and the
    figures to compare a synthetic file with the real one."""
    lengths, clicks = Counter(), Counter()
    neighbours = defaultdict(set)
    repeats = 0
    with open(path) as f:
        for line in f:
            session = line.split()
            lengths[len(session)] += 1
            clicks.update(session)
            distinct = set(session)
            repeats += len(session) - len(distinct)
            for item in distinct:
                neighbours[item].update(distinct)
    sessions, total, items = sum(lengths.values()), sum(clicks.values()), len(clicks)
    print(f'sessions {sessions}, clicks {total}, items {items}, '
          f'sessions per item {sessions / items:.3f}, clicks per session {total / sessions:.3f}')
    print(f'repeats {repeats / total:.4f} of clicks')
    print('LENGTHS', dict(sorted(lengths.items())))
    curve = sorted(clicks.values(), reverse=True)
    mean = total / items
    ranks = sorted({max(1, round(items * f)) for f in
                    (2.32e-05, 4.64e-05, 0.000116, 0.000232, 0.000464, 0.00116, 0.00232, 0.00464,
                     0.0116, 0.0232, 0.0464, 0.116, 0.232, 0.348, 0.464, 0.58, 0.696, 0.812, 0.928, 1.0)})
    print('POPULARITY', [(float(f'{r / items:.3g}'), float(f'{curve[r - 1] / mean:.4g}')) for r in ranks])
    for share in (0.001, 0.01, 0.1, 0.5):
        print(f'clicks on the top {share:.1%} of items: {sum(curve[:int(items * share)]) / total:.3f}')
    degree = sorted(len(n) - 1 for n in neighbours.values())
    print(f'distinct neighbours per item: mean {sum(degree) / items:.1f}, median {degree[items // 2]}, '
          f'at least 50: {sum(d >= 50 for d in degree) / items:.3f}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--items', type=int, default=1000000, help='catalog size N (default 1,000,000)')
    parser.add_argument('--seed', type=int, default=1, help='every random choice derives from it (default 1)')
    parser.add_argument('--out', help='where to write the sessions (default: standard output)')
    parser.add_argument('--measure', metavar='FILE', help='print the shape of a sessions file instead')
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    if args.items < CLUSTER_MIN:
        parser.error(f'--items must be at least {CLUSTER_MIN}')
    if args.out:
        partial = f'{args.out}.partial'
        with open(partial, 'w') as out:
            generate(args.items, args.seed, out)
        import os
        os.replace(partial, args.out)  # a reader never sees half a file
    else:
        generate(args.items, args.seed, sys.stdout)


if __name__ == '__main__':
    main()
