"""Rule set 2026.12: the chosen steroid agent goes to the engine as `current_tcs.agent`.

Drafts saved before kept it among the questionnaire's helpers (`extras.tcs_agent`); this moves it,
so that a draft completed after the upgrade gives the engine its agent. Every 2026.11 id is still
accepted with the same engine potency (the id `hydrocortisone`, strength not recorded, as a legacy
id), so ids move unchanged. Completed consultations keep their record exactly as it was.
"""

from django.db import migrations


def _rewrite_drafts(apps, change):
    consultation = apps.get_model("decision", "Consultation")
    for pk, answers in consultation.objects.filter(status="draft").values_list("pk", "answers"):
        changed = change(answers)
        if changed is not None:
            # Conditional on still being a draft: a completed record never changes.
            consultation.objects.filter(pk=pk, status="draft").update(answers=changed)


def _to_engine_input(answers):
    extras = dict(answers.get("extras") or {})
    tcs = answers.get("current_tcs")
    if not isinstance(tcs, dict) or "agent" in tcs or "tcs_agent" not in extras:
        return None
    agent = extras.pop("tcs_agent")
    return {**answers, "current_tcs": {**tcs, "agent": agent}, "extras": extras}


def _to_extras(answers):
    tcs = answers.get("current_tcs")
    if not isinstance(tcs, dict) or "agent" not in tcs:
        return None
    tcs = dict(tcs)
    agent = tcs.pop("agent")
    extras = {**(answers.get("extras") or {}), "tcs_agent": agent}
    return {**answers, "current_tcs": tcs, "extras": extras}


def forwards(apps, schema_editor):
    _rewrite_drafts(apps, _to_engine_input)


def backwards(apps, schema_editor):
    _rewrite_drafts(apps, _to_extras)


class Migration(migrations.Migration):
    dependencies = [("decision", "0006_cds_used_jwt_ids")]

    operations = [migrations.RunPython(forwards, backwards)]
