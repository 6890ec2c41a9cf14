"""`manage.py check`: the BENCHMARK_* settings may not be looser than the disclosure floor."""

from __future__ import annotations

from django.core.checks import Error, register


@register()
def benchmark_thresholds_not_below_floor(app_configs, **kwargs):
    from benchmarks.selectors import rule_settings_default

    try:
        rules = rule_settings_default()
    except (ValueError, ArithmeticError) as error:
        return [Error(f"A BENCHMARK_* setting is not a number: {error}", id="benchmarks.E001")]
    return [
        Error(problem, hint="Fix the BENCHMARK_* environment variables.", id="benchmarks.E002")
        for problem in rules.floor_violations()
    ]
