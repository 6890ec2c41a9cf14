"""The fail-closed practice-scoped manager (coalition/tenancy.py) and the scoped bases."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from coalition.scoping import PracticeScopedView, PracticeScopedViewSet
from coalition.tenancy import UnscopedQueryError
from practices.models import Membership
from tests.factories import MembershipFactory


@pytest.fixture
def two_practices(practice_a, practice_b):
    MembershipFactory(practice=practice_a)
    MembershipFactory(practice=practice_a)
    MembershipFactory(practice=practice_b)
    return practice_a, practice_b


@pytest.mark.parametrize(
    "evaluate",
    [
        list,
        len,
        bool,
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(pk=1),
        lambda qs: qs.update(role="viewer"),
        lambda qs: qs.delete(),
        lambda qs: qs.aggregate(n=__import__("django.db.models").db.models.Count("id")),
        lambda qs: list(qs.iterator()),
        lambda qs: list(qs.values_list("id", flat=True)),
        lambda qs: qs.filter(role="viewer").order_by("id")[0],
    ],
)
def test_unscoped_queries_refuse_to_run(two_practices, evaluate):
    with pytest.raises(UnscopedQueryError):
        evaluate(Membership.objects.all())


def test_for_practice_sees_only_that_practice(two_practices):
    practice_a, practice_b = two_practices
    assert Membership.objects.for_practice(practice_a).count() == 2
    assert Membership.objects.for_practice(practice_b).count() == 1
    assert {m.practice_id for m in Membership.objects.for_practice(practice_a)} == {practice_a.pk}


def test_scope_survives_chaining(two_practices):
    practice_a, _ = two_practices
    queryset = Membership.objects.for_practice(practice_a).filter(role="viewer").order_by("-id")
    assert queryset.values("id").count() == 2


def test_filter_on_one_practice_is_a_scope(two_practices):
    practice_a, _ = two_practices
    assert Membership.objects.filter(practice=practice_a).count() == 2
    assert Membership.objects.filter(practice_id=practice_a.pk).count() == 2


def test_excluding_a_practice_is_not_a_scope(two_practices):
    practice_a, _ = two_practices
    with pytest.raises(UnscopedQueryError):
        list(Membership.objects.exclude(practice=practice_a))


def test_reverse_relation_from_the_practice_is_scoped(two_practices):
    practice_a, _ = two_practices
    assert practice_a.memberships.count() == 2


def test_reverse_relation_from_a_user_is_not(two_practices):
    user = Membership.objects.for_practice(two_practices[0]).first().user
    with pytest.raises(UnscopedQueryError):
        list(user.memberships.all())


def test_across_practices_is_the_named_escape_hatch(two_practices):
    assert Membership.objects.across_practices().count() == 3


def test_for_practice_needs_a_saved_practice(db):
    with pytest.raises(UnscopedQueryError):
        Membership.objects.for_practice(None)


def test_cascade_deletion_is_not_blocked(two_practices):
    _, practice_b = two_practices
    practice_b.delete()
    assert Membership.objects.across_practices().count() == 2


def test_views_may_not_override_get_queryset():
    with pytest.raises(ImproperlyConfigured):

        class LeakyView(PracticeScopedView):
            def get_queryset(self):
                return Membership.objects.across_practices()

    with pytest.raises(ImproperlyConfigured):

        class LeakyViewSet(PracticeScopedViewSet):
            def get_queryset(self):
                return Membership.objects.across_practices()


# --- combined querysets ------------------------------------------------------------------------
OPERATORS = {
    "or": lambda left, right: left | right,
    "and": lambda left, right: left & right,
    "xor": lambda left, right: left ^ right,
    "union": lambda left, right: left.union(right),
    "intersection": lambda left, right: left.intersection(right),
    "difference": lambda left, right: left.difference(right),
}


def _unscoped(practice_a, practice_b):
    return Membership.objects.filter(role="viewer")


def _other_practice(practice_a, practice_b):
    return Membership.objects.for_practice(practice_b)


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("other_side", [_unscoped, _other_practice])
@pytest.mark.parametrize("scoped_side_first", [True, False])
def test_a_combination_with_a_side_not_scoped_to_the_practice_refuses_to_run(
    two_practices, operator, other_side, scoped_side_first
):
    practice_a, practice_b = two_practices
    scoped = Membership.objects.filter(practice=practice_a)
    other = other_side(practice_a, practice_b)
    sides = (scoped, other) if scoped_side_first else (other, scoped)
    combined = OPERATORS[operator](*sides)
    assert not combined.is_scoped
    with pytest.raises(UnscopedQueryError):
        list(combined)
    with pytest.raises(UnscopedQueryError):
        combined.count()
    # The sides keep their own scopes.
    assert scoped.is_scoped and scoped.count() == 2


@pytest.mark.parametrize("operator", OPERATORS)
def test_a_combination_of_sides_scoped_to_one_practice_is_scoped(two_practices, operator):
    practice_a, _ = two_practices
    left = Membership.objects.for_practice(practice_a)
    right = practice_a.memberships.filter(role="viewer")
    combined = OPERATORS[operator](left, right)
    assert combined.is_scoped
    rows = list(combined)
    assert {row.practice_id for row in rows} <= {practice_a.pk}
    expected = {"or": 2, "and": 2, "xor": 0, "union": 2, "intersection": 2, "difference": 0}
    assert len(rows) == expected[operator]


def test_a_combination_of_across_practices_sides_is_across_practices(two_practices):
    combined = Membership.objects.across_practices() | Membership.objects.across_practices()
    assert combined.count() == 3


def test_a_three_way_union_needs_every_side_scoped(two_practices):
    practice_a, _ = two_practices
    scoped = Membership.objects.for_practice(practice_a)
    assert scoped.union(scoped, scoped).count() == 2
    with pytest.raises(UnscopedQueryError):
        list(scoped.union(scoped, Membership.objects.filter(role="viewer")))


def test_a_sliced_side_keeps_the_lock(two_practices):
    practice_a, _ = two_practices
    sliced = Membership.objects.for_practice(practice_a).order_by("id")[:1]
    with pytest.raises(UnscopedQueryError):
        list(sliced | Membership.objects.filter(role="viewer"))
