"""The registry of upload kinds: one declaration per kind of file, owned by the app it belongs to.

An `UploadKind` says everything the submission pipeline needs to know about a kind: its
schema (columns, key, year column; schemas.py), the record model its rows land in, the store
function that writes them, the warnings it gets after storing, the template that shows its
stored rows, who reviews it and whether the accepted file is kept. Each app registers its
kinds from its AppConfig.ready() (practices.submissions registers the compensation and
financial kinds, quality its quality kinds), and everything else is derived from the registry:
the choice lists of the upload form, the API and `import_data`, the templates and data
dictionary, the record table shown on a submission's page, and the database check that a
submission's kind is a registered one (models.submission_kind_constraint; adding a kind adds
a migration of the submissions app that widens it). docs/submissions.md has a worked example.

The functions of a kind (store, warnings, validate) may be named by their dotted path,
"package.module:function", and are then imported on first use: kinds register while Django
sets up, and every command, worker and test process sets up, so a declaration must not import
the file-processing libraries (polars, numpy) that only an import needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    from django.db.models import Model

    from practices.submissions.issues import Issue
    from practices.submissions.models import Submission
    from practices.submissions.schemas import KindSchema
    from practices.submissions.storage import Stored
    from practices.submissions.validation import Validated

    StoreFunction = Callable[..., Stored]
    WarningFunction = Callable[..., list[Issue]]


def _resolve(target):
    """A function, or the function a "package.module:function" path names."""
    if isinstance(target, str):
        module, _, name = target.partition(":")
        return getattr(importlib.import_module(module), name)
    return target


# The permission of the staff who review a kind unless it names another one.
ANALYST_REVIEW = "submissions.review_submission"


@dataclass(frozen=True)
class UploadKind:
    schema: KindSchema
    # "app_label.ModelName" of the table the kind's rows are read from (a model or a view).
    record_model: str
    # store(validated, *, submission) -> Stored: writes the rows in the caller's transaction
    # (a function or its "module:function" path, as for warnings and validate).
    store: StoreFunction | str
    # Each is warnings(frame, *, submission) -> [Issue], run on the stored frame.
    warnings: tuple[WarningFunction | str, ...] = ()
    # Shows a submission's stored rows; gets `records` [(record, local id or None)] and
    # `show_local_ids`.
    records_template: str = ""
    # Staff with this permission review (approve or return) submissions of the kind.
    reviewer_permission: str = ANALYST_REVIEW
    # Whether the accepted file stays in storage after import. A file that may hold
    # identifiers the records do not keep (accession numbers, exam times) is deleted once its
    # rows are stored; its sha256 stays, so an identical upload is still recognized.
    keep_file: bool = True
    # Order on pages and in lists.
    order: int = 100
    # Extra validation of the parsed frame beyond the schema's column rules:
    # validate(validated, *, practice) -> [Issue] (errors name the row and column).
    validate: Callable[..., list[Issue]] | str | None = None
    # The tables its store function writes, when not the record model itself (a view over
    # them, say): a second run of an import clears them first.
    stored_in: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.schema.kind

    @property
    def label(self) -> str:
        return self.schema.label

    def model(self) -> type[Model]:
        from django.apps import apps

        return apps.get_model(self.record_model)

    def stored_models(self) -> list[type[Model]]:
        from django.apps import apps

        return [apps.get_model(label) for label in (self.stored_in or (self.record_model,))]

    def store_function(self) -> StoreFunction:
        return _resolve(self.store)

    def warning_functions(self) -> list[WarningFunction]:
        return [_resolve(check) for check in self.warnings]

    def validate_function(self) -> Callable[..., list[Issue]] | None:
        return _resolve(self.validate) if self.validate is not None else None

    def run_warnings(self, frame: pl.DataFrame, *, submission: Submission) -> list[Issue]:
        found: list[Issue] = []
        for check in self.warning_functions():
            found.extend(check(frame, submission=submission))
        found.sort(key=lambda issue: (issue.row_number or 0, issue.column))
        return found

    def run_validate(self, validated: Validated, *, practice) -> list[Issue]:
        """The kind's own rules beyond its columns' (none when it declares none)."""
        check = self.validate_function()
        return check(validated, practice=practice) if check is not None else []

    def store_rows(self, validated: Validated, *, submission: Submission) -> Stored:
        return self.store_function()(validated, submission=submission)


_KINDS: dict[str, UploadKind] = {}


def register(kind: UploadKind) -> UploadKind:
    """Register a kind (from its app's ready()). Registering the same code twice is an error
    unless it is the very same declaration (ready() may run again in tests)."""
    existing = _KINDS.get(kind.code)
    if existing is not None and existing is not kind:
        raise ValueError(f"Upload kind {kind.code!r} is registered twice.")
    if not kind.code.isidentifier() or kind.code != kind.code.lower():
        raise ValueError(f"Upload kind {kind.code!r} must be a lower-case identifier.")
    _KINDS[kind.code] = kind
    _sync_kind_constraint()
    return kind


def _sync_kind_constraint() -> None:
    """Make Submission's kind check list exactly the registered kinds."""
    from practices.submissions.models import (
        KIND_CONSTRAINT,
        Submission,
        submission_kind_constraint,
    )

    constraints = Submission._meta.constraints
    for index, constraint in enumerate(constraints):
        if constraint.name == KIND_CONSTRAINT:
            constraints[index] = submission_kind_constraint(_KINDS)
            return
    raise LookupError(f"Submission has no {KIND_CONSTRAINT} constraint.")


def all_kinds() -> list[UploadKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.code))


def codes() -> list[str]:
    return [k.code for k in all_kinds()]


def choices() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in all_kinds()]


def get(code: str) -> UploadKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValueError(f"Unknown kind of file: {code!r}.") from None


def find(code: str) -> UploadKind | None:
    return _KINDS.get(code)


def schema_for(code: str) -> KindSchema:
    return get(code).schema


def reviewable_by(user) -> list[str]:
    """Codes of the kinds whose submissions this staff user reviews."""
    return [k.code for k in all_kinds() if user.has_perm(k.reviewer_permission)]


def schemas() -> dict[str, KindSchema]:
    """{code: schema} in registry order."""
    return {k.code: k.schema for k in all_kinds()}
