"""The schema migrations, frozen as the SQL each one runs.

A migration is written once, as text, and never edited afterwards: it must do to a database
made years ago exactly what it did the day it was released, whatever the model classes in
``models.py`` have become since. ``tests/test_upgrade.py`` checks that a database built by
these statements has exactly the schema the models describe today (so a changed model without
a new migration fails), and upgrades databases kept from earlier versions.

To change the schema: change the model, append ``MIGRATION_<n+1>`` (its SQL, with the columns
and indexes the model now has), register it in ``STEPS`` and raise ``db.SCHEMA_VERSION``.
"""

from __future__ import annotations

from collections.abc import Callable

# 1: the records, the change log and the full-text index (FTS5 over character n-grams).
MIGRATION_1: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "campaign" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "start_date" VARCHAR(255) NOT NULL, "end_date" VARCHAR(255), "template_id" VARCHAR(255) NOT NULL, "template_version" INTEGER NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "campaign_deleted" ON "campaign" ("deleted")',
    'CREATE TABLE IF NOT EXISTS "group" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "campaign_id" VARCHAR(36), FOREIGN KEY ("campaign_id") REFERENCES "campaign" ("id"))',
    'CREATE INDEX IF NOT EXISTS "group_deleted" ON "group" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "group_campaign_id" ON "group" ("campaign_id")',
    'CREATE TABLE IF NOT EXISTS "unit" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "parent_id" VARCHAR(36), "group_id" VARCHAR(36), "sort_order" INTEGER NOT NULL, FOREIGN KEY ("parent_id") REFERENCES "unit" ("id"), FOREIGN KEY ("group_id") REFERENCES "group" ("id"))',
    'CREATE INDEX IF NOT EXISTS "unit_deleted" ON "unit" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "unit_name" ON "unit" ("name")',
    'CREATE INDEX IF NOT EXISTS "unit_parent_id" ON "unit" ("parent_id")',
    'CREATE INDEX IF NOT EXISTS "unit_group_id" ON "unit" ("group_id")',
    'CREATE TABLE IF NOT EXISTS "leadership_team" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "name" VARCHAR(255) NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "leadership_team_deleted" ON "leadership_team" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "leadership_team_unit_id" ON "leadership_team" ("unit_id")',
    'CREATE TABLE IF NOT EXISTS "leader" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "position" VARCHAR(255) NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "team_id" VARCHAR(36), "is_top_leader" INTEGER NOT NULL, "is_county_level" INTEGER NOT NULL, "contact_point_unit_id" VARCHAR(36), FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("team_id") REFERENCES "leadership_team" ("id"), FOREIGN KEY ("contact_point_unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "leader_deleted" ON "leader" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "leader_name" ON "leader" ("name")',
    'CREATE INDEX IF NOT EXISTS "leader_unit_id" ON "leader" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "leader_team_id" ON "leader" ("team_id")',
    'CREATE INDEX IF NOT EXISTS "leader_contact_point_unit_id" ON "leader" ("contact_point_unit_id")',
    'CREATE TABLE IF NOT EXISTS "member" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "group_id" VARCHAR(36) NOT NULL, "name" VARCHAR(255) NOT NULL, "is_leader" INTEGER NOT NULL, "phone" VARCHAR(255) NOT NULL, "sign_public_key" TEXT, FOREIGN KEY ("group_id") REFERENCES "group" ("id"))',
    'CREATE INDEX IF NOT EXISTS "member_deleted" ON "member" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "member_group_id" ON "member" ("group_id")',
    'CREATE TABLE IF NOT EXISTS "evaluation_record" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "subject_kind" VARCHAR(255) NOT NULL, "leader_id" VARCHAR(36), "team_id" VARCHAR(36), "unit_id" VARCHAR(36) NOT NULL, "group_id" VARCHAR(36), "period_start" VARCHAR(255) NOT NULL, "period_end" VARCHAR(255) NOT NULL, "item_ratings" TEXT NOT NULL, "overall_rating" VARCHAR(255), "narrative" TEXT NOT NULL, "template_id" VARCHAR(255) NOT NULL, "template_version" INTEGER NOT NULL, "signed_by_id" VARCHAR(36), "signed_at" VARCHAR(255), "content_hash" VARCHAR(255), "signature" TEXT, FOREIGN KEY ("leader_id") REFERENCES "leader" ("id"), FOREIGN KEY ("team_id") REFERENCES "leadership_team" ("id"), FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("group_id") REFERENCES "group" ("id"), FOREIGN KEY ("signed_by_id") REFERENCES "member" ("id"))',
    'CREATE INDEX IF NOT EXISTS "evaluation_record_deleted" ON "evaluation_record" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "evaluation_record_leader_id" ON "evaluation_record" ("leader_id")',
    'CREATE INDEX IF NOT EXISTS "evaluation_record_team_id" ON "evaluation_record" ("team_id")',
    'CREATE INDEX IF NOT EXISTS "evaluation_record_unit_id" ON "evaluation_record" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "evaluation_record_group_id" ON "evaluation_record" ("group_id")',
    'CREATE INDEX IF NOT EXISTS "evaluation_record_signed_by_id" ON "evaluation_record" ("signed_by_id")',
    'CREATE TABLE IF NOT EXISTS "amendment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "evaluation_id" VARCHAR(36) NOT NULL, "member_id" VARCHAR(36), "reason" TEXT NOT NULL, "changes" TEXT NOT NULL, "signature" TEXT, FOREIGN KEY ("evaluation_id") REFERENCES "evaluation_record" ("id"), FOREIGN KEY ("member_id") REFERENCES "member" ("id"))',
    'CREATE INDEX IF NOT EXISTS "amendment_deleted" ON "amendment" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "amendment_evaluation_id" ON "amendment" ("evaluation_id")',
    'CREATE INDEX IF NOT EXISTS "amendment_member_id" ON "amendment" ("member_id")',
    'CREATE TABLE IF NOT EXISTS "visit" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "group_id" VARCHAR(36), "started_at" VARCHAR(255) NOT NULL, "ended_at" VARCHAR(255), "members_present" TEXT NOT NULL, "methods" TEXT NOT NULL, "people_met" TEXT NOT NULL, "leaders_present" TEXT NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("group_id") REFERENCES "group" ("id"))',
    'CREATE INDEX IF NOT EXISTS "visit_deleted" ON "visit" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "visit_unit_id" ON "visit" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "visit_group_id" ON "visit" ("group_id")',
    'CREATE INDEX IF NOT EXISTS "visit_started_at" ON "visit" ("started_at")',
    'CREATE INDEX IF NOT EXISTS "visit_unit_id_started_at" ON "visit" ("unit_id", "started_at")',
    'CREATE TABLE IF NOT EXISTS "assessment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "visit_id" VARCHAR(36) NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "template_id" VARCHAR(255) NOT NULL, "template_version" INTEGER NOT NULL, "focus_ratings" TEXT NOT NULL, "tendency_levels" TEXT NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "assessment_deleted" ON "assessment" ("deleted")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "assessment_visit_id" ON "assessment" ("visit_id")',
    'CREATE INDEX IF NOT EXISTS "assessment_unit_id" ON "assessment" ("unit_id")',
    'CREATE TABLE IF NOT EXISTS "attachment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "visit_id" VARCHAR(36) NOT NULL, "sha256" VARCHAR(255) NOT NULL, "filename" VARCHAR(255) NOT NULL, "mime_type" VARCHAR(255) NOT NULL, "size" INTEGER NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "attachment_deleted" ON "attachment" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "attachment_visit_id" ON "attachment" ("visit_id")',
    'CREATE INDEX IF NOT EXISTS "attachment_sha256" ON "attachment" ("sha256")',
    'CREATE TABLE IF NOT EXISTS "change_log" ("id" INTEGER NOT NULL PRIMARY KEY, "device_id" VARCHAR(255) NOT NULL, "seq" INTEGER NOT NULL, "record_type" VARCHAR(255) NOT NULL, "record_id" VARCHAR(255) NOT NULL, "op" VARCHAR(255) NOT NULL, "fields" TEXT NOT NULL, "member_id" VARCHAR(255), "at" VARCHAR(255) NOT NULL, "prev_hash" VARCHAR(255) NOT NULL, "hash" VARCHAR(255) NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "change_log_record_id" ON "change_log" ("record_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "change_log_device_id_seq" ON "change_log" ("device_id", "seq")',
    'CREATE TABLE IF NOT EXISTS "checklist_template" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "template_id" VARCHAR(255) NOT NULL, "template_version" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "content" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "checklist_template_deleted" ON "checklist_template" ("deleted")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "checklist_template_template_id_template_version" ON "checklist_template" ("template_id", "template_version")',
    'CREATE TABLE IF NOT EXISTS "device" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "role" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "group_id" VARCHAR(255), "sign_public_key" TEXT, "box_public_key" TEXT, "is_local" INTEGER NOT NULL, "enrolled_at" VARCHAR(255), "revoked_at" VARCHAR(255))',
    'CREATE TABLE IF NOT EXISTS "evaluation_fact" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "evaluation_id" VARCHAR(36) NOT NULL, "on_date" VARCHAR(255) NOT NULL, "text" TEXT NOT NULL, "source_kind" VARCHAR(255) NOT NULL, "source_id" VARCHAR(255), "state" VARCHAR(255) NOT NULL, FOREIGN KEY ("evaluation_id") REFERENCES "evaluation_record" ("id"))',
    'CREATE INDEX IF NOT EXISTS "evaluation_fact_deleted" ON "evaluation_fact" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "evaluation_fact_evaluation_id" ON "evaluation_fact" ("evaluation_id")',
    'CREATE TABLE IF NOT EXISTS "finding" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "visit_id" VARCHAR(36), "leader_id" VARCHAR(36), "found_on" VARCHAR(255) NOT NULL, "category" VARCHAR(255) NOT NULL, "sub_kind" VARCHAR(255) NOT NULL, "description" TEXT NOT NULL, "severity" VARCHAR(255) NOT NULL, "closed" INTEGER NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("leader_id") REFERENCES "leader" ("id"))',
    'CREATE INDEX IF NOT EXISTS "finding_deleted" ON "finding" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "finding_unit_id" ON "finding" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "finding_visit_id" ON "finding" ("visit_id")',
    'CREATE INDEX IF NOT EXISTS "finding_leader_id" ON "finding" ("leader_id")',
    'CREATE INDEX IF NOT EXISTS "finding_found_on" ON "finding" ("found_on")',
    'CREATE INDEX IF NOT EXISTS "finding_closed" ON "finding" ("closed")',
    'CREATE TABLE IF NOT EXISTS "rectification" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "finding_id" VARCHAR(36) NOT NULL, "measure" TEXT NOT NULL, "responsible" VARCHAR(255) NOT NULL, "deadline" VARCHAR(255) NOT NULL, "status" VARCHAR(255) NOT NULL, "completed_on" VARCHAR(255), "verified_on" VARCHAR(255), "verified_by" VARCHAR(255), "verification_note" TEXT NOT NULL, FOREIGN KEY ("finding_id") REFERENCES "finding" ("id"))',
    'CREATE INDEX IF NOT EXISTS "rectification_deleted" ON "rectification" ("deleted")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "rectification_finding_id" ON "rectification" ("finding_id")',
    'CREATE INDEX IF NOT EXISTS "rectification_deadline" ON "rectification" ("deadline")',
    'CREATE TABLE IF NOT EXISTS "follow_up" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "rectification_id" VARCHAR(36) NOT NULL, "on_date" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, "member_id" VARCHAR(36), FOREIGN KEY ("rectification_id") REFERENCES "rectification" ("id"), FOREIGN KEY ("member_id") REFERENCES "member" ("id"))',
    'CREATE INDEX IF NOT EXISTS "follow_up_deleted" ON "follow_up" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "follow_up_rectification_id" ON "follow_up" ("rectification_id")',
    'CREATE INDEX IF NOT EXISTS "follow_up_member_id" ON "follow_up" ("member_id")',
    'CREATE TABLE IF NOT EXISTS "quiz_record" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "visit_id" VARCHAR(36) NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "people_tested" INTEGER NOT NULL, "questions" INTEGER NOT NULL, "correct_answers" INTEGER NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "quiz_record_deleted" ON "quiz_record" ("deleted")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "quiz_record_visit_id" ON "quiz_record" ("visit_id")',
    'CREATE INDEX IF NOT EXISTS "quiz_record_unit_id" ON "quiz_record" ("unit_id")',
    'CREATE TABLE IF NOT EXISTS "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    'CREATE TABLE IF NOT EXISTS search_doc ( key INTEGER PRIMARY KEY, visit_id TEXT NOT NULL UNIQUE, text TEXT NOT NULL)',
    "CREATE VIRTUAL TABLE IF NOT EXISTS visit_fts USING fts5( body, content='', tokenize='unicode61 remove_diacritics 0')",
)

