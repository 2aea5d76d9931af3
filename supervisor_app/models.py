"""The peewee models for the whole domain (see DOMAIN.md).

Every synced record has a UUID text key, UTC ISO-8601 created/updated times, the device that
wrote it last, a version counter and a tombstone (``deleted``) instead of a hard delete.
Dates are ``YYYY-MM-DD`` text, times ``YYYY-MM-DDTHH:MM:SS+00:00`` text: both sort correctly
as strings and travel unchanged in bundles.
"""

from __future__ import annotations

import json

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .canonical import canonical_text

database = DatabaseProxy()


class JSONField(TextField):
    """A JSON value stored as canonical text (sorted keys, UTF-8 characters kept)."""

    field_type = "TEXT"

    def db_value(self, value):
        if value is None:
            return None
        return canonical_text(value)

    def python_value(self, value):
        if value is None:
            return None
        return json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SyncedModel(BaseModel):
    """A record that is change-logged and travels in bundles."""

    id = CharField(primary_key=True, max_length=36)
    created_at = CharField()
    updated_at = CharField()
    device_id = CharField()
    version = IntegerField(default=1)
    deleted = BooleanField(default=False, index=True)

    # Fields that are local bookkeeping and never logged or synced.
    LOCAL_FIELDS: tuple[str, ...] = ()
    # The record type name used in the change log and bundles.
    RECORD_TYPE: str = ""


# --- installation --------------------------------------------------------------------------


class Setting(BaseModel):
    """Local key/value settings of this installation (role, device, group, member)."""

    key = CharField(primary_key=True)
    value = TextField()


class Device(BaseModel):
    """This installation and the devices it knows (enrolled peers)."""

    id = CharField(primary_key=True, max_length=36)
    role = CharField()  # field | office
    name = CharField(default="")
    group_id = CharField(null=True)
    sign_public_key = TextField(null=True)  # base64 Ed25519
    box_public_key = TextField(null=True)  # base64 X25519
    is_local = BooleanField(default=False)
    enrolled_at = CharField(null=True)
    revoked_at = CharField(null=True)


# --- campaign, template, groups ----------------------------------------------------------------


class ChecklistTemplate(SyncedModel):
    RECORD_TYPE = "template"
    template_id = CharField()
    template_version = IntegerField()
    name = CharField()
    content = JSONField()

    class Meta:
        indexes = ((("template_id", "template_version"), True),)


class Campaign(SyncedModel):
    RECORD_TYPE = "campaign"
    name = CharField()
    start_date = CharField()
    end_date = CharField(null=True)
    template_id = CharField()
    template_version = IntegerField()


class Group(SyncedModel):
    RECORD_TYPE = "group"
    name = CharField()
    campaign = ForeignKeyField(Campaign, null=True, backref="groups")


class Member(SyncedModel):
    RECORD_TYPE = "member"
    group = ForeignKeyField(Group, backref="members")
    name = CharField()
    is_leader = BooleanField(default=False)
    phone = CharField(default="")
    sign_public_key = TextField(null=True)  # the leader's personal evaluation-signing key


# --- units and people ----------------------------------------------------------------------


UNIT_KINDS = ("县市区", "市直单位", "二级机构", "乡镇", "村社区")


class Unit(SyncedModel):
    RECORD_TYPE = "unit"
    name = CharField(index=True)
    kind = CharField()
    parent = ForeignKeyField("self", null=True, backref="children")
    group = ForeignKeyField(Group, null=True, backref="units")  # the group assigned to it
    sort_order = IntegerField(default=0)


class LeadershipTeam(SyncedModel):
    RECORD_TYPE = "team"
    unit = ForeignKeyField(Unit, backref="teams")
    name = CharField()


class Leader(SyncedModel):
    RECORD_TYPE = "leader"
    name = CharField(index=True)
    position = CharField()
    unit = ForeignKeyField(Unit, backref="leaders")
    team = ForeignKeyField(LeadershipTeam, null=True, backref="leaders")
    is_top_leader = BooleanField(default=False)
    is_county_level = BooleanField(default=True)  # 县处级
    contact_point_unit = ForeignKeyField(Unit, null=True, backref="contact_leaders")


# --- visits and what is recorded on them ---------------------------------------------------


class Visit(SyncedModel):
    RECORD_TYPE = "visit"
    unit = ForeignKeyField(Unit, backref="visits")
    group = ForeignKeyField(Group, null=True, backref="visits")
    started_at = CharField(index=True)  # local wall-clock "YYYY-MM-DDTHH:MM"
    ended_at = CharField(null=True)
    members_present = JSONField(default=list)  # list of member ids
    methods = JSONField(default=list)  # list of method names from the template
    people_met = TextField(default="")
    leaders_present = JSONField(default=list)  # ids of leaders present or named
    notes = TextField(default="")

    class Meta:
        indexes = ((("unit", "started_at"), False),)


