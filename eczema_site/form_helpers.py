"""What the site's small forms share when they render through crispy-forms.

Each form declares its own FormHelper (layout, action, submit button, htmx attributes); the page
draws it with {% crispy form %}. The questionnaire's steps do not use crispy-forms: see README,
"The questionnaire, declared once".
"""

from __future__ import annotations

from typing import Any

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, LayoutObject

# The address to go on to after signing in, when the page has one (Django's sign-in view and the
# two-step sign-in pages put it in the context as `next`).
NEXT = HTML('{% if next %}<input type="hidden" name="next" value="{{ next }}">{% endif %}')


def submit(label: str, css_class: str = "btn-primary") -> StrictButton:
    """A <button type="submit">: crispy's Submit is an <input> that would also send its own name
    and value with the form."""
    return StrictButton(label, type="submit", css_class=css_class)


def form_helper(
    action: str,
    *layout: str | LayoutObject,
    method: str = "post",
    css_class: str = "",
    **attrs: Any,
) -> FormHelper:
    """A helper for a whole <form> (crispy adds the CSRF token to a POST), the browser's own
    validation off: the server's messages are clearer and sit next to the field. Attributes
    are given as keywords, underscores for hyphens (hx_post="…")."""
    helper = FormHelper()
    helper.form_action = action
    helper.form_method = method
    helper.form_class = css_class
    helper.attrs = {"novalidate": True, **attrs}
    helper.layout = Layout(*layout)
    return helper