# 2: sync bookkeeping: bundle history, cursors, acknowledgements, held entries, conflicts.
MIGRATION_2: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "sync_bundle" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "direction" VARCHAR(255) NOT NULL, "peer_device_id" VARCHAR(255) NOT NULL, "bundle_no" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "created_at" VARCHAR(255) NOT NULL, "processed_at" VARCHAR(255) NOT NULL, "file_name" VARCHAR(255) NOT NULL, "size" INTEGER NOT NULL, "entry_count" INTEGER NOT NULL, "attachment_count" INTEGER NOT NULL, "applied" INTEGER NOT NULL, "skipped" INTEGER NOT NULL, "held" INTEGER NOT NULL, "conflicts" INTEGER NOT NULL, "ranges" TEXT NOT NULL, "status" VARCHAR(255) NOT NULL, "message" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "sync_bundle_peer_device_id" ON "sync_bundle" ("peer_device_id")',
    'CREATE TABLE IF NOT EXISTS "sync_conflict" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "record_type" VARCHAR(255) NOT NULL, "record_id" VARCHAR(255) NOT NULL, "reason" VARCHAR(255) NOT NULL, "fields" TEXT NOT NULL, "versions" TEXT NOT NULL, "status" VARCHAR(255) NOT NULL, "detected_at" VARCHAR(255) NOT NULL, "resolved_at" VARCHAR(255), "resolved_by" VARCHAR(255), "resolution" TEXT)',
    'CREATE INDEX IF NOT EXISTS "sync_conflict_record_id" ON "sync_conflict" ("record_id")',
    'CREATE INDEX IF NOT EXISTS "sync_conflict_status" ON "sync_conflict" ("status")',
    'CREATE TABLE IF NOT EXISTS "sync_cursor" ("device_id" VARCHAR(36) NOT NULL PRIMARY KEY, "upto" INTEGER NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "sync_entry_deps" ("device_id" VARCHAR(36) NOT NULL, "seq" INTEGER NOT NULL, "deps" TEXT NOT NULL, PRIMARY KEY ("device_id", "seq"))',
    'CREATE TABLE IF NOT EXISTS "sync_held_entry" ("id" INTEGER NOT NULL PRIMARY KEY, "device_id" VARCHAR(255) NOT NULL, "seq" INTEGER NOT NULL, "record_type" VARCHAR(255) NOT NULL, "record_id" VARCHAR(255) NOT NULL, "op" VARCHAR(255) NOT NULL, "fields" TEXT NOT NULL, "member_id" VARCHAR(255), "at" VARCHAR(255) NOT NULL, "deps" TEXT, "bundle_id" VARCHAR(255) NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "sync_held_entry_device_id_seq" ON "sync_held_entry" ("device_id", "seq")',
    'CREATE TABLE IF NOT EXISTS "sync_held_range" ("id" INTEGER NOT NULL PRIMARY KEY, "device_id" VARCHAR(255) NOT NULL, "after" INTEGER NOT NULL, "upto" INTEGER NOT NULL, "bundle_id" VARCHAR(255) NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "sync_held_range_device_id" ON "sync_held_range" ("device_id")',
    'CREATE TABLE IF NOT EXISTS "sync_peer_ack" ("peer_device_id" VARCHAR(36) NOT NULL, "origin_device_id" VARCHAR(36) NOT NULL, "upto" INTEGER NOT NULL, PRIMARY KEY ("peer_device_id", "origin_device_id"))',
)

