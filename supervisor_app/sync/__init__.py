"""Sync bundles between field installations and the office (see docs/sync.md).

``identity`` holds this installation's keys and the enrolled peers, ``container``/``crypto``
the .sgb file format, ``exporter``/``importer`` write and read bundles, ``merge`` folds
change-log entries into records, ``conflicts`` lists and resolves what needs a person, and
``service`` is what the window and the CLI call.
"""
