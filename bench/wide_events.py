#!/usr/bin/env python3
"""Deterministic ~1,200-byte web events, shaped like the records of the published Redpanda Connect and Kafka
Connect throughput harnesses (issue 21): the pi2 schema's fields plus realistic strings the schema does not
declare (user agent, URL, referrer, page title, IP, session and client ids, UTM parameters, screen, locale,
headers, an experiments map), which Weir keeps as `_extra`.

    wide_events.py -n N -o OUT.jsonl [--seed 42] [--target 1200]

Every event is valid and unique (ids are `e` + 18 random-looking digits); the lines average --target bytes.
Writes OUT.expected.json like gen_events.py (lines, expected_valid_unique, expected_sum_monto, per-date counts),
so ../shared/baselines/verify.py checks a lake of them.
"""
import argparse
import json
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

BROWSERS = [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} Safari/605.1.15',
    'Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.6099.144 Mobile Safari/537.36',
]
HOSTS = ['shop.example.com', 'www.example.es', 'm.example.com.ar', 'tienda.example.mx']
SECTIONS = ['productos', 'categoria/electronica', 'categoria/hogar-y-cocina', 'ofertas', 'carrito', 'cuenta/pedidos',
            'buscar', 'marcas/acme', 'blog/guias']
REFERRERS = ['https://www.google.com/search?q={q}&hl=es&source=hp', 'https://www.bing.com/search?q={q}&form=QBLH',
             'https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example.com%2F&h=AT{h}',
             'https://t.co/{h}', 'https://duckduckgo.com/?q={q}&ia=web', '']
WORDS = ['zapatillas', 'running', 'auriculares', 'inalambricos', 'cafetera', 'espresso', 'mochila', 'portatil',
         'silla', 'ergonomica', 'monitor', '27', 'pulgadas', 'lampara', 'escritorio', 'oferta', 'envio', 'gratis']
COUNTRIES = ['ES', 'AR', 'MX', 'CL', 'CO', 'PE', 'UY', 'US']
LOCALES = ['es-ES', 'es-AR', 'es-MX', 'es-CL', 'en-US', 'pt-BR']
ACCIONES = ['click', 'view', 'purchase']
MASK = (1 << 60) - 1


def rand_id(rng):
    return '%018d' % rng.randrange(10 ** 18)


def words(rng, n):
    return ' '.join(rng.choice(WORDS) for _ in range(n))


def event(rng, i, start, span_us, used_ids, pad):
    while True:
        eid = 'e' + rand_id(rng)
        if eid not in used_ids:
            used_ids.add(eid)
            break
    ts = start + timedelta(microseconds=rng.randrange(span_us))
    host = rng.choice(HOSTS)
    path = rng.choice(SECTIONS) + '/' + '-'.join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
    q = '+'.join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
    h = '%016x' % rng.getrandbits(64)
    ev = {
        'event_id': eid,
        'ts': ts.isoformat(),
        'usuario_id': rng.randint(1, 1000),
        'accion': rng.choice(ACCIONES),
        'monto': round(rng.uniform(1, 500), 2) if rng.random() > 0.8 else None,
        'session_id': '%032x' % rng.getrandbits(128),
        'client_id': '%d.%d' % (rng.getrandbits(31), 1_700_000_000 + rng.randrange(30_000_000)),
        'ip': '%d.%d.%d.%d' % (rng.randint(1, 223), rng.randrange(256), rng.randrange(256), rng.randint(1, 254)),
        'user_agent': rng.choice(BROWSERS).format(v=rng.randint(100, 131)),
        'url': 'https://%s/%s?sku=%d&utm_source=%s&utm_medium=%s&utm_campaign=%s' % (
            host, path, rng.randrange(10 ** 7), rng.choice(['google', 'newsletter', 'facebook', 'direct']),
            rng.choice(['cpc', 'email', 'social', 'organic']), rng.choice(['black-friday', 'navidad', 'vuelta-al-cole'])),
        'referrer': rng.choice(REFERRERS).format(q=q, h=h),
        'page_title': words(rng, rng.randint(4, 9)).title() + ' | Example Store',
        'country': rng.choice(COUNTRIES),
        'locale': rng.choice(LOCALES),
        'screen': rng.choice(['1920x1080', '1366x768', '390x844', '412x915', '2560x1440']),
        'viewport': {'w': rng.randint(320, 2560), 'h': rng.randint(480, 1440)},
        'consent': {'analytics': rng.random() < 0.7, 'ads': rng.random() < 0.4},
        'experiments': {'exp_%d' % k: rng.choice(['control', 'variant_a', 'variant_b']) for k in range(rng.randint(1, 4))},
        'cart_items': rng.randint(0, 12),
        'load_ms': rng.randint(80, 4000),
        'headers': {'accept_language': rng.choice(LOCALES) + ',es;q=0.9,en;q=0.8', 'dnt': rng.random() < 0.2},
        'tags': [rng.choice(WORDS) for _ in range(rng.randint(1, 5))],
    }
    ev['description'] = words(rng, pad)
    return ev


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('-n', type=int, default=200_000)
    ap.add_argument('-o', '--out', required=True)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--target', type=int, default=1200, help='average line length in bytes')
    ap.add_argument('--start', default='2025-10-28')
    ap.add_argument('--days', type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = datetime.fromisoformat(a.start).replace(tzinfo=timezone.utc)
    span_us = a.days * 86400 * 1_000_000
    used, per_date, total, size = set(), {}, Decimal(0), 0
    pad = 20
    with open(a.out, 'w') as f:
        for i in range(a.n):
            ev = event(rng, i, start, span_us, used, pad)
            line = json.dumps(ev)
            # Steer the padding words so that lines average --target bytes.
            size += len(line) + 1
            avg = size / (i + 1)
            pad = max(0, pad + (1 if avg < a.target else -1))
            f.write(line + '\n')
            per_date[ev['ts'][:10]] = per_date.get(ev['ts'][:10], 0) + 1
            if ev['monto'] is not None:
                total += Decimal(str(ev['monto']))
    exp = {'lines': a.n, 'seed': a.seed, 'average_bytes': round(size / max(1, a.n), 1),
           'expected_valid_unique': a.n, 'expected_sum_monto': str(total),
           'expected_per_date': dict(sorted(per_date.items()))}
    with open(a.out + '.expected.json', 'w') as f:
        json.dump(exp, f, indent=1)
    print(json.dumps({k: exp[k] for k in ('lines', 'average_bytes')}))


if __name__ == '__main__':
    main()
