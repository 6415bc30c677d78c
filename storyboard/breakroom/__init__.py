"""The break room: a printable "story of the week" and a print version of any published story,
with QR codes that lead back to the story and to the nominate form, for people without a desk.

It only reads: the rule for the week's story (week.py), the QR codes (qr.py) and the pages
(views.py). Nothing here changes a story, so it needs no signals and no forms.
"""
