# The README's two commands: `make demo` and `make test`. Both run scripts/setup first.
SWIFT ?= swift
.PHONY: setup build release demo test bench bench-stores

setup:
	@scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

demo: release
	.build/release/weir demo

test: setup
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/test

# Benchmarks (results appended to docs/BENCHMARKS.md, whose "Running the benchmarks" lists every script).
# `make bench`: Weir alone and against the Python baselines, a few minutes in all.
# `make bench-stores`: the lake and store kinds side by side at 1,000,000 events, several minutes each:
#   bench/s3 (local lake vs s3:// on SeaweedFS), bench/pgstore (SQLite vs PostgreSQL store), bench/iceberg
#   (Parquet lake vs Iceberg table). They start their own SeaweedFS (.venv/bin/weed) and PostgreSQL 15, which
#   scripts/setup installs, on loopback, and stop them at exit.
# Run alone, they take long: bench/scale (100k/1M/5M), bench/dedup (0/10M/100M stored keys), bench/dedup_pipeline
# (Weir and python_fast with 10M stored keys), bench/pgscale (PostgreSQL stores of 0/10M/50M keys).
bench: release
	@if [ -x bench/parquet ]; then bench/parquet; else echo "bench/parquet: not present, skipped"; fi
	bench/schema
	bench/pipeline
	bench/stages
	bench/wide
	bench/consume

bench-stores: release
	bench/s3
	bench/pgstore
	bench/iceberg
