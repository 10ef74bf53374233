from django.apps import AppConfig


class CareConfig(AppConfig):
    """Children in care (issue 14): carer households, placements and their agreements, carer
    visits, family time and cultural support plans. An app of its own: none of the others is
    about where a child lives away from home and who looks after them there."""

    name = "care"
    verbose_name = "Children in care"

    def ready(self):
        from care import sections, services
        from cases import extensions

        extensions.case_section(25, "care/_case_section.html", sections.case_section)
        extensions.case_section(26, "care/_family_time_section.html", sections.family_time_section)
        extensions.fact_check(services.placement_kept_in_care)
        extensions.nav_link(35, "Family time", "care:family_time_list")
        extensions.nav_link(45, "Carer households", "care:households")
