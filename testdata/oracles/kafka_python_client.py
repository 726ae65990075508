#!/usr/bin/env python3
"""Test oracle: Python clients as a user would point them at `weir broker` (README, "weir broker").

    kafka_python_client.py BOOTSTRAP TOPIC COUNT

Produces COUNT keyed records with kafka-python 3.x's KafkaProducer created with the line the README gives,
api_version=(2, 3) (the embedded brokers answer ApiVersions only up to v2, and kafka-python 3.x cannot bootstrap
from them without it), then reads them back with confluent-kafka (librdkafka, no setting needed) in a consumer
group. Prints one JSON object: {"produced": N, "consumed": M, "partitions": [...]}.
"""
import json
import sys
import time

from confluent_kafka import Consumer
from kafka import KafkaProducer

bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=(2, 3))
futures = [producer.send(topic, key=f"k{i}".encode(), value=json.dumps({"i": i}).encode()) for i in range(count)]
producer.flush(timeout=60)
produced = sum(1 for f in futures if f.get(timeout=60) is not None)
producer.close()

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "readme-check", "auto.offset.reset": "earliest"})
consumer.subscribe([topic])
seen, partitions = set(), set()
deadline = time.monotonic() + 120
while len(seen) < count and time.monotonic() < deadline:
    record = consumer.poll(0.5)
    if record is None or record.error():
        continue
    seen.add(json.loads(record.value())["i"])
    partitions.add(record.partition())
consumer.close()
print(json.dumps({"produced": produced, "consumed": len(seen), "partitions": sorted(partitions)}))
