"""One module per topic of the course: its figures, panels and its answers to ui.lesson's protocol."""
