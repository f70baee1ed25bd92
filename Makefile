# The two commands a newcomer needs: `make book` and `make test`.
# Everything else (the virtual environments, the pinned packages) is set up on demand.
# The Makefile is flat: no target calls make again, and none is only another name for one.

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
LINTED := conftest.py src tests book benchmarks tools
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
# The strict build: every warning is an error.
BUILD_BOOK := $(BIN)/jupyter-book build . --all -n -W --keep-going
# nbval executes every page on a second draw of its random data: each literal seed in the code is
# shifted by SEED_OFFSET (book/conftest.py), while the website is built from the seeds as written.
SEED_OFFSET ?= 1
# nbval: this many notebooks at once, each on one worker (--dist loadfile keeps a page's cells
# in order, in one kernel). Its lane is the longest, and alone at the end it kept one core idle;
# NOTEBOOK_JOBS=0 runs the pages in one process.
NOTEBOOK_JOBS ?= 2
# The unit tests: this many workers (given by folder, as the grader's: each worker collects what it
# is given). The step runs alone at the end of its lane, where one process left a core idle.
UNIT_JOBS ?= 2
# The grader's end-to-end tests wait on kernels, not on the CPU: this many run at once, a test
# file per worker (a file's module-scoped batch is graded once, on one worker).
GRADER_JOBS ?= 3
# The browser tests: this many Chromium sessions at once. Tests, not files, are shared out
# (worksteal): test_site.py, test_layout.py and test_accessibility.py each check every page, each
# took a worker for ~1/3 of the work, and the largest alone set the step's time; their per-page
# tests are independent, and the reports they add to are merged over the workers (_axe.py,
# _browser.write_wide_report).
BROWSER_JOBS ?= 3
# The JupyterLab tests open the notebooks, not the built site: they run at the end of whichever
# lane finishes first (the first lane to create $(LOGS)/.jupyterlab claims them), rather than
# with the other browser tests or in a lane fixed in advance, which the load decides.
LAB_TESTS := tests/browser/test_jupyterlab.py tests/browser/test_jupyterlab_solutions.py
# Every page under several seed offsets (make robustness).
OFFSETS ?= 1,2,3,4,5
# make test writes each step's output here (tools/step.sh).
export LOGS := $(BUILD)/test-logs

# Run the venv's tools (and its `python`, used by the Jupyter kernel) first.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv book pdf lint test lab homework robustness sync-notebooks cache-guard clean

help:
	@echo "make book   build the website into $(BUILD)/html (sets up $(VENV) first)"
	@echo "make test   lint, then side by side: the unit tests and every page via nbval; the strict"
	@echo "            book build and the browser tests; the grader's tests and nbgrader's"
	@echo "make pdf    the book as one PDF, $(BUILD)/pdf/logistic-regression.pdf (builds the site if needed)"
	@echo "make lint   ruff check and ruff format --check (the notebooks included)"
	@echo "make lab    open the book's notebooks in JupyterLab"
	@echo "make homework  write the student edition of book/homework to $(BUILD)/homework/student"
	@echo "make robustness OFFSETS=1,2,3,4,5  run every page with its seeds shifted by each offset"
	@echo "make sync-notebooks  after changing _config.yml: the notebooks' setup cells and macros"
	@echo "make clean  remove build outputs (keeps $(VENV))"
	@echo "Parts of the suite by marker: $(BIN)/python -m pytest -m 'library or book' (or grader,"
	@echo "browser, kernel; see pyproject.toml)"

venv: $(STAMP)
	@echo "$(VENV) has the packages of requirements.txt"

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

# Clear the notebook execution cache when the code under src/ changed.
cache-guard: $(STAMP)
	@mkdir -p $(BUILD)
	@new=$$($(BIN)/python -c "import hashlib,pathlib; h=hashlib.sha256(); [h.update(p.as_posix().encode()+p.read_bytes()) for p in sorted(pathlib.Path('src').rglob('*.py'))]; print(h.hexdigest())"); \
	old=$$(cat $(SRC_HASH) 2>/dev/null || true); \
	if [ "$$new" != "$$old" ]; then \
	  rm -rf $(BUILD)/.jupyter_cache; echo "$$new" > $(SRC_HASH); \
	  echo "src/ changed: cleared the notebook execution cache"; \
	fi

