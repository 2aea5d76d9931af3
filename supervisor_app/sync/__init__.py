"""Sync bundles between field installations and the office (see docs/sync.md).

``identity``/``keystore`` hold this installation's keys and the enrolled peers,
``container``/``crypto`` the .sgb file format, ``exporter``/``importer`` write and read bundles,
``admission`` decides who may send what (every entry against its sender's rights), ``entries``
checks an entry's shape, ``fold`` computes a record's state from its entries (pure), ``apply``
writes the result and the hash chain, ``conflicts`` lists and resolves what needs a person, and
``service`` is what the window and the CLI call.
"""
