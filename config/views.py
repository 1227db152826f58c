"""Project-level glue pages."""
from django.conf import settings
from django.contrib.auth.views import LoginView

from accounts.roles import Role


class SignInView(LoginView):
    """The sign-in page. On a development server with the demo loaded (`make run`), it lists the
    demo logins, so a newcomer can see each role's view of the same families."""

    def get_context_data(self, **kwargs):  # noqa: ANN003, ANN201
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            from accounts.models import Organization
            from demo.families import DEMO_PASSWORD, LEGAL, demo_logins

            if Organization.objects.filter(name=LEGAL.name).exists():
                labels = dict(Role.choices)
                context["demo_logins"] = [
                    {"role_label": labels[login.role], "email": login.email, "organization": login.organization}
                    for login in demo_logins()
                ]
                context["demo_password"] = DEMO_PASSWORD
        return context
