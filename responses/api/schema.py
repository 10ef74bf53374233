"""OpenAPI description of the sending systems' bearer-token authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SendingSystemAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "responses.api.views.SendingSystemAuthentication"
    name = "sendingSystemToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Token of a registered sending system (manage.py sending_system_add NAME)."}
