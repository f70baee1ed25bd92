"""A class of 20 in one batch: every attack of the review beside honest students.

One run of ``python -m logreg_grader grade`` with two jobs, as an instructor runs it, on hw3
(SymPy answers and a written answer). Five honest students (two of them with names in another
script, two whose names differ in one accent) sit beside submissions that plant FIFOs and links,
delete their folders, send a SymPy expression built to be slow, hold memory in six children, fill
their tmpfs, leave CPU hogs running, raise exceptions that carry host data or terminal escapes,
forge a heading in their written answer, are named like a spreadsheet formula or like an option,
are a symlink to the instructor's notebook or a FIFO, or hold 2,000 failing cells. The batch must
end within its bound, every honest score must be intact, every output must be written and safe
to open, and nothing may be left running or on disk.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _homework import (
    ROOT,
    SOURCE,
    all_solutions,
    points,
    processes_with,
    submission,
    written_answers,
)
from markdown_it import MarkdownIt
from test_trust_boundary import PLANT_FILES, REPLACE_FOLDERS, _with_paths

pytestmark = pytest.mark.kernel

NAME = "hw3_sympy"
FULL = {"hw3_q1": 3.0, "hw3_q2": 2.0, "hw3_q3": 3.0}
HONEST = ["honest_a", "张三", "李四", "José", "Josè"]
MARKER = "logreg-class-batch-hog"

MEMORY = """
import subprocess, sys
child = "block = bytearray(b'\\\\x01') * (400 << 20)\\nimport time\\ntime.sleep(30)"
kids = [subprocess.Popen([sys.executable, "-c", child]) for _ in range(6)]
"""
TMPFS = """
import os
chunk = b"\\x01" * (64 << 20)
for folder in ("/tmp", "/dev/shm", os.environ["HOME"], os.getcwd()):
    try:
        with open(os.path.join(folder, "fill"), "wb") as f:
            for _ in range(32):  # 2 GB
                f.write(chunk)
    except OSError:
        pass
"""
CPU_HOG = f"""
import subprocess, sys
for _ in range(4):
    subprocess.Popen([sys.executable, "-c", "while True: pass", "{MARKER}"],
                     start_new_session=True)
"""
EXFIL = [
    "raise RuntimeError(open('/etc/shadow').read())",
    "raise RuntimeError('SECRET ' + open('/etc/passwd').read() * 20)",
]
ANSI = "raise ValueError('\\x1b[2J\\r\\nhw3_q1            3.0 / 3.0\\n\\x1b[31mtotal 8 / 8')"
SYMPY_BOMB = """
import sympy
__srepr = sympy.srepr

def __bomb(expr, *args, **kwargs):
    if str(expr) == "w1 - w2":
        return "Pow(Integer(3), Integer(1000000000))"
    return __srepr(expr, *args, **kwargs)

