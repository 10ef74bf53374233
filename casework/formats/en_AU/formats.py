"""The agency's one way of writing dates and times (Australian English, as en-au's own
DATE_FORMAT): "2 Dec 2026", "2 Dec 2026 14:05", "December 2026". Templates use ``|date``,
``|date:"DATETIME_FORMAT"`` and ``|date:"YEAR_MONTH_FORMAT"``; Python uses
``casework.dates.day_label`` (the same format). Django's en-au SHORT_DATE_FORMAT would write
"02/12/2026"; it is the same format here, so no page ever mixes the two. Typed dates
(input formats) are Django's en-au ones, which this module leaves alone."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
