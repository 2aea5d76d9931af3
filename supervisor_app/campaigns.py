"""Campaigns, checklist templates and supervision groups; installation setup (the roster: members.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from . import changelog, clock, installation
from . import template as templates
from . import validate as check
from .campaign_plan import store_campaign_plan
from .errors import NotFoundError, ValidationError
from .members import (  # noqa: F401 — the roster moved to members.py; these names stay importable here
    add_member,
    current_group,
    current_member,
    get_member,
    group_leader,
    list_groups,
    list_members,
    set_current_member,
)
from .models import Campaign, ChecklistTemplate, Group, Member, database
from .template import Template

DEFAULT_CAMPAIGN_NAME = "党的群众路线教育实践活动（第二批）"


def store_template(tpl: Template) -> ChecklistTemplate:
    """Keep a template version in the database (once); return its record."""
    existing = ChecklistTemplate.get_or_none(
        (ChecklistTemplate.template_id == tpl.id) & (ChecklistTemplate.template_version == tpl.version)
    )
    if existing is not None:
        if existing.content != tpl.content:
            raise ValidationError(
                f"模板 {tpl.id} 第 {tpl.version} 版已存在且内容不同；修改模板请提高版本号。", field="version"
            )
        return existing
    return changelog.create(
        ChecklistTemplate, template_id=tpl.id, template_version=tpl.version, name=tpl.name, content=tpl.content
    )


@lru_cache(maxsize=32)
def _template_cached(db_key: int, template_id: str, version: int) -> Template:
    record = ChecklistTemplate.get_or_none(
        (ChecklistTemplate.template_id == template_id) & (ChecklistTemplate.template_version == version)
    )
    if record is None:
        raise NotFoundError(f"找不到模板 {template_id} 第 {version} 版。", field="template")
    return templates.validate(record.content)


def get_template(template_id: str, version: int) -> Template:
    """A stored template version (old versions stay readable)."""
    return _template_cached(id(database.obj), template_id, version)


def current_campaign() -> Campaign:
    """The campaign records are made for: one that came from elsewhere (on a field device, the
    office's, once it has arrived) before the one this installation made at its first start;
    then the latest started; then the one changed last (rules.lookup.current_template agrees)."""
    me = installation.context().device_id if installation.is_initialized() else None
    campaign = (
        Campaign.select().where(Campaign.deleted == False)
        .order_by((Campaign.device_id == me).asc(), Campaign.start_date.desc(), Campaign.updated_at.desc(),
                  Campaign.id.desc()).first()
    )
    if campaign is None:
        raise NotFoundError("还没有活动，请先运行 init。")
    return campaign


@dataclass(frozen=True)
class Stage:
    """A stretch of the campaign (ISO dates, both ends included) and what it is called."""

    name: str
    start: str
    end: str


def current_stage(on: date | None = None) -> Stage:
    """The stage of the current campaign that ``on`` (default today) falls in.

    Campaigns record no stages yet, so the stage is the campaign so far: from its start to
    ``on`` — to its end once it has ended, and its first day while it has not begun.
    """
    campaign = current_campaign()
    on_text = (on or clock.today()).isoformat()
    start = campaign.start_date
    end = on_text
    if campaign.end_date and campaign.end_date < end:
        end = campaign.end_date
    if end < start:
        end = start
    return Stage(name="活动开始至今", start=start, end=end)


def active_template() -> Template:
    """The template of the current campaign."""
    campaign = current_campaign()
    return get_template(campaign.template_id, campaign.template_version)


def create_campaign(name: str, start_date, tpl: Template, end_date=None) -> Campaign:
    """Start a campaign scored against ``tpl`` (kept in the database first)."""
    name = check.clean_text(name)
    start = check.iso_date(start_date, "start_date", "开始日期")
    end = check.iso_date(end_date, "end_date", "结束日期", required=False)
    with database.atomic():
        store_template(tpl)
        campaign = changelog.create(
            Campaign, name=name, start_date=start, end_date=end, template_id=tpl.id, template_version=tpl.version
        )
        store_campaign_plan(campaign)  # the plan follows the campaign (plan.for_campaign)
        return campaign


def switch_template(tpl: Template) -> Campaign:
    """Move the current campaign to a newer checklist version (the office's act).

    The version is kept in the database first; the campaign then names it, so new assessments,
    evaluations and findings use its words while every record made before keeps the version it
    names. Both changes travel to the field devices with the next assignment bundle. Refused on
    a field device (its campaign is the office's) and for a version not newer than the current.
    """
    if installation.is_initialized() and installation.context().role != "office":
        raise ValidationError("活动模板由活动办载入，随同步包下发到各督导组；督导组设备不能更换模板。", field="role")
    with database.atomic():
        campaign = current_campaign()
        if tpl.id == campaign.template_id and tpl.version <= campaign.template_version:
            raise ValidationError(
                f"当前活动已在使用模板 {tpl.id} 第 {campaign.template_version} 版；只能换到更高的版本。", field="version"
            )
        store_template(tpl)
        return changelog.update(campaign, template_id=tpl.id, template_version=tpl.version)


def create_group(name: str, campaign: Campaign | None = None) -> Group:
    """A new supervision group; its name is unique (rules/campaigns.py)."""
    return changelog.create(Group, name=check.clean_text(name), campaign=campaign)


def initialize(role: str = "field", group_name: str | None = None, member_name: str | None = None) -> bool:
    """Set up this installation once; return True when something was created.

    Running it again with the same answers changes nothing. The first member named for a new
    group becomes its leader.
    """
    created = False
    with database.atomic():
        if not installation.is_initialized():
            installation.ensure_device(role)
            created = True
        elif installation.context().role != role:
            raise ValidationError(
                f"本机已初始化为“{installation.ROLE_LABELS[installation.context().role]}”，不能改为其他角色。",
                field="role",
            )
        if not Campaign.select().where(Campaign.deleted == False).exists():
            create_campaign(DEFAULT_CAMPAIGN_NAME, clock.today(), templates.load_default())
            created = True
        if group_name:
            group = Group.get_or_none((Group.name == group_name.strip()) & (Group.deleted == False))
            if group is None:
                group = create_group(group_name, current_campaign())
                created = True
            if installation.context().group_id != group.id:
                installation.set_setting("group_id", group.id)
                created = True
            if member_name:
                member = Member.get_or_none(
                    (Member.group == group) & (Member.name == member_name.strip()) & (Member.deleted == False)
                )
                if member is None:
                    member = add_member(group, member_name, is_leader=group_leader(group) is None)
                    created = True
                if installation.context().member_id != member.id:
                    set_current_member(member)
                    created = True
        elif member_name:
            raise ValidationError("指定成员时也要指定督导组（--group）。", field="member")
    return created