# 3: amendments carry the group leader's signature. Databases made since migration 1 learned
# the column already have it, so it is added only where it is missing.
MIGRATION_3_ADD_AMENDMENT_SIGNATURE = 'ALTER TABLE "amendment" ADD COLUMN "signature" TEXT'


# 4: the campaign plan (活动进度安排), what each unit has done of its 规定动作, and the units'
# results in the 民意调查 rounds.
MIGRATION_4_PLAN_AND_PROGRESS: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "campaign_plan" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "plan_id" VARCHAR(255) NOT NULL, "plan_version" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "content" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "campaign_plan_deleted" ON "campaign_plan" ("deleted")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "campaign_plan_plan_id_plan_version" ON "campaign_plan" ("plan_id", "plan_version")',
    'CREATE TABLE IF NOT EXISTS "action_progress" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "action_id" VARCHAR(255) NOT NULL, "plan_id" VARCHAR(255) NOT NULL, "plan_version" INTEGER NOT NULL, "status" VARCHAR(255) NOT NULL, "done_on" VARCHAR(255), "amount" INTEGER, "evidence" TEXT NOT NULL, "reason" TEXT NOT NULL, "member_id" VARCHAR(36), FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("member_id") REFERENCES "member" ("id"))',
    'CREATE INDEX IF NOT EXISTS "action_progress_deleted" ON "action_progress" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "action_progress_member_id" ON "action_progress" ("member_id")',
    'CREATE INDEX IF NOT EXISTS "action_progress_unit_id" ON "action_progress" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "action_progress_unit_id_action_id" ON "action_progress" ("unit_id", "action_id")',
    'CREATE TABLE IF NOT EXISTS "survey_result" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "survey_id" VARCHAR(255) NOT NULL, "plan_id" VARCHAR(255) NOT NULL, "plan_version" INTEGER NOT NULL, "sample" INTEGER NOT NULL, "satisfied" INTEGER NOT NULL, "basically_satisfied" INTEGER NOT NULL, "unsatisfied" INTEGER NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "survey_result_deleted" ON "survey_result" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "survey_result_survey_id_unit_id" ON "survey_result" ("survey_id", "unit_id")',
    'CREATE INDEX IF NOT EXISTS "survey_result_unit_id" ON "survey_result" ("unit_id")',
)


