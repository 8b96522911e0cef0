"""Browser: the first screen of a new session (the sign-in page) already loads the chart, metric
and sidebar widget code, and fetches the table code (issue 13's cold start: Streamlit otherwise
loads its ~4.7 MB Plotly chunk only when the first chart is drawn, after the sign-in)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import goto

pytestmark = pytest.mark.browser


def test_sign_in_page_loads_the_chart_and_table_code(page: Any, app_url: str) -> None:
    goto(page, app_url, account=None)  # stays on the sign-in page
    assert page.locator('input[aria-label="登录名"]').count() == 1
    page.wait_for_function("""() => document.querySelector('link[rel="modulepreload"][href*="/static/js/DataFrame."]')""")
    # Imported (fetched and run) or preloaded, before any element of those kinds is on the page.
    chunks = ["PlotlyChart.", "Metric.", "Selectbox.", "Radio.", "DataFrame."]
    page.wait_for_function("""(chunks) => chunks.every(n =>
        performance.getEntriesByType('resource').some(e => e.name.includes('/static/js/' + n)))""", arg=chunks)
    assert page.locator('[data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stSelectbox"]').count() == 0
