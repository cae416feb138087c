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
	.build/release/logsift detect samples/access.log* samples/postgresql.log samples/app.log
	.build/release/logsift report --bucket 15m samples/access.log*
	.build/release/logsift report --bucket 30m --tz UTC --top 5 samples/postgresql.log samples/app.log
	.build/release/logsift query --tz UTC 'status >= 500 | count, p95(request_time), rate(request_time > 1s) by path | limit 5' samples/access.log*
	@echo '# watch: samples/ replayed oldest first through samples/alerts.yml; the alerts that fired (event time):'
	zcat -f samples/access.log.2.gz samples/access.log.1 samples/access.log | .build/release/logsift watch --tz UTC --window 1h --rules samples/alerts.yml --output json | grep '"state":"firing"'

# swift test's own output and summary, then "N passed, N failed, N skipped" (scripts/run-tests).
test: deps
	scripts/run-tests

bench: deps
	python3 Benchmarks/bench.py
