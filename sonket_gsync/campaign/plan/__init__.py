"""A campaign folder drafted from the plan document (.docx): ``read_plan`` reads the outline,
the appendix tables and the campaign's header facts into a ``Plan``; ``write_campaign_folder``
writes campaign.toml, forms.toml, outline.toml, empty units.csv and indicators.csv, and
REVIEW.md (what was inferred, from where, what to check). Depends only on core and python-docx."""

from sonket_gsync.campaign.plan.model import Plan, PlanColumn, PlanSection, PlanTable, Review
from sonket_gsync.campaign.plan.read import read_plan
from sonket_gsync.campaign.plan.write import write_campaign_folder

__all__ = ["Plan", "PlanColumn", "PlanSection", "PlanTable", "Review", "read_plan", "write_campaign_folder"]