# The book as one PDF, printed by Chromium from the built site (logreg_book.pdf; README, "The PDF").
MAKE_PDF := $(BIN)/python -m logreg_book.pdf --site $(BUILD)/html --out $(BUILD)/pdf/logistic-regression.pdf

# The website, with warnings as errors (make test builds it the same way), and the PDF it links.
book: cache-guard
	$(BUILD_BOOK)
	$(MAKE_PDF)
	@echo "Open $(BUILD)/html/index.html in a browser; the PDF is $(BUILD)/pdf/logistic-regression.pdf."

# The PDF again from the site as built (the site first if there is none).
pdf: cache-guard
	@test -f $(BUILD)/html/index.html || $(BUILD_BOOK)
	$(MAKE_PDF)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

# Lint first (seconds), then three lanes side by side on a 2-core machine, each a chain of steps
# (tools/step.sh prints one line per step and keeps its output in $(LOGS)):
#   1. the unit tests of the library and the book's layer, then every page in nbval (CPU-bound;
#      $(NOTEBOOK_JOBS) pages at a time);
#   2. the strict build and the PDF, then the browser tests, which need the built site ($(BROWSER_JOBS) tests at
#      a time: they wait on Chromium's rendering more than they compute);
#   3. the grader's tests and nbgrader's, $(GRADER_JOBS) at a time (mostly waiting on kernels;
#      given by folder, the same tests as -m grader, since each xdist worker collects what it is
#      given and the whole suite would be collected three times).
# The JupyterLab tests follow the first lane to pass (LAB_TESTS above). Each step prints its wall
# time and its CPU time (tools/step.sh); make test then prints its own wall time.
# One BLAS/OpenMP thread per process keeps the lanes from fighting over the two cores.
test: lint $(NBG_STAMP) cache-guard
	@start=$$(date +%s); rm -rf $(LOGS); mkdir -p $(LOGS); \
	export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1; \
	lab() { if mkdir $(LOGS)/.jupyterlab 2>/dev/null; then \
	  tools/step.sh jupyterlab $(PYTEST) --durations=20 $(LAB_TESTS); fi; }; \
	{ tools/step.sh unit $(PYTEST) -m "library or book" -n $(UNIT_JOBS) --durations=30 \
	    tests/library tests/book && \
	  tools/step.sh notebooks $(PYTEST) --nbval-lax -W default --seed-offset=$(SEED_OFFSET) \
	    -n $(NOTEBOOK_JOBS) --dist loadfile --durations=30 book && lab; \
	} & cpu=$$!; \
	{ tools/step.sh build $(BUILD_BOOK) && tools/step.sh pdf $(MAKE_PDF) && \
	  tools/step.sh browser $(PYTEST) -m browser -n $(BROWSER_JOBS) --dist worksteal --durations=30 \
	    $(addprefix --ignore=,$(LAB_TESTS)) && lab; \
	} & site=$$!; \
	{ tools/step.sh grader $(PYTEST) tests/grader -n $(GRADER_JOBS) --dist loadfile --durations=30 \
	  && lab; \
	} & grader=$$!; \
	failed=0; for lane in $$cpu $$site $$grader; do wait $$lane || failed=1; done; \
	took=$$(( $$(date +%s) - start )); \
	if [ $$failed = 0 ]; then echo "make test: all checks passed in $$took s"; \
	else echo "make test: FAILED after $$took s (each step's output: $(LOGS))"; exit 1; fi

robustness: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python tools/robustness.py --offsets $(OFFSETS)

# After changing _config.yml (repository.url, the math macros): bring the notebooks in line.
sync-notebooks: $(STAMP)
	$(BIN)/python tools/sync_notebooks.py

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
