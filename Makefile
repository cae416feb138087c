# The two commands of the README:
#   make demo   installs what is missing, builds logsift, and runs it on samples/
#   make test   installs what is missing and runs the whole test suite
LOGSIFT_CORPORA ?= $(abspath ../shared/corpora)
export LOGSIFT_CORPORA
export PATH := /opt/swift/usr/bin:$(PATH)

.PHONY: demo test build release bench deps

deps:
	@scripts/install-deps

build: deps
	swift build

release: deps
	swift build -c release --product logsift

demo: release
	.build/release/logsift report samples/access.log*
	.build/release/logsift report --bucket 15m --format json samples/access.log* | head -40

test: deps
	swift test

bench: deps
	python3 Benchmarks/bench.py