class Assessment(SyncedModel):
    RECORD_TYPE = "assessment"
    visit = ForeignKeyField(Visit, backref="assessments", unique=True)
    unit = ForeignKeyField(Unit, backref="assessments")
    template_id = CharField()
    template_version = IntegerField()
    focus_ratings = JSONField(default=dict)  # {item_id: {"rating": str, "evidence": str}}
    tendency_levels = JSONField(default=dict)  # {tendency_id: {"level": str, "evidence": str}}


class QuizRecord(SyncedModel):
    RECORD_TYPE = "quiz"
    visit = ForeignKeyField(Visit, backref="quizzes", unique=True)
    unit = ForeignKeyField(Unit, backref="quizzes")
    people_tested = IntegerField()
    questions = IntegerField()
    correct_answers = IntegerField()

    @property
    def accuracy(self) -> float:
        total = self.people_tested * self.questions
        return self.correct_answers / total if total else 0.0


class Finding(SyncedModel):
    RECORD_TYPE = "finding"
    unit = ForeignKeyField(Unit, backref="findings")
    visit = ForeignKeyField(Visit, null=True, backref="findings")
    leader = ForeignKeyField(Leader, null=True, backref="findings")
    found_on = CharField(index=True)
    category = CharField()
    sub_kind = CharField(default="")
    description = TextField()
    severity = CharField()
    closed = BooleanField(default=False, index=True)
    four_winds = JSONField(default=list)  # the 四风 it concerns (rules/findings.py FOUR_WINDS), zero or more


RECTIFICATION_STATUSES = ("未开始", "整改中", "已完成", "已核实")


class Attachment(SyncedModel):
    """A photo or scan of a visit; optionally of one finding of that visit, or of one item of
    the visit's assessment (``item``: "focus:<item id>" or "tendency:<tendency id>")."""

    RECORD_TYPE = "attachment"
    visit = ForeignKeyField(Visit, backref="attachments")
    sha256 = CharField(index=True)
    filename = CharField()
    mime_type = CharField(default="application/octet-stream")
    size = IntegerField()
    finding = ForeignKeyField(Finding, null=True, backref="attachments")
    item = CharField(null=True)


class Rectification(SyncedModel):
    RECORD_TYPE = "rectification"
    finding = ForeignKeyField(Finding, backref="rectifications", unique=True)
    measure = TextField()
    responsible = CharField()
    deadline = CharField(index=True)
    status = CharField(default="未开始")
    completed_on = CharField(null=True)
    verified_on = CharField(null=True)
    verified_by = CharField(null=True)
    verification_note = TextField(default="")


class FollowUp(SyncedModel):
    RECORD_TYPE = "followup"
    rectification = ForeignKeyField(Rectification, backref="follow_ups")
    on_date = CharField()
    note = TextField()
    member = ForeignKeyField(Member, null=True, backref="follow_ups")


# --- evaluation records (纪实评价) ----------------------------------------------------------


class EvaluationRecord(SyncedModel):
    RECORD_TYPE = "evaluation"
    subject_kind = CharField()  # leader | team
    leader = ForeignKeyField(Leader, null=True, backref="evaluations")
    team = ForeignKeyField(LeadershipTeam, null=True, backref="evaluations")
    unit = ForeignKeyField(Unit, backref="evaluations")
    group = ForeignKeyField(Group, null=True, backref="evaluations")
    period_start = CharField()
    period_end = CharField()
    item_ratings = JSONField(default=dict)  # {item_id: {"rating": str, "comment": str}}
    overall_rating = CharField(null=True)
    narrative = TextField(default="")
    template_id = CharField()
    template_version = IntegerField()
    signed_by = ForeignKeyField(Member, null=True, backref="signed_evaluations")
    signed_at = CharField(null=True)
    content_hash = CharField(null=True)
    signature = TextField(null=True)


class EvaluationFact(SyncedModel):
    RECORD_TYPE = "fact"
    evaluation = ForeignKeyField(EvaluationRecord, backref="facts")
    on_date = CharField()
    text = TextField()
    source_kind = CharField(default="manual")  # visit | finding | rectification | manual
    source_id = CharField(null=True)
    state = CharField(default="accepted")  # proposed | accepted | rejected


class Amendment(SyncedModel):
    RECORD_TYPE = "amendment"
    evaluation = ForeignKeyField(EvaluationRecord, backref="amendments")
    member = ForeignKeyField(Member, null=True, backref="amendments")
    reason = TextField()
    changes = JSONField(default=dict)
    signature = TextField(null=True)  # the group leader's signature (signatures.amendment_message)


# --- the campaign plan and progress per unit (活动进度安排) ------------------------------------------


