"""Roles: the groups the migration creates and the grant_role command."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from decision import roles

pytestmark = pytest.mark.django_db


def codenames(group_name: str) -> set[str]:
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_the_migration_creates_the_groups_with_their_permissions():
    assert codenames("clinician") == {
        "add_consultation",
        "change_consultation",
        "view_consultation",
        "add_feedback",
        "change_feedback",
        "view_feedback",
        "add_prescription",
        "change_prescription",
        "view_prescription",
    }
    assert codenames("reviewer") == {
        "view_consultation",
        "view_feedback",
        "view_historicalconsultation",
        "view_historicalfeedback",
        "view_prescription",
        "view_historicalprescription",
    }


def test_grant_role_adds_a_clinician(clinician, capsys):
    call_command("grant_role", "clinician", "clinician")

    assert clinician.groups.filter(name="clinician").exists()
    assert not roles.can_review(clinician)
    assert "clinician is now a clinician" in capsys.readouterr().out


def test_grant_role_makes_a_reviewer_who_can_open_the_admin(django_user_model):
    user = django_user_model.objects.create_user("newcomer")

    call_command("grant_role", "newcomer", "reviewer")

    user = django_user_model.objects.get(pk=user.pk)
    assert user.groups.filter(name="reviewer").exists()
    assert user.is_staff and not user.is_superuser
    assert roles.can_review(user)
    assert user.has_perm("decision.view_consultation")
    assert not user.has_perm("decision.change_consultation")
    assert not roles.can_consult(user)


def test_grant_role_makes_a_site_administrator(clinician):
    call_command("grant_role", "clinician", "admin")

    clinician.refresh_from_db()
    assert clinician.is_staff and clinician.is_superuser
    assert roles.can_review(clinician)


def test_grant_role_refuses_an_unknown_user_or_role(clinician):
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("grant_role", "nobody", "reviewer")
    with pytest.raises(CommandError):
        call_command("grant_role", "clinician", "superhero")


def test_anonymous_and_inactive_users_cannot_review(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not roles.can_review(AnonymousUser())
    user = django_user_model.objects.create_user("gone", is_staff=True, is_active=False)
    assert not roles.can_review(user)
