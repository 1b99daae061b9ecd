from decision.models import Visit
from tests.followup.conftest import REVIEW_POST, review_url


def test_a_tci_that_did_not_work_leads_to_the_next_step(clinician_client, first_visit, review):
    first = first_visit()
    assert first.next_step_code == "START_TCI"
    page = clinician_client.get(review_url(first))
    assert page.status_code == 200, page.content.decode()
    second = review(first)
    assert second.answers["tried"]["tci"] == "inadequate_response"
    assert second.next_step_code == "WET_WRAP_THERAPY"
    assert Visit.objects.count() == 2
    assert REVIEW_POST
