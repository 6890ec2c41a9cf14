"""Practice scoping for models: the one place that decides which practice's rows a query sees.

A model that belongs to a practice inherits PracticeOwnedModel. Its default manager hands out
*locked* querysets: building one is free, but evaluating it (iterating, counting, get(),
exists(), update(), delete(), aggregate()) raises UnscopedQueryError until it is scoped:

    Submission.objects.for_practice(practice)      # a member's view of their practice
    practice.submissions.all()                      # reverse relation from the practice
    Submission.objects.filter(practice=practice)    # same as for_practice
    Submission.objects.across_practices()           # escape hatch: staff, admin, batch jobs

A combined queryset (`|`, `&`, `^`, union(), intersection(), difference()) is scoped only
when every side is scoped to the same practice (or every side is across_practices()).

Forgetting the scope therefore fails closed (an error in tests) instead of leaking rows.
Deletion cascades and refresh_from_db() use Django's plain base manager and are unaffected.
"""

from __future__ import annotations

from typing import Any

from django.db import models

ACROSS_PRACTICES = "across-practices"
_PRACTICE_KEYS = frozenset({"practice", "practice_id", "practice__pk", "practice__id"})


class UnscopedQueryError(RuntimeError):
    """A practice-owned model was queried without saying whose rows it wants."""


class PracticeScopedQuerySet(models.QuerySet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._practice_scope: object | None = None

    def _clone(self):  # type: ignore[override]
        clone = super()._clone()
        clone._practice_scope = self._practice_scope
        return clone

    # --- scoping ------------------------------------------------------------------------------
    def for_practice(self, practice) -> PracticeScopedQuerySet:
        if practice is None or getattr(practice, "pk", None) is None:
            raise UnscopedQueryError("for_practice() needs a saved practice.")
        scoped = super().filter(practice=practice)
        scoped._practice_scope = practice.pk
        return scoped

    def across_practices(self) -> PracticeScopedQuerySet:
        """Every practice's rows. Only for coalition staff pages, the admin and batch jobs."""
        clone = self._clone()
        clone._practice_scope = ACROSS_PRACTICES
        return clone

    @property
    def is_scoped(self) -> bool:
        return self._practice_scope is not None

    def _filter_or_exclude(self, negate, args, kwargs):  # type: ignore[override]
        clone = super()._filter_or_exclude(negate, args, kwargs)
        # filter(practice=p) with a single practice is the same scope as for_practice(p).
        if not negate and clone._practice_scope is None:
            value = next((kwargs[key] for key in _PRACTICE_KEYS if key in kwargs), None)
            if value is not None:
                clone._practice_scope = getattr(value, "pk", value)
        return clone

    # --- combined querysets: scoped only when every side has the same scope -------------------
    # `a_rows | unscoped_rows` would otherwise keep the left side's scope while its SQL reads
    # every practice. The combination is scoped to a practice only when every side is scoped to
    # that same practice (or every side is across_practices()); otherwise it is unscoped.
    def _with_scope_of(self, combined, sides) -> PracticeScopedQuerySet:
        scopes = {getattr(side, "_practice_scope", None) for side in sides}
        scope = scopes.pop() if len(scopes) == 1 else None
        if isinstance(combined, PracticeScopedQuerySet):
            combined = combined._chain()  # never re-scope a queryset handed in as a side
        else:
            # Django falls back to the plain base manager when a side is sliced: keep the lock.
            combined = PracticeScopedQuerySet(
                model=combined.model, query=combined.query.chain(), using=combined._db
            )
        combined._practice_scope = scope
        return combined

    def __or__(self, other):
        return self._with_scope_of(super().__or__(other), (self, other))

    def __and__(self, other):
        return self._with_scope_of(super().__and__(other), (self, other))

    def __xor__(self, other):
        return self._with_scope_of(super().__xor__(other), (self, other))

    def union(self, *other_qs, all=False):
        return self._with_scope_of(super().union(*other_qs, all=all), (self, *other_qs))

    def intersection(self, *other_qs):
        return self._with_scope_of(super().intersection(*other_qs), (self, *other_qs))

    def difference(self, *other_qs):
        return self._with_scope_of(super().difference(*other_qs), (self, *other_qs))

    def _require_scope(self) -> None:
        if self._practice_scope is None:
            raise UnscopedQueryError(
                f"{self.model.__name__} rows belong to practices: call "
                f".for_practice(practice) (or .across_practices() in staff-only code)."
            )

    # --- every way a queryset reaches the database ---------------------------------------------
    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args: Any, **kwargs: Any):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self):
        self._require_scope()
        return super().delete()

    def explain(self, *args: Any, **kwargs: Any) -> str:
        self._require_scope()
        return super().explain(*args, **kwargs)


class PracticeScopedManager(models.Manager.from_queryset(PracticeScopedQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> PracticeScopedQuerySet:
        queryset = super().get_queryset()
        # Reverse relation managers (practice.memberships) carry the instance they hang from:
        # when that instance is the owning practice, the queryset is scoped by construction.
        instance = getattr(self, "instance", None)
        field = getattr(self, "field", None)
        if instance is not None and field is not None and field.name == "practice":
            queryset._practice_scope = instance.pk
        return queryset


class PracticeOwnedModel(models.Model):
    """Base of every model whose rows belong to one practice."""

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="%(class)ss"
    )

    objects = PracticeScopedManager()

    class Meta:
        abstract = True


def is_practice_owned(model: type[models.Model]) -> bool:
    return issubclass(model, PracticeOwnedModel)
