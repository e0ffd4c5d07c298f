"""Dashboard route of the bureau's list of SKM summary reports to check
(`/dasbor/skm/laporan-diperiksa?periode=`); the unit card shows a unit's own reports (views.py)."""

from __future__ import annotations

from pantau import mongo

from .. import skm_summaries
from .blueprint import blp
from .filters import arg_period, filter_bar
from .login import page_access
from .page_summaries import flagged_page
from .render import show


@blp.route("/dasbor/skm/laporan-diperiksa", methods=["GET"])
@page_access(bureau_only=True)
def summaries_flagged():
    period = arg_period()
    rep = skm_summaries.flagged(mongo.db("aggregator"), period)
    return show(flagged_page(rep), filter_bar(period=period))
