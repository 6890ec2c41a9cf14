"""OpenAPI descriptions of the project's own authentication classes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PracticeAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "coalition.api.authentication.PracticeAPIKeyAuthentication"
    name = "PracticeAPIKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A practice API key, sent as `Authorization: Api-Key <key>`. It acts "
            "as a submitter of its practice. Practice admins create keys on the site.",
        }
