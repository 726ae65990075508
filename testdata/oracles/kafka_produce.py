#!/usr/bin/env python3
"""Independent producer oracle for Weir's Kafka tests (kafka-python).

Produces --count records `{"i": <n>, "src": "kafka-python"}` with key `k<n>` into --topic on --bootstrap,
spread over the partitions by kafka-python's own partitioner, waits for every acknowledgement and prints
one JSON line per record to stdout: {"partition": p, "offset": o, "value": "<utf-8 value>"}.
Exit status 0 only if every record was acknowledged.

`--api-version` (default 2.3) pins the protocol level: librdkafka 2.0.2's mock brokers answer ApiVersions
only up to v2, and kafka-python 3.0.12 cannot decode the mock's fallback reply to its v3/v4 probe.
"""
import argparse
import json
import sys

from kafka import KafkaProducer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bootstrap', required=True)
    ap.add_argument('--topic', required=True)
    ap.add_argument('--count', type=int, default=10_000)
    ap.add_argument('--api-version', default='2.3')
    a = ap.parse_args()
    producer = KafkaProducer(bootstrap_servers=a.bootstrap.split(','), acks='all', linger_ms=5,
                             client_id='weir-oracle',
                             api_version=tuple(int(x) for x in a.api_version.split('.')))
    futures = []
    for i in range(a.count):
        value = json.dumps({'i': i, 'src': 'kafka-python'})
        futures.append((value, producer.send(a.topic, key=f'k{i}'.encode(), value=value.encode())))
    producer.flush(timeout=60)
    out = sys.stdout
    for value, fut in futures:
        md = fut.get(timeout=60)
        out.write(json.dumps({'partition': md.partition, 'offset': md.offset, 'value': value}) + '\n')
    producer.close()
    out.flush()


if __name__ == '__main__':
    main()
