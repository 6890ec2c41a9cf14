"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from practices.models import Invitation, Membership, Practice, Role

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        self.save()
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n} Radiology")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    state = "OH"
    radiologist_fte = Decimal("40.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    practice = factory.SubFactory(PracticeFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.VIEWER


def enable_totp(user, secret: str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") -> str:
    """Give the user an active TOTP authenticator; returns the base32 secret."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return secret
