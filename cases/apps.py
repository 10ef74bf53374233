from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from cases import extensions, sections
        from cases.models import Role

        extensions.case_section(40, "cases/_attachments_section.html", sections.attachments_section)
        extensions.nav_link(80, "Access report", "cases:access_report", lambda user: user.role == Role.MANAGER)
