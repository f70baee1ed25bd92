# The two commands a newcomer needs: `make book` and `make test`.
# Everything else (the virtual environment, the pinned packages) is set up on demand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader lives in its own environment (see requirements-nbgrader.txt); only its test uses it.
NBG_VENV := .venv-nbgrader
NBG_STAMP := $(NBG_VENV)/.installed
BUILD := _build
# The execution cache keys on a notebook's code cells only; a change to the
# library must re-execute the pages, so the cache is tied to a hash of src/.
SRC_HASH := $(BUILD)/.logreg-src-hash

# Run the venv's tools (and its `python`, used by the Jupyter kernel) first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help book test test-all browser browser-site browser-pages browser-layout browser-lab \
	nbgrader grader after-build \
	test-lanes unit-then-notebooks build-then-browser lint unit notebooks robustness build-strict lab clean \
	cache-guard venv homework set-repository sync-notebooks

help:
	@echo "make book   build the website into $(BUILD)/html (sets up $(VENV) first)"
	@echo "make test   lint, unit tests, every notebook via nbval, the strict book build, nbgrader"
	@echo "            on the homework, and the browser tests (site, phone, print, JupyterLab)"
	@echo "make lab    open the book's notebooks in JupyterLab"
	@echo "make homework  write the student edition of book/homework to $(BUILD)/homework/student"
	@echo "make robustness OFFSETS=1,2,3,4,5  run every page with its seeds shifted by each offset"
	@echo "make clean  remove build outputs (keeps $(VENV))"

venv: $(STAMP)

# Reinstall only when the requirements or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(NBG_STAMP): requirements-nbgrader.txt
	@test -x $(NBG_VENV)/bin/python || $(PYTHON) -m venv $(NBG_VENV)
	$(NBG_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NBG_VENV)/bin/python -m pip install --quiet -r requirements-nbgrader.txt
	@touch $@

cache-guard: $(STAMP)
	@mkdir -p $(BUILD)
	@new=$$($(BIN)/python -c "import hashlib,pathlib; h=hashlib.sha256(); [h.update(p.as_posix().encode()+p.read_bytes()) for p in sorted(pathlib.Path('src').rglob('*.py'))]; print(h.hexdigest())"); \
	old=$$(cat $(SRC_HASH) 2>/dev/null || true); \
	if [ "$$new" != "$$old" ]; then \
	  rm -rf $(BUILD)/.jupyter_cache; echo "$$new" > $(SRC_HASH); \
	  echo "src/ changed: cleared the notebook execution cache"; \
	fi

book: cache-guard
	$(BIN)/jupyter-book build . --all -n -W --keep-going
	@echo "Open $(BUILD)/html/index.html in a browser."

lint: $(STAMP)
	$(BIN)/ruff check src tests book benchmarks tools
	$(BIN)/ruff format --check src tests book benchmarks tools

# The grader's end-to-end tests and nbgrader's validate/generate/autograde/export mostly wait on
# kernels, so they run beside the CPU-bound steps (see test-lanes).
GRADER_TESTS := tests/grader/test_grader.py tests/grader/test_grader_hostile.py
unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser --ignore=tests/grader/test_nbgrader.py \
	  $(addprefix --ignore=,$(GRADER_TESTS))

grader: $(STAMP)
	$(BIN)/python -m pytest $(GRADER_TESTS)

nbgrader: $(STAMP) $(NBG_STAMP)
	$(BIN)/python -m pytest tests/grader/test_nbgrader.py

# nbval executes every page on a second draw of its random data: each literal seed in the code is
# shifted by SEED_OFFSET (book/conftest.py), while the website is built from the seeds as written.
SEED_OFFSET ?= 1
notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider -W default --seed-offset=$(SEED_OFFSET) book

# Every page under several seed offsets, with a table of the first failing cell of each failure.
OFFSETS ?= 1,2,3,4,5
robustness: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python tools/robustness.py --offsets $(OFFSETS)

build-strict: book

