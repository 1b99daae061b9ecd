from django.apps import AppConfig


class DecisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decision"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from decision import checks  # noqa: F401  (registers the system checks)
