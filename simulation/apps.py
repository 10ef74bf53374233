from django.apps import AppConfig


class SimulationConfig(AppConfig):
    """``manage.py simulate_agency``: an agency living in the product, day by day, on a
    controlled clock. It drives every other app; nothing in the product imports it."""

    name = "simulation"
    verbose_name = "Agency simulation"