# 5: a photo may be of one finding of its visit, or of one item of the visit's assessment
# ("focus:<id>" / "tendency:<id>"). SQLite cannot add a column with a foreign key before the
# table's constraints, so the table is rebuilt with the new columns, its rows copied over.
MIGRATION_5_ATTACHMENT_LINKS: tuple[str, ...] = (
    'CREATE TABLE "attachment_v5" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "visit_id" VARCHAR(36) NOT NULL, "sha256" VARCHAR(255) NOT NULL, "filename" VARCHAR(255) NOT NULL, "mime_type" VARCHAR(255) NOT NULL, "size" INTEGER NOT NULL, "finding_id" VARCHAR(36), "item" VARCHAR(255), FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("finding_id") REFERENCES "finding" ("id"))',
    'INSERT INTO "attachment_v5" ("id", "created_at", "updated_at", "device_id", "version", "deleted", "visit_id", "sha256", "filename", "mime_type", "size", "finding_id", "item") SELECT "id", "created_at", "updated_at", "device_id", "version", "deleted", "visit_id", "sha256", "filename", "mime_type", "size", NULL, NULL FROM "attachment"',
    'DROP TABLE "attachment"',
    'ALTER TABLE "attachment_v5" RENAME TO "attachment"',
    'CREATE INDEX IF NOT EXISTS "attachment_deleted" ON "attachment" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "attachment_visit_id" ON "attachment" ("visit_id")',
    'CREATE INDEX IF NOT EXISTS "attachment_sha256" ON "attachment" ("sha256")',
    'CREATE INDEX IF NOT EXISTS "attachment_finding_id" ON "attachment" ("finding_id")',
)


