"""The window: Qt widgets, table models, dialogs and workers over supervisor_app services."""
