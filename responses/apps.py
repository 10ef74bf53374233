from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Responding to new information"

    def ready(self):
        from cases import extensions
        from responses import sections, services

        # Low order: record alerts and open responses show at the top of the case page.
        extensions.case_section(15, "responses/_case_section.html", sections.case_section)
        extensions.on_facts_changed(services.additional_contact_check)
        extensions.month_section(10, "responses/_month_additional_contact.html", sections.month_section)
        extensions.nav_link(45, "Reviews and responses", "responses:due", sections.sees_due_page)
        extensions.nav_link(46, "Inbound messages", "responses:inbound", sections.reviews_inbound)
