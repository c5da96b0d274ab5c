# The two commands of the README. Each installs what it needs first.
.PHONY: run test build deps bench

deps:
	@bash scripts/deps.sh
	@bash scripts/install-envoy.sh

build: deps
	@npm run --silent build

# Build the binary, start a standalone control plane, show `kuma get meshes` answered by it.
run: build
	@bash scripts/run-standalone.sh

# Every test: unit, then e2e against the built binary. Ends with "N passed, N failed".
test: build
	@bash scripts/test.sh

bench: build
	@npm run --silent bench
