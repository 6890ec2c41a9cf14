"""Pagination of the cells API: a page is one query that brings its rows and the total
(count(*) over ()), instead of a COUNT and a SELECT. Same response shape and links as DRF's
PageNumberPagination."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class TotalWithRowsPagination(PageNumberPagination):
    def paginate_rows(self, fetch: Callable[[int, int], tuple[int, list]], request) -> list:
        """fetch(offset, limit) -> (total, rows)."""
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        if not raw.isdigit() or int(raw) < 1:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="Not a page."))
        number = int(raw)
        total, rows = fetch((number - 1) * page_size, page_size)
        paginator = Paginator((), page_size)
        paginator.count = total  # a cached_property: set it rather than count again
        if number > paginator.num_pages:
            raise NotFound(
                self.invalid_page_message.format(page_number=raw, message="That page is empty.")
            )
        self.page = Page(rows, number, paginator)
        self.request = request
        return rows
