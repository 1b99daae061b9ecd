"""The small ordinary forms (not the questionnaire's steps) are drawn by crispy-forms from the
FormHelper each declares: a marker added to a helper's layout shows up inside that page's form,
and the form's fields come in the layout's order."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from crispy_forms.layout import HTML
from django.urls import reverse

from decision import roles
from decision.api.account import TokenForm
from decision.dashboard import PeriodForm
from decision.feedback import FeedbackForm
from decision.prescription import PrescriptionForm
from eczema_site.signin import SignInForm
from eczema_site.two_factor import CodeForm
from tests.helpers import vignettes
from tests.print.conftest import completed_consultation

pytestmark = pytest.mark.django_db

MARKER = '<p id="helper-marker">drawn from the helper</p>'
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
CONTROL_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*?\bname="([^"]+)"')


def _result_url(clinician: Any) -> str:
    seed = next(v for v in vignettes() if v["id"] == "seed-ped")  # products to prescribe
    return reverse(
        "consultation_result", args=[completed_consultation(clinician, seed["input"]).pk]
    )


# form class, who asks, the page
CASES: dict[str, tuple[type, str, Callable[[Any], str]]] = {
    "sign-in": (SignInForm, "nobody", lambda user: reverse("login")),
    "two-step sign-in": (CodeForm, "clinician", lambda user: reverse("two_factor")),
    "API token": (TokenForm, "clinician", lambda user: reverse("account")),
    "dashboard period": (PeriodForm, "reviewer", lambda user: reverse("review_dashboard")),
    "feedback": (FeedbackForm, "clinician", _result_url),
    "prescription": (PrescriptionForm, "clinician", _result_url),
}


@pytest.mark.parametrize("case", CASES)
def test_each_small_form_is_drawn_by_crispy_from_its_own_form_helper(
    case, client, django_user_model, monkeypatch
):
    form_class, who, page = CASES[case]
    user = django_user_model.objects.create_user(username=who)
    if who == "reviewer":
        roles.grant(user, roles.REVIEWER)
    if who != "nobody":
        client.force_login(user)
    built: list[Any] = []
    init = form_class.__init__

    def marked(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.helper.layout.append(HTML(MARKER))
        built.append(self)

    monkeypatch.setattr(form_class, "__init__", marked)

    response = client.get(page(user))

    assert response.status_code == 200
    body = response.content.decode()
    forms = [form for form in FORM.findall(body) if MARKER in form]
    assert len(forms) == 1, "the marker is inside exactly one <form>"
    fields = [pointer.name for pointer in built[-1].helper.layout.get_field_names()]
    named = [name for name in CONTROL_NAME.findall(forms[0]) if name in fields]
    assert list(dict.fromkeys(named)) == fields
