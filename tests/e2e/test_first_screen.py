"""Browser: the first screen of a new session (the sign-in page) already fetches the chart and
table code (issue 13's cold start: Streamlit otherwise loads its ~4.7 MB Plotly chunk only when
the first chart is drawn, after the sign-in)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import goto

pytestmark = pytest.mark.browser


def test_sign_in_page_preloads_the_chart_and_table_code(page: Any, app_url: str) -> None:
    goto(page, app_url, account=None)  # stays on the sign-in page
    assert page.locator('input[aria-label="登录名"]').count() == 1
    page.wait_for_function("""() => ['PlotlyChart.', 'DataFrame.'].every(n =>
        document.querySelector(`link[rel="modulepreload"][href*="/static/js/${n}"]`))""")
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.includes('PlotlyChart.'))")
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0  # no chart drew it: the preload did
