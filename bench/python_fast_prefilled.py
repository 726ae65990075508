#!/usr/bin/env python3
"""python_fast (../shared/baselines/python_fast.py) with a dedup store that already holds many keys (issue #21).

    python_fast_prefilled.py prefill IDS_FILE DB
        creates python_fast's checkpoint database DB (its own `seen(event_id TEXT PRIMARY KEY)` table, WAL, as
        python_fast's Checkpoint makes it) holding the ids of IDS_FILE (one a line). They are inserted in
        sorted order, which on this machine is several times faster than python_fast's own order (its batches
        insert random ids) and leaves fuller B-tree pages; what python_fast's run reads at start is the same.
    python_fast_prefilled.py run SHARED_BASELINES_DIR [python_fast.py arguments…]
        runs python_fast unchanged and adds to its metrics JSON (--metrics) how long its start took to load the
        stored ids into its in-memory set: `checkpoint_load_cpu_s` (process CPU) and `checkpoint_load_wall_s`.

python_fast keeps its dedup state as a Python set of every id, loaded from the SQLite table at start, and inserts
each batch's new ids into the table in one transaction (`INSERT OR IGNORE`).
"""
import sqlite3
import sys
import time


def prefill(ids_path, db_path, chunk=1_000_000):
    with open(ids_path) as f:
        ids = sorted(line.rstrip('\n') for line in f)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute('PRAGMA journal_mode=WAL')
    conn.execute('PRAGMA synchronous=NORMAL')
    conn.execute('PRAGMA cache_size=-1000000')  # the prefill only: 1 GB of page cache, so it takes minutes, not hours
    conn.execute('CREATE TABLE IF NOT EXISTS seen(event_id TEXT PRIMARY KEY)')
    t0 = time.perf_counter()
    n = 0
    for start in range(0, len(ids), chunk):
        rows = ids[start:start + chunk]
        conn.execute('BEGIN')
        conn.executemany('INSERT OR IGNORE INTO seen(event_id) VALUES (?)', ((e,) for e in rows))
        conn.execute('COMMIT')
        n += len(rows)
    conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    stored = conn.execute('SELECT count(*) FROM seen').fetchone()[0]
    conn.close()
    print(f'prefill_ids {n}')
    print(f'prefill_stored {stored}')
    print(f'prefill_wall_s {time.perf_counter() - t0:.1f}')


def run(baselines, argv):
    import json
    sys.path.insert(0, baselines)
    import python_fast as pf
    timing = {}
    original = pf.Checkpoint.__init__

    def timed_init(self, path):
        c0, w0 = time.process_time(), time.perf_counter()
        original(self, path)
        timing['checkpoint_load_cpu_s'] = round(time.process_time() - c0, 2)
        timing['checkpoint_load_wall_s'] = round(time.perf_counter() - w0, 2)
        timing['checkpoint_keys_at_start'] = len(self.seen)

    pf.Checkpoint.__init__ = timed_init
    pf.main(argv)
    metrics = argv[argv.index('--metrics') + 1]
    with open(metrics) as f:
        m = json.load(f)
    m.update(timing)
    with open(metrics, 'w') as f:
        json.dump(m, f)
    print(json.dumps(timing))


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'prefill':
        prefill(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == 'run' and '--metrics' in sys.argv:
        run(sys.argv[2], sys.argv[3:])
    else:
        sys.exit('usage: python_fast_prefilled.py prefill IDS_FILE DB | run SHARED_BASELINES_DIR ARGS… --metrics PATH')
