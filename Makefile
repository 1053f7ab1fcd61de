# Makefile — Hallway's entry points. Two commands matter: `make demo` and `make test`.
# Owns the order of the steps; what gets installed lives in scripts/install-deps.sh.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)

# The tauri CLI must run from the repo root (it finds src-tauri/tauri.conf.json from here).
TAURI := ui/node_modules/.bin/tauri
# python3-slixmpp is Debian's: use Debian's python even when a pyenv/venv python3 comes first.
PYTHON := $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"
DEMO_ARGS ?=

.PHONY: help deps build build-debug demo test test-e2e lint fmt bench repro-webkit-dialog clean check-tauri bindings
.DEFAULT_GOAL := help

help:
	@echo "make demo      install what is missing, build, start the demo office and open Hallway"
	@echo "make test      install what is missing, run every test (Rust, UI, end-to-end under Xvfb)"
	@echo "other targets: deps build build-debug test-e2e lint fmt bindings bench repro-webkit-dialog clean"

deps:
	scripts/install-deps.sh

check-tauri:
	@test -x $(TAURI) || { echo "$(TAURI) missing: @tauri-apps/cli must be in ui/package.json devDependencies" >&2; exit 1; }

# Release app with the UI embedded (beforeBuildCommand builds ui/): target/release/hallway
build: deps check-tauri
	$(TAURI) build --no-bundle

# Debug app with the UI embedded, what the end-to-end tests drive: target/debug/hallway
build-debug: deps check-tauri
	$(TAURI) build --debug --no-bundle

demo: deps build
	$(PYTHON) scripts/demo.py $(DEMO_ARGS)

# Unit + integration tests (the integration tests start their own Prosody), UI tests, then E2E.
test: deps
	cargo test --workspace --exclude webkit-dialog-repro
	cd ui && npm test
	$(MAKE) --no-print-directory test-e2e

# The tests are compiled before Xvfb starts: the app reads the display's idle time for
# automatic away, and minutes of compiling under Xvfb would make the window start out Away.
# The journeys run twice: with the renderer the app chooses for this machine (WebKit's DMA-BUF
# renderer off without a GPU render node), then with it on (a user's value is kept).
test-e2e: build-debug
	mkdir -p tests/output
	cargo test -p hallway-tests --features e2e --test e2e --no-run
	HALLWAY_APP=$(CURDIR)/target/debug/hallway HALLWAY_TEST_OUTPUT=$(CURDIR)/tests/output \
	  $(XVFB) cargo test -p hallway-tests --features e2e --test e2e -- --test-threads=1
	@echo "The same journeys with WebKit's DMA-BUF renderer forced on (the app's own choice above: off without a GPU):"
	WEBKIT_DISABLE_DMABUF_RENDERER=0 HALLWAY_APP=$(CURDIR)/target/debug/hallway \
	  HALLWAY_TEST_OUTPUT=$(CURDIR)/tests/output/dmabuf-on \
	  $(XVFB) cargo test -p hallway-tests --features e2e --test e2e -- --test-threads=1

lint: deps
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --features hallway-tests/e2e -- -D warnings
	cd ui && npm run lint
	for f in scripts/install-deps.sh .ci/run tests/repro/webkit-dialog/run.sh; do bash -n "$$f" || exit 1; done
	$(PYTHON) -m py_compile scripts/demo.py

# Regenerate ui/src/ipc/bindings.ts from the Rust commands/events (a test fails when it is stale).
bindings:
	UPDATE_BINDINGS=1 cargo test -p hallway bindings

fmt:
	cargo fmt --all
	cd ui && npm run format

# Figures for docs/PERFORMANCE.md: store, core against Prosody (roster, 1 GB files), and the real
# window under Xvfb.
bench: build-debug
	cargo bench -p hallway-store
	cargo bench -p hallway-tests --bench roster
	cargo bench -p hallway-tests --bench rooms
	cargo bench -p hallway-tests --bench files
	cargo bench -p hallway-tests --features e2e --bench roster_window --no-run
	HALLWAY_APP=$(CURDIR)/target/debug/hallway HALLWAY_TEST_OUTPUT=$(CURDIR)/tests/output \
	  $(XVFB) cargo bench -p hallway-tests --features e2e --bench roster_window
	cargo bench -p hallway-tests --features e2e --bench rooms_window --no-run
	HALLWAY_APP=$(CURDIR)/target/debug/hallway HALLWAY_TEST_OUTPUT=$(CURDIR)/tests/output \
	  $(XVFB) cargo bench -p hallway-tests --features e2e --bench rooms_window

# Issue 20's reproduction: a bare Tauri window; WebDriver's screenshot of an idle page with
# WebKit's DMA-BUF renderer or compositing off, and what a real click shows (prints one line each).
repro-webkit-dialog: deps
	cargo build -p webkit-dialog-repro
	$(XVFB) tests/repro/webkit-dialog/run.sh $(CURDIR)/target/debug/webkit-dialog-repro

clean:
	cargo clean
	rm -rf ui/dist tests/output