# Three lanes on a 2-core machine: the unit tests, then nbval; the strict build, then the browser
# tests (which need the built site) beside nbgrader's tests; and the grader's tests, which wait on
# kernels more than they compute. One BLAS/OpenMP thread per process keeps the lanes from fighting
# over cores, and make test runs them all under one jobserver of six slots.
test:
	@start=$$(date +%s); \
	if $(MAKE) --no-print-directory -j6 --output-sync=target test-all; then \
	  echo "make test: all checks passed in $$(( $$(date +%s) - start )) s"; \
	else \
	  echo "make test: FAILED after $$(( $$(date +%s) - start )) s"; exit 1; \
	fi

# The two environments are set up side by side; then the lanes share the same six job slots.
test-all: lint $(NBG_STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(MAKE) test-lanes

# The built site in Debian's Chromium (needs /usr/bin/chromium; .ci/run installs it).
browser: browser-site browser-lab

# Every page at desktop and phone size, navigation, print, the visible text, the homework pages,
# in two halves that run side by side (each writes its own wide-formula report).
browser-site: browser-pages browser-layout

browser-pages: $(STAMP)
	$(BIN)/python -m pytest tests/browser/test_site.py

browser-layout: $(STAMP)
	$(BIN)/python -m pytest tests/browser --ignore=tests/browser/test_jupyterlab.py \
	  --ignore=tests/browser/test_site.py

# The notebooks in JupyterLab in Chromium: rendering, and each demo's response to the keyboard.
browser-lab: $(STAMP)
	$(BIN)/python -m pytest tests/browser/test_jupyterlab.py

test-lanes: unit-then-notebooks build-then-browser grader

# Each lane prints how long its steps took, so that the slower lane is known when the suite grows.
# After the build, the site's browser tests and nbgrader's run side by side: they mostly wait (for
# pages, animations and kernels). JupyterLab's come last, on a less loaded machine: run beside
# them, its notebook was once marked modified on opening and a run of every cell took over 180 s.
build-then-browser: $(STAMP)
	@t0=$$(date +%s); $(MAKE) build-strict; ok=$$?; t1=$$(date +%s); \
	if [ $$ok = 0 ]; then $(MAKE) after-build; ok=$$?; fi; t2=$$(date +%s); \
	echo "lane timing: strict build $$((t1 - t0)) s, browser tests and nbgrader $$((t2 - t1)) s"; \
	exit $$ok

# The sub-makes share make test's six job slots: three lanes, and these steps side by side.
after-build: $(STAMP) $(NBG_STAMP)
	$(MAKE) --output-sync=target browser-pages browser-layout nbgrader
	$(MAKE) browser-lab

unit-then-notebooks: $(STAMP)
	@t0=$$(date +%s); $(MAKE) unit; ok=$$?; t1=$$(date +%s); \
	if [ $$ok = 0 ]; then $(MAKE) notebooks; ok=$$?; fi; t2=$$(date +%s); \
	echo "lane timing: unit tests $$((t1 - t0)) s, notebooks (nbval) $$((t2 - t1)) s"; \
	exit $$ok

# After changing _config.yml (repository.url, the math macros): bring the notebooks in line.
sync-notebooks: $(STAMP)
	$(BIN)/python tools/sync_notebooks.py

set-repository: sync-notebooks

homework: $(STAMP)
	$(BIN)/python -m logreg_grader release --source book/homework --dest $(BUILD)/homework/student \
	  --instructor-html $(BUILD)/homework/instructor

# JupyterLab refuses to run as root unless told; in a container root is normal, so say so and allow it.
lab: $(STAMP)
	@extra=""; if [ "$$(id -u)" = 0 ]; then \
	  echo "make lab: running as root (a container?), so JupyterLab is started with --allow-root"; \
	  extra=--allow-root; \
	fi; \
	$(BIN)/jupyter lab $$extra book

clean:
	rm -rf $(BUILD) .pytest_cache .ruff_cache .hypothesis
