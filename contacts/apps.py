from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts"

    def ready(self):
        from cases import extensions
        from cases.models import Role
        from contacts import sections, selectors, services

        extensions.case_section(1, "contacts/_case_section.html", sections.case_section)
        extensions.case_list_annotation(selectors.annotate_contact_status)
        extensions.on_facts_changed(services.case_facts_changed)
        extensions.nav_link(10, "Dashboard", "contacts:dashboard",
                            lambda user: user.role in (Role.CASEWORKER, Role.SUPPORT_OFFICER, Role.TEAM_LEADER,
                                                       Role.MANAGER))
        extensions.nav_link(90, "Scheduler runs", "contacts:runs",
                            lambda user: user.role == Role.ADMINISTRATOR or user.is_superuser)
        extensions.nav_link(20, "My visits", "contacts:visits",
                            lambda user: user.role in (Role.CASEWORKER, Role.SUPPORT_OFFICER))
        extensions.nav_link(23, "Calendar", "contacts:calendar",
                            lambda user: user.role in (Role.CASEWORKER, Role.SUPPORT_OFFICER, Role.TEAM_LEADER))
        extensions.nav_link(21, "Drafts", "contacts:drafts",
                            lambda user: user.role in (Role.CASEWORKER, Role.SUPPORT_OFFICER, Role.TEAM_LEADER))
        extensions.nav_link(22, "Approvals", "contacts:approvals", lambda user: user.role == Role.TEAM_LEADER)
