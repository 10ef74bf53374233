from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Services and referrals"

    def ready(self):
        from cases import extensions
        from services import sections, selectors

        extensions.case_section(30, "services/_case_section.html", sections.case_section)
        extensions.nav_link(40, "Service directory", "services:directory")
        extensions.nav_link(41, "Payment approvals", "services:approvals", selectors.is_financial_delegate)