# 6: a finding names the 四风 it concerns (a JSON list, empty for every finding made before);
# 督导层面 problems, recorded against a group. The finding table is rebuilt (as in 5) so that the
# new column stands before the constraints (db.migrate runs with foreign keys checked at the end,
# once the rebuilt table has taken the old one's name again).
MIGRATION_6_FOUR_WINDS_AND_SUPERVISION: tuple[str, ...] = (
    'CREATE TABLE "finding_v6" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "visit_id" VARCHAR(36), "leader_id" VARCHAR(36), "found_on" VARCHAR(255) NOT NULL, "category" VARCHAR(255) NOT NULL, "sub_kind" VARCHAR(255) NOT NULL, "description" TEXT NOT NULL, "severity" VARCHAR(255) NOT NULL, "closed" INTEGER NOT NULL, "four_winds" TEXT NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"), FOREIGN KEY ("leader_id") REFERENCES "leader" ("id"))',
    'INSERT INTO "finding_v6" ("id", "created_at", "updated_at", "device_id", "version", "deleted", "unit_id", "visit_id", "leader_id", "found_on", "category", "sub_kind", "description", "severity", "closed", "four_winds") SELECT "id", "created_at", "updated_at", "device_id", "version", "deleted", "unit_id", "visit_id", "leader_id", "found_on", "category", "sub_kind", "description", "severity", "closed", \'[]\' FROM "finding"',
    'DROP TABLE "finding"',
    'ALTER TABLE "finding_v6" RENAME TO "finding"',
    'CREATE INDEX IF NOT EXISTS "finding_deleted" ON "finding" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "finding_unit_id" ON "finding" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "finding_visit_id" ON "finding" ("visit_id")',
    'CREATE INDEX IF NOT EXISTS "finding_leader_id" ON "finding" ("leader_id")',
    'CREATE INDEX IF NOT EXISTS "finding_found_on" ON "finding" ("found_on")',
    'CREATE INDEX IF NOT EXISTS "finding_closed" ON "finding" ("closed")',
    'CREATE TABLE IF NOT EXISTS "supervision_problem" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "group_id" VARCHAR(36) NOT NULL, "found_on" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "description" TEXT NOT NULL, "member_id" VARCHAR(36), "closed" INTEGER NOT NULL, FOREIGN KEY ("group_id") REFERENCES "group" ("id"), FOREIGN KEY ("member_id") REFERENCES "member" ("id"))',
    'CREATE INDEX IF NOT EXISTS "supervision_problem_deleted" ON "supervision_problem" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "supervision_problem_group_id" ON "supervision_problem" ("group_id")',
    'CREATE INDEX IF NOT EXISTS "supervision_problem_found_on" ON "supervision_problem" ("found_on")',
    'CREATE INDEX IF NOT EXISTS "supervision_problem_member_id" ON "supervision_problem" ("member_id")',
)