class CampaignPlan(SyncedModel):
    """A version of the campaign plan (plan.py); written by the office, sent as an assignment."""

    RECORD_TYPE = "plan"
    plan_id = CharField()
    plan_version = IntegerField()
    name = CharField()
    content = JSONField()

    class Meta:
        indexes = ((("plan_id", "plan_version"), True),)


PROGRESS_STATUSES = ("done", "not_applicable")


class ActionProgress(SyncedModel):
    """What a person confirmed about one 规定动作 of one unit: done (date, evidence) or not
    applicable (reason); judged against the plan version it names. Written by the unit's group."""

    RECORD_TYPE = "progress"
    unit = ForeignKeyField(Unit, backref="progress")
    action_id = CharField()
    plan_id = CharField()
    plan_version = IntegerField()
    status = CharField()  # done | not_applicable
    done_on = CharField(null=True)
    amount = IntegerField(null=True)  # days or times, for measures that count
    evidence = JSONField(default=list)  # [{"kind": "visit"|"attachment", "id": …} | {"kind": "document", "title": …}]
    reason = TextField(default="")
    member = ForeignKeyField(Member, null=True, backref="progress")  # who confirmed it
    # One live progress per unit and action (rules/plan.py unique_progress on a local write); a
    # second one arriving in a bundle (two devices confirming the same action) is kept out and
    # listed as a duplicate conflict (sync/apply.py). Withdrawn (tombstoned) ones do not count.
    LIVE_UNIQUE = (("unit", "action_id"),)

    class Meta:
        indexes = ((("unit", "action_id"), False),)


class SurveyResult(SyncedModel):
    """One unit's result in one round of the 民意调查 (满意 / 基本满意 / 不满意 of the sample);
    entered by the office (the province's figures), sent to the groups as an assignment."""

    RECORD_TYPE = "survey"
    unit = ForeignKeyField(Unit, backref="survey_results")
    survey_id = CharField()
    plan_id = CharField()
    plan_version = IntegerField()
    sample = IntegerField()
    satisfied = IntegerField()
    basically_satisfied = IntegerField()
    unsatisfied = IntegerField()

    class Meta:
        indexes = ((("survey_id", "unit"), False),)


class SupervisionProblem(SyncedModel):
    """A 督导层面 problem: about a group's own supervision (督导不严, 好好先生 …), recorded against
    the group rather than a unit, by the office or the group itself (rules/supervision.py)."""

    RECORD_TYPE = "supervision_problem"
    group = ForeignKeyField(Group, backref="supervision_problems")
    found_on = CharField(index=True)
    kind = CharField(default="")  # one of the template's supervision_kinds, or empty
    description = TextField()
    member = ForeignKeyField(Member, null=True, backref="supervision_problems")  # who recorded it
    closed = BooleanField(default=False)
# --- 专题民主生活会 the group attended (meetings.py) ------------------------------------------------


FOUR_WINDS = ("形式主义", "官僚主义", "享乐主义", "奢靡之风")


class DemocraticMeeting(SyncedModel):
    """A leadership team's 专题民主生活会 that the group attended: who was there, each leader's
    对照检查材料 (drafts, 审核人, final), the 谈心谈话 before it, the problems found by 四风, the
    quality of 批评与自我批评 with its evidence, and the group's 点评. Written by the unit's group."""

    RECORD_TYPE = "meeting"
    LIVE_UNIQUE = (("team", "held_on"),)  # one meeting per team and day among the live ones (rules.meetings)
    unit = ForeignKeyField(Unit, backref="meetings")
    team = ForeignKeyField(LeadershipTeam, backref="meetings")
    group = ForeignKeyField(Group, null=True, backref="meetings")
    held_on = CharField(index=True)
    plan_id = CharField()  # the campaign plan whose calendar the day is inside (plan.py)
    plan_version = IntegerField()
    template_id = CharField()
    template_version = IntegerField()
    members_present = JSONField(default=list)  # member ids
    leaders_present = JSONField(default=list)  # leader ids
    materials = JSONField(default=list)  # [{"leader": id, "drafts": [{"on_date", "reviewer"}], "final": bool}]
    talks = JSONField(default=list)  # [{"leader": id, "with": id, "done": bool, "count": int}]
    problems = JSONField(default=list)  # [{"wind": one of FOUR_WINDS, "text": str, "leader": id | None}]
    criticism_rating = CharField(null=True)  # the template's evaluation scale
    criticism_evidence = TextField(default="")
    comment = TextField(default="")  # the group's 点评


# --- 整改方案 per unit and the 专项整治 tasks (rectification_plans.py, special_tasks.py) -------------

PLAN_STATES = ("草拟", "已通过", "实施中", "已完成")
PUBLICITY_STATES = ("未公示", "公示中", "已公示")


