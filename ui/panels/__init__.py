"""Panels of the lessons: the larger `st.*` sections a page draws, one module per topic, where the topic's
ui/lessons module would otherwise grow past 300 lines. They draw ui/figures' figures and read the lesson's
session state."""