# 7: the 专题民主生活会 a group attended (meetings.py): one row per meeting, its structured parts
# (对照检查材料, 谈心谈话, 查摆问题 by 四风) as JSON columns.
MIGRATION_7_MEETINGS: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "democratic_meeting" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "team_id" VARCHAR(36) NOT NULL, "group_id" VARCHAR(36), "held_on" VARCHAR(255) NOT NULL, "plan_id" VARCHAR(255) NOT NULL, "plan_version" INTEGER NOT NULL, "template_id" VARCHAR(255) NOT NULL, "template_version" INTEGER NOT NULL, "members_present" TEXT NOT NULL, "leaders_present" TEXT NOT NULL, "materials" TEXT NOT NULL, "talks" TEXT NOT NULL, "problems" TEXT NOT NULL, "criticism_rating" VARCHAR(255), "criticism_evidence" TEXT NOT NULL, "comment" TEXT NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("team_id") REFERENCES "leadership_team" ("id"), FOREIGN KEY ("group_id") REFERENCES "group" ("id"))',
    'CREATE INDEX IF NOT EXISTS "democratic_meeting_deleted" ON "democratic_meeting" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "democratic_meeting_unit_id" ON "democratic_meeting" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "democratic_meeting_team_id" ON "democratic_meeting" ("team_id")',
    'CREATE INDEX IF NOT EXISTS "democratic_meeting_group_id" ON "democratic_meeting" ("group_id")',
    'CREATE INDEX IF NOT EXISTS "democratic_meeting_held_on" ON "democratic_meeting" ("held_on")',
)


