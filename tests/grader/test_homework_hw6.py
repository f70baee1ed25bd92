"""hw6_evaluation against plausible wrong answers and faked checks: the checks of
_homework_more.py for this one assignment, graded in one batch with test_grader.py's submissions
of it. A file per assignment, so that pytest-xdist's workers grade hw4, hw5 and hw6 side by side.
"""

import pytest
from _homework_more import (  # noqa: F401 (fixtures and tests collected from this module)
    batch,
    graded,
    test_hidden_tests_catch_the_plausible_wrong_answers,
    test_honest_answers_earn_every_point,
    test_patched_checks_and_lying_objects_earn_nothing,
    test_plausible_wrong_answers_are_caught_by_visible_checks_with_a_hint,
    test_plausible_wrong_answers_pass_the_visible_check_and_lose_their_points,
    test_solutions_earn_everything_and_the_released_edition_nothing,
)

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def name():
    return "hw6_evaluation"
