# LGNet Archivio — the two commands a new machine needs:
#   make site   install everything and build the demo site into site/
#   make test   lint, type-check and run the whole test suite (what CI runs)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup system-deps speakers site serve test lint format bench lighthouse clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

system-deps: ## Debian packages: ffmpeg (media), chromium (browser tests), nodejs (lunr.js check)
	@missing=""; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Optional extra for `lgnet speakers` (speaker turns): the `speakers` extra of pyproject.toml
# and the `resemblyzer` wheel for the voice model's weights only. Its dependencies (PyTorch,
# gigabytes) are not installed: lgnet.diarize reads the weights and runs the model in numpy.
# `pip install 'lgnet[speakers]'` cannot do this, since an extra cannot leave out the
# dependencies of what it lists. Part of `setup`, so the tests run on a fresh machine.
SPEAKERS := $(VENV)/.speakers

$(SPEAKERS): $(STAMP)
	$(BIN)/pip install -q -e '.[speakers]'
	$(BIN)/pip install -q --no-deps resemblyzer==0.1.4
	touch $(SPEAKERS)

speakers: $(SPEAKERS) ## optional: recognise voices for 'lgnet speakers' (no PyTorch)

setup: system-deps $(STAMP) $(SPEAKERS) ## install system packages and the Python environment

site: setup ## build the demo site (transcribes what is new) into site/
	$(BIN)/lgnet build

serve: setup ## preview the site on http://127.0.0.1:8000/
	$(BIN)/lgnet serve

lint: setup ## ruff (lint + format check) and mypy
	$(BIN)/ruff check scripts tests bench
	$(BIN)/ruff format --check scripts tests bench
	$(BIN)/mypy

format: setup ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format scripts tests bench
	$(BIN)/ruff check --fix scripts tests bench

test: setup lint ## lint, then the whole test suite (real model, real browser)
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=25

LIGHTHOUSE := .tools/node_modules/.bin/lighthouse

$(LIGHTHOUSE):
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix .tools lighthouse@12.2.3

lighthouse: setup $(LIGHTHOUSE) ## Lighthouse 12 (mobile) on every page type of the demo site
	$(BIN)/python bench/lighthouse.py

bench: setup $(LIGHTHOUSE) ## the benchmarks (minutes): transcription, alignment, speaker turns, web copies, search scale, site build, Lighthouse
	$(BIN)/python bench/asr.py
	$(BIN)/python bench/align.py
	$(BIN)/python bench/diarization.py
	$(BIN)/python bench/transcode.py --compare
	$(BIN)/python bench/search_scale.py
	$(BIN)/python bench/site_build.py
	$(BIN)/python bench/lighthouse.py

clean: ## remove generated files (keeps transcripts, which are committed)
	rm -rf site site-operatori .build docs/archivio docs/_generato docs/percorsi
