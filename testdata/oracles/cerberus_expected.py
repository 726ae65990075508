#!/usr/bin/env python3
"""Differential oracle for Weir's EventSchema validator.

Generates documents deterministically for every schema in testdata/fixtures/schemas/ and prints
one JSON line per document with real Cerberus 1.3's verdict:
    {"case": str, "schema": file name, "doc": JSON text, "valid": bool,
     "errors": validator.errors, "document": validator.document}
Run with the project's .venv (scripts/setup installs cerberus). Usage:
    cerberus_expected.py [--per-schema N] [--seed S]
Generated values avoid Weir's documented deviations (booleans where numbers are expected,
strings ending in a newline); the hand-written cases named deviation_* exercise them.
"""
import argparse
import json
import os
import random
import re
import sys

import yaml
from cerberus import Validator

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, '..', 'fixtures', 'schemas')

INTS = [-5, -1, 0, 1, 2, 3, 5, 17, 18, 130, 131, 1000, 999999, 1000000, 1000001, 2**63 - 1, 2**63, 2**70, -2**70]
FLOATS = [0.0, -0.5, 0.5, 0.49, 1.0, 3.5, 10.0, 10.5, 12.5, 100000.0, 100000.5, 1e300, -1e-7]
STRINGS = ['', 'a', 'x', 'e', 'e12', 'e0', 'E12', 'e12x', 'click', 'view', 'purchase', 'cart', 'CLICK',
           'é', '日本語', 'naïve', 'vip', 'new', 'old', 'deleted', 'banned', 'basic', 'premium', 'red',
           '2025-10-30T12:00:00Z', '2025-10-30T', '2025-1-30T12:00', 'AB-123', 'AB-12345', 'ab-123',
           'AB-123456', 'sku_1a', 'sku_', 'SKU_1', 'abc_de', 'toolong_', 'a b', 'hello', 'x\ny', '\t']
NON_BOOL_FIELD_TYPES = {'integer', 'float', 'number'}


def types_of(rules):
    t = rules.get('type', [])
    return [t] if isinstance(t, str) else list(t)


def allows_bool(rules):
    return not (set(types_of(rules)) & NON_BOOL_FIELD_TYPES or
                {'min', 'max', 'allowed', 'forbidden'} & set(rules))


def scalar(rng, rules):
    pools = [INTS, FLOATS, STRINGS, STRINGS, [None]]
    if allows_bool(rules):
        pools.append([True, False])
    return rng.choice(rng.choice(pools))


def random_value(rng, rules, depth=0):
    r = rng.random()
    if depth < 2 and r < 0.08:
        return [scalar(rng, {}) for _ in range(rng.randint(0, 3))]
    if depth < 2 and r < 0.14:
        return {rng.choice(['a', 'x', 'name', 'k1', 'Bad Key']): scalar(rng, {}) for _ in range(rng.randint(0, 2))}
    return scalar(rng, rules)


def typed_value(rng, rules, depth):
    """A value of (one of) the field's types, often near its constraints."""
    if 'allowed' in rules and rng.random() < 0.5:
        v = rng.choice(rules['allowed'])
        return [v] if 'list' in types_of(rules) else v
    t = rng.choice(types_of(rules) or ['string'])
    if t == 'integer':
        cands = [x for x in (rules.get('min'), rules.get('max')) if isinstance(x, int)]
        return rng.choice([c + d for c in cands for d in (-1, 0, 1)] + INTS) if cands else rng.choice(INTS)
    if t in ('float', 'number'):
        return rng.choice(FLOATS + INTS[:12])
    if t == 'string':
        if 'regex' in rules and rng.random() < 0.7:
            good = [x for x in STRINGS if re.fullmatch(rules['regex'], x)]
            if good:
                return rng.choice(good)
        return rng.choice(STRINGS)
    if t == 'boolean':
        return rng.choice([True, False])
    if t == 'dict':
        if isinstance(rules.get('schema'), dict) and depth < 3:
            return document(rng, rules['schema'], depth + 1)
        return {rng.choice(['a', 'ab', 'k_x', 'Bad', 'toolong_k']): random_value(rng, rules.get('valuesrules', {}), depth + 1)
                for _ in range(rng.randint(0, 3))}
    if t == 'list':
        item = rules.get('schema', {})
        return [field_value(rng, item, depth + 1) for _ in range(rng.randint(0, 4))]
    return None


