"""CSV and XLSX renderers for the export endpoints. The payload is {"columns", "rows"}; an error
response (4xx) is rendered as JSON whatever format was asked for, so clients get a message."""

from __future__ import annotations

import json

from rest_framework import renderers

from benchmarks import exports
from coalition import spreadsheets


class _FileRenderer(renderers.BaseRenderer):
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"
            return json.dumps(data).encode()
        if not isinstance(data, dict) or "rows" not in data:
            return b""
        return exports.file_bytes(data["rows"], data["columns"], self.format)


class CSVRenderer(_FileRenderer):
    media_type = spreadsheets.CSV_CONTENT_TYPE.split(";")[0]
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(_FileRenderer):
    media_type = spreadsheets.XLSX_CONTENT_TYPE
    format = "xlsx"