class RectificationPlan(SyncedModel):
    """A unit's 整改方案: its items (``items``) each take one finding of the unit, 班子 or 个人
    (which leader), 整改措施, 责任领导, 责任单位 and a deadline. Written by the unit's group."""

    RECORD_TYPE = "rplan"
    unit = ForeignKeyField(Unit, backref="rectification_plans")
    title = CharField()
    adopted_on = CharField(null=True)
    publicity = CharField(default="未公示")
    publicized_on = CharField(null=True)
    state = CharField(default="草拟")
    items = JSONField(default=list)  # [{"finding", "kind", "leader", "measure", "responsible_leader",
    #                                   "responsible_unit", "responsible_unit_id", "deadline"}]


class SpecialTaskList(SyncedModel):
    """A version of the list of 专项整治 tasks (special_tasks.py); written by the office."""

    RECORD_TYPE = "stasks"
    list_id = CharField()
    list_version = IntegerField()
    name = CharField()
    content = JSONField()

    class Meta:
        indexes = ((("list_id", "list_version"), True),)


class SpecialTaskAssignment(SyncedModel):
    """Which 专项整治 tasks (of one list version) the office assigned to one unit."""

    RECORD_TYPE = "stask_assign"
    LIVE_UNIQUE = (("unit",),)  # one assignment per unit (rules.rectification_plans.unique_assignment)
    unit = ForeignKeyField(Unit, backref="special_task_assignments")
    list_id = CharField()
    list_version = IntegerField()
    task_ids = JSONField(default=list)


SPECIAL_TASK_STATUSES = ("未启动", "推进中", "已完成")


class SpecialTaskStatus(SyncedModel):
    """How far one unit has got with one assigned 专项整治 task; reported by the unit's group."""

    RECORD_TYPE = "stask_status"
    LIVE_UNIQUE = (("unit", "task_id"),)  # one progress record per unit and task (unique_status)
    unit = ForeignKeyField(Unit, backref="special_task_statuses")
    task_id = CharField()
    status = CharField()
    on_date = CharField()
    note = TextField(default="")
    member = ForeignKeyField(Member, null=True, backref="special_task_statuses")

    class Meta:
        indexes = ((("unit", "task_id"), False),)


# --- the change log (append-only, hash-chained) ----------------------------------------------


class ChangeLog(BaseModel):
    """One entry per change of a synced record; the audit trail and the feed of bundles."""

    id = AutoField()
    device_id = CharField()
    seq = IntegerField()
    record_type = CharField()
    record_id = CharField(index=True)
    op = CharField()  # insert | update | delete
    fields = JSONField()
    member_id = CharField(null=True)
    at = CharField()
    prev_hash = CharField()
    hash = CharField()

    class Meta:
        indexes = ((("device_id", "seq"), True),)


SYNCED_MODELS: tuple[type[SyncedModel], ...] = (
    ChecklistTemplate,
    Campaign,
    Group,
    Member,
    Unit,
    LeadershipTeam,
    Leader,
    Visit,
    Attachment,
    Assessment,
    QuizRecord,
    Finding,
    Rectification,
    FollowUp,
    EvaluationRecord,
    EvaluationFact,
    Amendment,
    CampaignPlan,
    ActionProgress,
    SurveyResult,
    SupervisionProblem,
    DemocraticMeeting,
    RectificationPlan,
    SpecialTaskList,
    SpecialTaskAssignment,
    SpecialTaskStatus,
)

ALL_MODELS: tuple[type[BaseModel], ...] = (Setting, Device, *SYNCED_MODELS, ChangeLog)

MODEL_BY_RECORD_TYPE: dict[str, type[SyncedModel]] = {m.RECORD_TYPE: m for m in SYNCED_MODELS}
# What people call each record type (messages of the import, `check`).
TYPE_LABELS = {
    "template": "活动模板", "campaign": "活动", "group": "督导组", "member": "督导组成员", "unit": "单位",
    "team": "领导班子", "leader": "领导干部", "visit": "督导记录", "attachment": "附件", "assessment": "督导评估",
    "quiz": "知识问答", "finding": "问题", "rectification": "整改", "followup": "整改跟踪", "evaluation": "纪实评价",
    "fact": "纪实条目", "amendment": "更正记录", "plan": "活动安排", "progress": "规定动作进度",
    "survey": "民意调查结果", "supervision_problem": "督导层面问题", "meeting": "专题民主生活会",
    "rplan": "整改方案", "stasks": "专项整治任务清单", "stask_assign": "专项整治任务分配",
    "stask_status": "专项整治任务进展",
}


def alive(model: type[SyncedModel]):
    """The condition selecting records of ``model`` that are not tombstoned."""
    return model.deleted == False
