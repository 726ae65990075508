#!/usr/bin/env python3
"""python_fast (../shared/baselines/python_fast.py) keeping the fields its schema does not declare, as Weir does.

python_fast writes only the pi2 schema's five fields and processing_ts; for records with more fields (bench/wide)
that would compare Weir, which keeps the rest in `_extra`, with a script that throws it away. This runs
python_fast unchanged (same arguments, same Kafka consumer, validator, dedup and Parquet writer) with one change
to its column buffers: a seventh column `_extra`, the unknown fields as JSON text (`orjson.dumps` of the decoded
event without the known keys, or null when there are none), written by pyarrow like the other columns.

    python_fast_extra.py SHARED_BASELINES_DIR [python_fast.py arguments…]
"""
import sys

sys.path.insert(0, sys.argv[1])
import orjson  # noqa: E402
import pyarrow as pa  # noqa: E402
import python_fast as pf  # noqa: E402

KNOWN = frozenset(('event_id', 'ts', 'usuario_id', 'accion', 'monto'))
pf.ARROW_SCHEMA = pf.ARROW_SCHEMA.append(pa.field('_extra', pa.string()))
pf.COLS = [f.name for f in pf.ARROW_SCHEMA]
_dumps = orjson.dumps


def add(self, date, ev, pts):
    b = self.by_date.get(date)
    if b is None:
        b = self.by_date[date] = ([], [], [], [], [], [], [])
    b[0].append(ev['event_id'])
    b[1].append(ev['ts'])
    b[2].append(ev['usuario_id'])
    b[3].append(ev.get('accion'))
    m = ev.get('monto')
    b[4].append(0.0 if m is None else m)
    b[5].append(pts)
    extra = {k: v for k, v in ev.items() if k not in KNOWN}
    b[6].append(_dumps(extra).decode() if extra else None)
    self.rows += 1


pf.Buffers.add = add

if __name__ == '__main__':
    pf.main(sys.argv[2:])
