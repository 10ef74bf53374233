from django.apps import AppConfig


class CaseplansConfig(AppConfig):
    name = "caseplans"
    verbose_name = "Case plans"

    def ready(self):
        from caseplans import sections, selectors
        from cases import extensions

        extensions.case_section(20, "caseplans/_case_section.html", sections.case_section)
        extensions.nav_link(30, "Case plans due", "caseplans:dashboard", selectors.is_team_leader)
