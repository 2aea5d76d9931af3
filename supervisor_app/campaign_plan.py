"""The plan follows the campaign: at the office, a new campaign with no city-specific plan gets
the default plan moved to its start (plan.for_campaign), kept as a plan record that travels to
the groups with the assignments — so every device judges progress against the same dates.

Its own small module so that campaigns.py can call it without importing progress.py (which
reads display names, and display reads campaigns).
"""

from __future__ import annotations

from . import changelog, installation
from .models import Campaign, CampaignPlan, alive
from .plan import for_campaign, load_default


def store_campaign_plan(campaign: Campaign) -> CampaignPlan | None:
    """At the office, keep the plan of a new campaign that has no plan stored yet; nothing when
    a plan is stored already, or when the campaign keeps the default's own dates (the speech's)."""
    if installation.context().role != "office":
        return None
    if CampaignPlan.select().where(alive(CampaignPlan)).exists():
        return None
    plan = for_campaign(load_default(), campaign.start_date)
    if plan is load_default():
        return None
    return changelog.create(CampaignPlan, plan_id=plan.id, plan_version=plan.version, name=plan.name,
                            content=plan.content)
