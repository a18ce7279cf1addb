# resreport — `make demo` runs the tool on a generated demo data set,
# `make test` runs every check CI runs (.ci/run calls it).

GO ?= go

.PHONY: test demo build deps vet fmt-check unit fuzz bench bench-gate

build:
	$(GO) build -trimpath -ldflags="-s -w" -o bin/resreport ./cmd/resreport

demo:
	$(GO) run ./cmd/resreport demo

# deps installs what the tests need and the Go toolchain cannot fetch:
# headless Chromium for the browser tests.
deps:
	bash .ci/install-chromium

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -count=1 ./...

test: deps vet fmt-check bench-gate unit fuzz

# bench prints the benchmarks in benchstat format (bench/run).
bench:
	bash bench/run

# bench-gate compares this tree with bench/baseline-ref, interleaved, and
# fails when a headline benchmark is more than 15% slower (bench/compare).
bench-gate:
	bash bench/compare

# fuzz runs each fuzz target for FUZZTIME (seed corpora: scan/testdata/fuzz;
# FuzzModel fuzzes the seed of the model test's random data sets).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseLine$$' -fuzztime $(FUZZTIME) ./scan/
	$(GO) test -run '^$$' -fuzz '^FuzzParseTimestamp$$' -fuzztime $(FUZZTIME) ./scan/
	$(GO) test -run '^$$' -fuzz '^FuzzFastPath$$' -fuzztime $(FUZZTIME) ./scan/
	$(GO) test -run '^$$' -fuzz '^FuzzModel$$' -fuzztime $(FUZZTIME) ./cmd/resreport/