# 8: a unit's 整改方案 (its items in one JSON list), the 专项整治 task lists (versions), which tasks
# each unit was assigned and how far each unit has got with each task.
MIGRATION_8_RECTIFICATION_PLANS: tuple[str, ...] = (
    'CREATE TABLE IF NOT EXISTS "rectification_plan" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "title" VARCHAR(255) NOT NULL, "adopted_on" VARCHAR(255), "publicity" VARCHAR(255) NOT NULL, "publicized_on" VARCHAR(255), "state" VARCHAR(255) NOT NULL, "items" TEXT NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "rectification_plan_deleted" ON "rectification_plan" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "rectification_plan_unit_id" ON "rectification_plan" ("unit_id")',
    'CREATE TABLE IF NOT EXISTS "special_task_list" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "list_id" VARCHAR(255) NOT NULL, "list_version" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "content" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "special_task_list_deleted" ON "special_task_list" ("deleted")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "special_task_list_list_id_list_version" ON "special_task_list" ("list_id", "list_version")',
    'CREATE TABLE IF NOT EXISTS "special_task_assignment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "list_id" VARCHAR(255) NOT NULL, "list_version" INTEGER NOT NULL, "task_ids" TEXT NOT NULL, FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"))',
    'CREATE INDEX IF NOT EXISTS "special_task_assignment_deleted" ON "special_task_assignment" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "special_task_assignment_unit_id" ON "special_task_assignment" ("unit_id")',
    'CREATE TABLE IF NOT EXISTS "special_task_status" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "created_at" VARCHAR(255) NOT NULL, "updated_at" VARCHAR(255) NOT NULL, "device_id" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "deleted" INTEGER NOT NULL, "unit_id" VARCHAR(36) NOT NULL, "task_id" VARCHAR(255) NOT NULL, "status" VARCHAR(255) NOT NULL, "on_date" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, "member_id" VARCHAR(36), FOREIGN KEY ("unit_id") REFERENCES "unit" ("id"), FOREIGN KEY ("member_id") REFERENCES "member" ("id"))',
    'CREATE INDEX IF NOT EXISTS "special_task_status_deleted" ON "special_task_status" ("deleted")',
    'CREATE INDEX IF NOT EXISTS "special_task_status_unit_id" ON "special_task_status" ("unit_id")',
    'CREATE INDEX IF NOT EXISTS "special_task_status_member_id" ON "special_task_status" ("member_id")',
    'CREATE INDEX IF NOT EXISTS "special_task_status_unit_id_task_id" ON "special_task_status" ("unit_id", "task_id")',
)


def _run(statements: tuple[str, ...]) -> Callable[[object], None]:
    def step(db) -> None:
        for sql in statements:
            db.execute_sql(sql)

    return step


def _migration_3(db) -> None:
    columns = {row[1] for row in db.execute_sql('PRAGMA table_info("amendment")')}
    if "signature" not in columns:
        db.execute_sql(MIGRATION_3_ADD_AMENDMENT_SIGNATURE)


# STEPS[n] brings a database from version n-1 to n. Append only; never edit an old one.
STEPS: dict[int, Callable[[object], None]] = {
    1: _run(MIGRATION_1),
    2: _run(MIGRATION_2),
    3: _migration_3,
    4: _run(MIGRATION_4_PLAN_AND_PROGRESS),
    5: _run(MIGRATION_5_ATTACHMENT_LINKS),
    6: _run(MIGRATION_6_FOUR_WINDS_AND_SUPERVISION),
    7: _run(MIGRATION_7_MEETINGS),
    8: _run(MIGRATION_8_RECTIFICATION_PLANS),
}