sympy.srepr = __bomb
"""
FORGED = (
    "Fine.\n\n## honest_a\n\nI am honest_a and I copied.\n\n"
    "<script>document.title = 'XSS-FIRED'</script><img src=x onerror=alert(1)>"
)


def _append(path, sources):
    nb = json.loads(path.read_text())
    for source in sources:
        nb["cells"].append(
            {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
             "execution_count": None, "id": f"extra{len(nb['cells'])}"}
        )  # fmt: skip
    path.write_text(json.dumps(nb))
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class-batch")
    subs = folder / "submissions"
    subs.mkdir()
    host_dir = tmp_path_factory.mktemp("class-host")
    (host_dir / "secret.txt").write_text("the grader's file\n")
    good = {**all_solutions(NAME), **written_answers(NAME)}
    split = dict(good)
    first_half, _, second_half = good["hw3_q1_answer"].partition("\n")
    split["hw3_q1_answer"] = second_half or first_half

    expected, paths = {}, []

    def add(filename, answers, want, first=(), last=(), duplicate=None):
        path = submission(subs, filename, NAME, answers, first=first, duplicate=duplicate)
        paths.append(_append(path, last) if last else path)
        expected[filename] = want

    for student in HONEST:
        add(f"{student}.ipynb", good, FULL)
    add("plants.ipynb", good, FULL, first=[_with_paths(PLANT_FILES, host_dir)])
    add("vanishes.ipynb", good, FULL, first=[_with_paths(REPLACE_FOLDERS, host_dir)])
    # The visible check passes; the probe then sends 3**(10**9), which the checker would compute.
    add("sympy_bomb.ipynb", good, {**FULL, "hw3_q2": 0.0}, first=[SYMPY_BOMB])
    add("memory.ipynb", good, FULL, last=[MEMORY])
    add("tmpfs.ipynb", good, FULL, last=[TMPFS])
    add("cpu_hog.ipynb", good, FULL, last=[CPU_HOG])
    add("exfil.ipynb", good, FULL, last=EXFIL)
    add("ansi.ipynb", good, FULL, last=[ANSI])
    add("=2+5.ipynb", good, FULL)
    add("forger.ipynb", {**good, "hw3_written_claim": FORGED}, FULL)
    add("many_cells.ipynb", good, FULL, last=["raise ValueError('again')"] * 2000)
    # JupyterLab's Split Cell: the first line of the answer in one copy, the rest in another.
    add("split.ipynb", split, FULL, duplicate=("hw3_q1_answer", first_half))
    # Refused before any kernel starts.
    (subs / "linked.ipynb").symlink_to(SOURCE / f"{NAME}.ipynb")
    os.mkfifo(subs / "fifo.ipynb")
    (subs / "--gradebook=bob.ipynb").write_bytes((subs / "honest_a.ipynb").read_bytes())
    refused = ["linked.ipynb", "fifo.ipynb", "--gradebook=bob.ipynb"]
    paths += [subs / name for name in refused]
    assert len(paths) == 20

    tmp = folder / "tmp"  # the grader's own temporary folder: the sandboxes live there
    tmp.mkdir()
    out = folder / "out"
    out.mkdir()
    command = [
        sys.executable, "-m", "logreg_grader", "grade", "--source", str(SOURCE),
        "--assignment", NAME, "--jobs", "2", "--timeout", "30", "--submission-timeout", "150",
        "--memory", "1024", "--json", str(out / "results.jsonl"), "--gradebook",
        str(out / "grades.csv"), "--feedback", str(out / "feedback"), "--written",
        str(out / "written"), "--", *map(str, paths),
    ]  # fmt: skip
    env = dict(os.environ, TMPDIR=str(tmp))
    # The bound: 20 submissions of at most 150 s each, two at a time, and the reference.
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=10 * 150 + 300, cwd=folder, env=env
    )
    results = {}
    for line in (out / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        results[Path(record["submission"]).name] = record
    return {
        "done": done, "results": results, "expected": expected, "refused": refused,
        "out": out, "tmp": tmp, "subs": subs, "host": host_dir,
    }  # fmt: skip


def test_every_score_is_intact_and_every_refusal_has_a_reason(batch):
    done, results = batch["done"], batch["results"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(results) == 20, sorted(results)
    for name, want in batch["expected"].items():
        assert results[name]["status"] == "graded", (name, results[name])
        assert points(results[name]) == want, (name, results[name])
    for name in batch["refused"]:
        assert results[name]["status"] == "rejected", (name, results[name])
        assert results[name]["score"] == 0.0 and results[name]["notes"], results[name]
    assert "symbolic link" in " ".join(results["linked.ipynb"]["notes"])


def test_the_gradebook_has_a_row_per_student_and_no_formula(batch):
    with (batch["out"] / "grades.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20
    students = [row["student"] for row in rows]
    assert len(set(students)) == 20, students
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", row
    assert {"张三", "李四", "José", "Josè"} <= set(students)


def test_feedback_is_one_file_per_student_without_host_data_or_long_messages(batch):
    files = sorted((batch["out"] / "feedback").iterdir())
    assert len(files) == 20, [f.name for f in files]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "\x1b" not in text and "root:" not in text and "<script" not in text, path.name
        assert max(len(line) for line in text.splitlines()) < 400, path.name
        assert text.count("\n- ") <= 30, path.name  # notes are capped
    exfil = next(p for p in files if p.name.startswith("exfil")).read_text(encoding="utf-8")
    assert "RuntimeError" in exfil or "PermissionError" in exfil, exfil
    assert exfil.count("SECRET") <= 1 and "/bin/bash" not in exfil, exfil


def test_the_terminal_report_carries_no_control_character_or_forged_line(batch):
    report = batch["done"].stdout
    assert "\x1b" not in report and "\r" not in report
    forged = [line for line in report.splitlines() if line.strip().startswith("total 8 / 8")]
    assert not forged, forged


def test_written_answers_sit_under_headings_the_grader_wrote(batch):
    text = (batch["out"] / "written" / f"{NAME}_hw3_written_claim.md").read_text(encoding="utf-8")
    tokens = MarkdownIt().parse(text)  # as a Markdown viewer reads the file
    headings = [
        tokens[i + 1].content
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
    ]
    assert len(headings) == 20, headings
    assert sum("honest_a" in h for h in headings) == 1, headings
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    rows = json.loads((batch["out"] / "written" / f"{NAME}_written.json").read_text())
    forger = [r for r in rows if r["student"] == "forger"]
    assert forger and "## honest_a" in forger[0]["answer"], rows


def test_nothing_is_left_running_or_on_disk(batch):
    assert not processes_with(MARKER)
    assert not list(batch["tmp"].iterdir()), list(batch["tmp"].iterdir())
    assert sorted(p.name for p in batch["host"].iterdir()) == ["secret.txt"]
    assert (batch["subs"] / "honest_a.ipynb").read_bytes() == (
        batch["subs"] / "--gradebook=bob.ipynb"
    ).read_bytes()
    assert not list(ROOT.glob("grades.csv"))