NOISE = [1.0]


def field_value(rng, rules, depth):
    r = rng.random()
    if r < 0.08 * NOISE[0]:
        return None
    if r < 1 - 0.30 * NOISE[0]:
        return typed_value(rng, rules, depth)
    return random_value(rng, rules, depth)


def document(rng, fields, depth=0):
    doc = {}
    for name, rules in fields.items():
        if rng.random() < 0.15 * NOISE[0] and not rules.get('required'):
            continue
        if rng.random() < 0.03 * NOISE[0]:
            continue
        doc[name] = field_value(rng, rules, depth)
    if rng.random() < 0.1:
        doc['extra_' + str(rng.randint(0, 9))] = scalar(rng, {})
    keys = list(doc)
    rng.shuffle(keys)
    return {k: doc[k] for k in keys}


DEVIATIONS = {
    'pi2_events.schema.yaml': [
        ('deviation_bool_as_integer', {'event_id': 'e1', 'ts': '2025-10-30T12:00:00Z', 'usuario_id': True, 'accion': 'click'}),
        ('deviation_bool_as_float', {'event_id': 'e1', 'ts': '2025-10-30T12:00:00Z', 'usuario_id': 5, 'accion': 'click', 'monto': False}),
        ('deviation_regex_trailing_newline', {'event_id': 'e1\n', 'ts': '2025-10-30T12:00:00Z', 'usuario_id': 5, 'accion': 'view'}),
    ],
    'maps.yaml': [
        ('deviation_bool_in_integer_values', {'labels': {'a': True}}),
        ('bool_is_not_number', {'level': True}),  # Cerberus's number already excludes bool: no deviation
    ],
}

EXTRA = {
    'pi2_events.schema.yaml': [
        ('pi2_valid', {'event_id': 'e1', 'ts': '2025-10-30T12:00:00.123456+00:00', 'usuario_id': 1, 'accion': 'purchase', 'monto': 12.5}),
        ('pi2_float_uid', {'event_id': 'e1', 'ts': '2025-10-30T12:00:00Z', 'usuario_id': 5.0, 'accion': 'click', 'monto': None}),
        ('pi2_int_monto', {'event_id': 'e1', 'ts': '2025-10-30T12:00:00Z', 'usuario_id': 5, 'accion': 'click', 'monto': 100}),
        ('pi2_all_missing', {}),
        ('pi2_all_null', {'event_id': None, 'ts': None, 'usuario_id': None, 'accion': None, 'monto': None}),
        ('pi2_bigint', {'event_id': 'e1', 'ts': '2025-10-30T12:00:00Z', 'usuario_id': 2**80, 'accion': 'click'}),
    ],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--per-schema', type=int, default=500)
    ap.add_argument('--seed', type=int, default=20261129)
    a = ap.parse_args()
    out = sys.stdout
    for fname in sorted(os.listdir(SCHEMAS)):
        with open(os.path.join(SCHEMAS, fname)) as f:
            raw = yaml.safe_load(f)
        if 'schema' in raw and isinstance(raw['schema'], dict) and set(raw) <= {'schema', 'allow_unknown', 'require_all'}:
            fields = raw['schema']
            opts = {k: raw[k] for k in ('allow_unknown', 'require_all') if k in raw}
        else:
            fields, opts = raw, {}
        rng = random.Random(f'{a.seed}:{fname}')
        cases = []
        for n in range(a.per_schema):
            NOISE[0] = rng.choice([0.05, 0.2, 1.0])
            cases.append((f'{fname}#{n}', document(rng, fields)))
        cases += [(f'{fname}#{name}', d) for name, d in EXTRA.get(fname, []) + DEVIATIONS.get(fname, [])]
        for case, doc in cases:
            v = Validator(fields, **opts)
            ok = v.validate(doc)
            out.write(json.dumps({'case': case, 'schema': fname, 'doc': json.dumps(doc, ensure_ascii=False),
                                  'valid': ok, 'errors': v.errors, 'document': v.document},
                                 ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
