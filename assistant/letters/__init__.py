"""Appeal letters: excerpts from the notes, evidence gaps, Jinja rendering, .docx, the appeal lifecycle."""
