# The README's two commands: `make demo` and `make test`. Both run scripts/setup first.
SWIFT ?= swift
.PHONY: setup build release demo test bench

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
	$(SWIFT) test --skip-build

# Benchmarks of issues #10 and #21 (results appended to docs/BENCHMARKS.md). bench/scale (100k/1M/5M), bench/dedup
# (0/10M/100M stored keys) and bench/dedup_pipeline (Weir and python_fast with 10M stored keys) are separate: they
# take long.
bench: release
	@if [ -x bench/parquet ]; then bench/parquet; else echo "bench/parquet: not present, skipped"; fi
	bench/schema
	bench/pipeline
	bench/stages
	bench/wide
	bench/consume
