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

bench: release
	bench/parquet
	bench/pipeline
