"""The questionnaire's fixtures (a fully answered draft) serve the safety tests too."""

from tests.web.conftest import answered  # noqa: F401
